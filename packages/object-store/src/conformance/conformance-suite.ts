/**
 * The behaviour every ObjectStore adapter must have. Each adapter's integration spec calls
 * `describeObjectStoreConformance` with a harness that creates stores on its backend; every case works
 * under a fresh key prefix and deletes it afterwards, so runs never see each other's objects.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidObjectKey } from '../object-key.js';
import { InvalidPutOptions } from '../object-metadata.js';
import { ObjectNotFound, type ObjectStore, type PutOptions } from '../object-store.js';
import { bytesOf, digestOf, generatedBody } from './generated-body.js';

export interface ObjectStoreHarness {
  /** A store on the backend; the suite calls `ensureBucket` before using it. */
  create(): Promise<ObjectStore>;
  /** Multipart uploads still open under `prefix`, for backends that have them (S3). */
  openUploads?(prefix: string): Promise<number>;
}

const MiB = 1024 * 1024;
const jpeg = { contentType: 'image/jpeg', metadata: { 'photo-id': 'p-1', owner: 'u-42' } };

export function describeObjectStoreConformance(name: string, harness: ObjectStoreHarness): void {
  describe(`object store conformance: ${name}`, () => {
    const cleanups: (() => Promise<unknown>)[] = [];
    afterEach(async () => {
      await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
    });

    /** A ready store and a fresh prefix, removed after the case. */
    async function fresh(): Promise<{ store: ObjectStore; at: (key: string) => string; prefix: string }> {
      const store = await harness.create();
      await store.ensureBucket();
      const prefix = `conformance-${randomUUID().slice(0, 8)}/`;
      cleanups.push(() => store.deletePrefix(prefix));
      return { store, prefix, at: (key) => prefix + key };
    }

    async function expectNothingAt(store: ObjectStore, prefix: string, key: string): Promise<void> {
      expect(await store.stat(key)).toBeUndefined();
      expect(await store.list(prefix)).toEqual([]);
      if (harness.openUploads) expect(await harness.openUploads(prefix)).toBe(0);
    }

    it('round-trips a Buffer with its content type and metadata', async () => {
      const { store, at } = await fresh();
      const body = Buffer.from('a small original, not really a jpeg');
      expect(await store.put(at('photo.jpg'), body, jpeg)).toEqual({ bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') });
      expect(await store.stat(at('photo.jpg'))).toEqual({ key: at('photo.jpg'), bytes: body.length, ...jpeg });
      expect(await bytesOf(await store.get(at('photo.jpg')))).toEqual(body);
    });

    it('round-trips a stream of a few MiB generated on the fly', async () => {
      const { store, at } = await fresh();
      const body = generatedBody(11 * MiB + 123);
      const put = await store.put(at('big.bin'), body.stream, { contentType: 'application/octet-stream', metadata: { n: '1' } });
      expect(put).toEqual({ bytes: 11 * MiB + 123, sha256: body.sha256() });
      expect(await store.stat(at('big.bin'))).toMatchObject({ bytes: 11 * MiB + 123, contentType: 'application/octet-stream', metadata: { n: '1' } });
      expect(await digestOf(await store.get(at('big.bin')))).toEqual({ sha256: body.sha256(), bytes: 11 * MiB + 123 });
    });

    it('answers the SHA-256 of a small streamed body, the one a single PUT goes by', async () => {
      const { store, at } = await fresh();
      const body = generatedBody(300 * 1024 + 7);
      expect(await store.put(at('small.bin'), body.stream, jpeg)).toEqual({ bytes: 300 * 1024 + 7, sha256: body.sha256() });
      expect(await digestOf(await store.get(at('small.bin')))).toEqual({ sha256: body.sha256(), bytes: 300 * 1024 + 7 });
    });

    it('stores an empty object', async () => {
      const { store, at } = await fresh();
      expect(await store.put(at('empty'), Buffer.alloc(0), { contentType: 'text/plain' })).toEqual({ bytes: 0, sha256: createHash('sha256').digest('hex') });
      expect(await store.stat(at('empty'))).toEqual({ key: at('empty'), bytes: 0, contentType: 'text/plain', metadata: {} });
      expect(await bytesOf(await store.get(at('empty')))).toEqual(Buffer.alloc(0));
    });

    it('leaves nothing when the body errors early, and rejects with that error', async () => {
      const { store, at, prefix } = await fresh();
      const limitHit = new Error('byte limit reached');
      const body = generatedBody(MiB, { failAfter: 100 * 1024, failWith: limitHit });
      await expect(store.put(at('early.jpg'), body.stream, jpeg)).rejects.toBe(limitHit);
      await expectNothingAt(store, prefix, at('early.jpg'));
    });

    it('leaves nothing, not even an open upload, when the body errors after several MiB', async () => {
      const { store, at, prefix } = await fresh();
      const limitHit = new Error('byte limit reached');
      const body = generatedBody(40 * MiB, { failAfter: 12 * MiB + 5, failWith: limitHit });
      await expect(store.put(at('late.jpg'), body.stream, jpeg)).rejects.toBe(limitHit);
      await expectNothingAt(store, prefix, at('late.jpg'));
    });

    it('rejects get of a missing key with ObjectNotFound, and stat says undefined', async () => {
      const { store, at } = await fresh();
      const error = await store.get(at('missing')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ObjectNotFound);
      expect(error).toMatchObject({ key: at('missing') });
      expect(await store.stat(at('missing'))).toBeUndefined();
    });

    it('replaces an object on a second put', async () => {
      const { store, at } = await fresh();
      await store.put(at('k'), Buffer.from('first'), { contentType: 'text/plain', metadata: { v: '1' } });
      await store.put(at('k'), Buffer.from('second!'), { contentType: 'text/markdown', metadata: { w: '2' } });
      expect(await store.stat(at('k'))).toEqual({ key: at('k'), bytes: 7, contentType: 'text/markdown', metadata: { w: '2' } });
      expect((await bytesOf(await store.get(at('k')))).toString()).toBe('second!');
    });

    it('keeps a key and keys beneath it apart', async () => {
      const { store, at } = await fresh();
      await store.put(at('n'), Buffer.from('parent'), { contentType: 'text/plain' });
      await store.put(at('n/child'), Buffer.from('child'), { contentType: 'text/plain' });
      await store.delete(at('n'));
      expect(await store.stat(at('n'))).toBeUndefined();
      expect((await bytesOf(await store.get(at('n/child')))).toString()).toBe('child');
    });

    it('deletes idempotently', async () => {
      const { store, at, prefix } = await fresh();
      await store.put(at('gone.jpg'), Buffer.from('x'), jpeg);
      await store.delete(at('gone.jpg'));
      await store.delete(at('gone.jpg'));
      await store.delete(at('never-was.jpg'));
      expect(await store.stat(at('gone.jpg'))).toBeUndefined();
      expect(await store.list(prefix)).toEqual([]);
    });

    it('deletes many keys at once, missing ones included, and only those', async () => {
      const { store, at, prefix } = await fresh();
      for (const key of ['m/1', 'm/2', 'm/3', 'm/kept']) await store.put(at(key), Buffer.from(key), { contentType: 'text/plain' });
      await store.deleteMany([at('m/1'), at('m/3'), at('m/never-was')]);
      expect(await store.list(prefix)).toEqual([at('m/2'), at('m/kept')]);
      await store.deleteMany([at('m/2')]);
      await store.deleteMany([]);
      expect(await store.list(prefix)).toEqual([at('m/kept')]);
      // One bad key refuses the whole call before anything is removed.
      await expect(store.deleteMany([at('m/kept'), '../escape'])).rejects.toBeInstanceOf(InvalidObjectKey);
      expect(await store.list(prefix)).toEqual([at('m/kept')]);
    });

    it('deletes a prefix and only that prefix', async () => {
      const { store, at } = await fresh();
      for (const key of ['d/a/1', 'd/a/2', 'd/a/x/3', 'd/ab', 'd/b/1']) await store.put(at(key), Buffer.from(key), { contentType: 'text/plain' });
      expect(await store.deletePrefix(at('d/a/'))).toBe(3);
      expect(await store.list(at('d/'))).toEqual([at('d/ab'), at('d/b/1')]);
      expect(await store.deletePrefix(at('nothing/'))).toBe(0);
      await expect(store.deletePrefix('')).rejects.toBeInstanceOf(InvalidObjectKey);
    });

    it('lists keys under a prefix in byte order, never its own bookkeeping', async () => {
      const { store, at } = await fresh();
      for (const key of ['p/c', 'p/a/2', 'p/b-x', 'p/a', 'p/a/1', 'p/a.z', 'q/z']) await store.put(at(key), Buffer.from(key), { contentType: 'text/plain' });
      expect(await store.list(at('p/'))).toEqual(['p/a', 'p/a.z', 'p/a/1', 'p/a/2', 'p/b-x', 'p/c'].map(at));
      expect(await store.list(at('p/a'))).toEqual(['p/a', 'p/a.z', 'p/a/1', 'p/a/2'].map(at));
      expect(await store.list(at('p/a/'))).toEqual(['p/a/1', 'p/a/2'].map(at));
      expect(await store.list(at('none/'))).toEqual([]);
    });

    it('lists at most `limit` keys, the first ones', async () => {
      const { store, at } = await fresh();
      for (const key of ['l/3', 'l/1', 'l/2', 'l/10']) await store.put(at(key), Buffer.from(key), { contentType: 'text/plain' });
      expect(await store.list(at('l/'), 2)).toEqual([at('l/1'), at('l/10')]);
      expect(await store.list(at('l/'), 10)).toEqual(['l/1', 'l/10', 'l/2', 'l/3'].map(at));
      await expect(store.list(at('l/'), 0)).rejects.toBeInstanceOf(RangeError);
    });

    it('creates an absent key with putIfAbsent, readable at once with its labels', async () => {
      const { store, at } = await fresh();
      const body = Buffer.from('{"claim":"first"}');
      expect(await store.putIfAbsent(at('claims/a'), body, { contentType: 'application/json', metadata: { 'photo-id': 'p-1' } })).toBe(true);
      expect(await bytesOf(await store.get(at('claims/a')))).toEqual(body);
      expect(await store.stat(at('claims/a'))).toEqual({
        key: at('claims/a'),
        bytes: body.length,
        contentType: 'application/json',
        metadata: { 'photo-id': 'p-1' },
      });
    });

    it('never replaces an existing object with putIfAbsent, whoever wrote it', async () => {
      const { store, at } = await fresh();
      await store.put(at('taken'), Buffer.from('by put'), { contentType: 'text/plain', metadata: { v: '1' } });
      expect(await store.putIfAbsent(at('taken'), Buffer.from('by putIfAbsent'), { contentType: 'application/json' })).toBe(false);
      expect((await bytesOf(await store.get(at('taken')))).toString()).toBe('by put');
      expect(await store.stat(at('taken'))).toMatchObject({ contentType: 'text/plain', metadata: { v: '1' } });
      expect(await store.putIfAbsent(at('once'), Buffer.from('first'), { contentType: 'text/plain' })).toBe(true);
      expect(await store.putIfAbsent(at('once'), Buffer.from('second'), { contentType: 'text/plain' })).toBe(false);
      expect((await bytesOf(await store.get(at('once')))).toString()).toBe('first');
      await store.delete(at('once'));
      expect(await store.putIfAbsent(at('once'), Buffer.from('after delete'), { contentType: 'text/plain' })).toBe(true);
    });

    it('lets exactly one of 20 concurrent putIfAbsent calls on one key win, and keeps the winner whole', async () => {
      const { store, at } = await fresh();
      const bodies = Array.from({ length: 20 }, (_, i) => Buffer.from(`candidate ${i} `.repeat(200 + i)));
      const results = await Promise.all(bodies.map((body) => store.putIfAbsent(at('race'), body, { contentType: 'text/plain' })));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await bytesOf(await store.get(at('race')))).toEqual(bodies[results.indexOf(true)]);
    });

    it('refuses bad keys and prefixes before any I/O', async () => {
      const { store } = await fresh();
      const badKeys = [
        '../x',
        '/abs',
        'a b',
        'a/../b',
        '..',
        'a/..',
        '',
        'a//b',
        'a/',
        './a',
        'a/./b',
        'é',
        'a\\b',
        'a%2F..',
        '~tmp/x',
        'x~object',
        'a\0b',
        'a?b',
      ];
      for (const key of badKeys) {
        await expect(store.put(key, Buffer.from('x'), jpeg), key).rejects.toBeInstanceOf(InvalidObjectKey);
        await expect(store.get(key), key).rejects.toBeInstanceOf(InvalidObjectKey);
        await expect(store.stat(key), key).rejects.toBeInstanceOf(InvalidObjectKey);
        await expect(store.delete(key), key).rejects.toBeInstanceOf(InvalidObjectKey);
        await expect(store.putIfAbsent(key, Buffer.from('x'), jpeg), key).rejects.toBeInstanceOf(InvalidObjectKey);
        await expect(store.signedUrl(key, 60), key).rejects.toBeInstanceOf(InvalidObjectKey);
      }
      for (const prefix of ['../', '/abs', 'a b', 'a/../', 'a//']) {
        await expect(store.list(prefix), prefix).rejects.toBeInstanceOf(InvalidObjectKey);
        await expect(store.deletePrefix(prefix), prefix).rejects.toBeInstanceOf(InvalidObjectKey);
      }
    });

    it('refuses a content type or metadata that would not round-trip', async () => {
      const { store, at, prefix } = await fresh();
      const bad: PutOptions[] = [
        { contentType: '' },
        { contentType: 'image/jpeg\r\nx: y' },
        { contentType: 'image/jpeg', metadata: { 'Camera-Model': 'x' } },
        { contentType: 'image/jpeg', metadata: { 'content-type': 'text/html' } },
        { contentType: 'image/jpeg', metadata: { 'x-amz-acl': 'public-read' } },
        { contentType: 'image/jpeg', metadata: { title: 'café' } },
        { contentType: 'image/jpeg', metadata: { title: ' padded ' } },
        { contentType: 'image/jpeg', metadata: { big: 'x'.repeat(3000) } },
      ];
      for (const options of bad) {
        await expect(store.put(at('x'), Buffer.from('x'), options), JSON.stringify(options)).rejects.toBeInstanceOf(InvalidPutOptions);
        await expect(store.putIfAbsent(at('x'), Buffer.from('x'), options), JSON.stringify(options)).rejects.toBeInstanceOf(InvalidPutOptions);
      }
      expect(await store.list(prefix)).toEqual([]);
    });

    it('signs URLs that load the exact bytes, when it can sign', async () => {
      const { store, at } = await fresh();
      const body = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg">${randomUUID()}</svg>`);
      await store.put(at('img/thumb.svg'), body, { contentType: 'image/svg+xml' });
      const url = await store.signedUrl(at('img/thumb.svg'), 60);
      if (url === undefined) return;
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/svg+xml');
      expect(Buffer.from(await response.arrayBuffer())).toEqual(body);
    });

    it('streams 100 MiB with memory growth far below the size', async () => {
      const { store, at } = await fresh();
      const size = 100 * MiB;
      const before = process.memoryUsage.rss();
      let peak = before;
      const sample = () => void (peak = Math.max(peak, process.memoryUsage.rss()));
      const sampler = setInterval(sample, 10);
      const body = generatedBody(size, { onChunk: sample });
      try {
        expect(await store.put(at('huge.bin'), body.stream, { contentType: 'application/octet-stream' })).toEqual({ bytes: size, sha256: body.sha256() });
      } finally {
        clearInterval(sampler);
      }
      sample();
      expect(peak - before).toBeLessThan(80 * MiB);
      expect(await store.stat(at('huge.bin'))).toMatchObject({ bytes: size });
    });

    it('ensures its bucket idempotently and reports healthy', async () => {
      const { store, at } = await fresh();
      await store.put(at('kept'), Buffer.from('kept'), { contentType: 'text/plain' });
      await Promise.all([store.ensureBucket(), store.ensureBucket()]);
      await store.ensureBucket();
      expect(await store.isHealthy()).toBe(true);
      expect((await bytesOf(await store.get(at('kept')))).toString()).toBe('kept');
    });
  });
}
