import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { photoCatalogue, type PhotoUploaded } from '@photos/contracts';
import { createMemoryBus, MemoryBroker, type EventBus } from '@photos/event-bus';
import { createFsObjectStore, type ObjectStore } from '@photos/object-store';
import { buildService, createTokenSigner, loadConfig, type ServiceApp } from '@photos/service-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatCorpus } from '../../../test/formats/format-corpus.js';
import { uploadConfigSchema } from './config.js';
import { uploadService } from './service.js';
import { pngDeclaring, svgWithScript, textFile, truncated } from './test-support/bad-inputs.js';
import { samplePhotos } from './test-support/sample-photos.js';

const env = {
  JWT_SECRET: 'upload-test-secret-0123456789-0123456789',
  LOG_LEVEL: 'silent',
  MAX_UPLOAD_BYTES: String(4 * 1024 * 1024),
  OUTBOX_INTERVAL_MS: '100',
};
const sign = createTokenSigner({ secret: env.JWT_SECRET, issuer: 'photo-platform', audience: 'photo-platform', expiresInSeconds: 300 });
const [small, other] = samplePhotos(/^(Garden|LadyBird)\.jpg$/);
const corpus = formatCorpus();

describe('upload service', () => {
  let dir: string;
  let originals: ObjectStore;
  let broker: MemoryBroker;
  let bus: EventBus;
  let app: ServiceApp;
  let url: string;
  const published: PhotoUploaded[] = [];

  async function start(busOverride?: EventBus) {
    app = await buildService(uploadService, { config: loadConfig(uploadConfigSchema, env), adapters: { originals }, bus: busOverride ?? bus });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upload-'));
    originals = createFsObjectStore({ root: dir });
    await originals.ensureBucket();
    broker = new MemoryBroker();
    bus = createMemoryBus({ broker, catalogue: photoCatalogue });
    published.length = 0;
    await bus.subscribe({ group: 'test', handlers: { 'photo.uploaded': async (e) => void published.push(e) } });
  });

  afterEach(async () => {
    await app?.close();
    await bus.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function upload(files: { name: string; bytes: Buffer; type?: string }[], token: string | null = sign({ sub: 'alice' })) {
    const form = new FormData();
    for (const file of files) form.append('file', new Blob([file.bytes], { type: file.type ?? 'image/jpeg' }), file.name);
    return fetch(`${url}/photos`, { method: 'POST', body: form, headers: token ? { authorization: `Bearer ${token}` } : {} });
  }

  const storedKeys = async () => [...(await originals.list('originals/')), ...(await originals.list('records/')), ...(await originals.list('outbox/'))];

  it('streams a photo into the bucket and publishes photo.uploaded with its checksum and header size', async () => {
    await start();
    const bytes = readFileSync(small!);
    const response = await upload([{ name: '../../etc/passwd.jpg', bytes, type: 'text/plain' }]);
    expect(response.status).toBe(202);
    const { photos } = (await response.json()) as { photos: any[] };
    expect(photos).toHaveLength(1);
    const photo = photos[0];
    expect(photo).toMatchObject({ status: 'processing', filename: 'passwd.jpg', contentType: 'image/jpeg', bytes: bytes.length, duplicate: false });
    expect(photo.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(await originals.stat(`originals/${photo.id}`)).toMatchObject({ bytes: bytes.length });
    await expect.poll(() => published.length).toBe(1);
    expect(published[0]!.data).toMatchObject({ photoId: photo.id, ownerId: 'alice', sha256: photo.sha256, width: photo.width, height: photo.height });
    expect(published[0]!.correlationid).toBe(response.headers.get('x-correlation-id'));
    await expect.poll(() => originals.list('outbox/')).toEqual([]);
  });

  it('takes several files in one request and dedupes the same bytes from the same owner', async () => {
    await start();
    const first = await upload([
      { name: 'a.jpg', bytes: readFileSync(small!) },
      { name: 'b.jpg', bytes: readFileSync(other!) },
    ]);
    expect(first.status).toBe(202);
    const again = await upload([{ name: 'a-again.jpg', bytes: readFileSync(small!) }]);
    const [a] = ((await first.json()) as { photos: any[] }).photos;
    const [repeat] = ((await again.json()) as { photos: any[] }).photos;
    expect(repeat).toMatchObject({ id: a.id, duplicate: true });
    expect(await originals.list('originals/')).toHaveLength(2);
    const forBob = await upload([{ name: 'a.jpg', bytes: readFileSync(small!) }], sign({ sub: 'bob' }));
    expect(((await forBob.json()) as { photos: any[] }).photos[0].id).not.toBe(a.id);
  });

  it.each([
    ['an empty file', { name: 'empty.jpg', bytes: Buffer.alloc(0) }, 400, /empty/],
    ['text named .jpg', { name: 'notes.jpg', bytes: textFile }, 415, /not an image/],
    ['an SVG with a script', { name: 'logo.svg', bytes: svgWithScript, type: 'image/svg+xml' }, 415, /SVG/],
    ['a PNG declaring 30000x30000', { name: 'bomb.png', bytes: pngDeclaring(30000, 30000), type: 'image/png' }, 422, /30000x30000/],
    ['a file over the byte limit', { name: 'big.jpg', bytes: Buffer.concat([readFileSync(small!), Buffer.alloc(5 * 1024 * 1024)]) }, 413, /larger than/],
  ])('refuses %s with a clear problem and keeps nothing', async (_what, file, status, detail) => {
    await start();
    const response = await upload([{ name: 'good.jpg', bytes: readFileSync(other!) }, file]);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = (await response.json()) as { status: number; detail: string };
    expect(problem.status).toBe(status);
    expect(problem.detail).toMatch(detail);
    expect(JSON.stringify(problem)).not.toMatch(/at .*\.ts:\d+/);
    expect(await storedKeys()).toEqual([]);
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    expect(published).toEqual([]);
  });

  it('accepts a truncated JPEG (only decoding can tell; the processor reports it)', async () => {
    await start();
    const response = await upload([{ name: 'cut.jpg', bytes: truncated(small!) }]);
    expect(response.status).toBe(202);
  });

  it('stores an iPhone-style HEIC and an AVIF as uploaded, with their true content types', async () => {
    const [heic, avif] = [corpus.entry('heic-iphone-orientation-6.heic'), corpus.entry('image.avif')];
    await start();
    const files = [
      { name: 'IMG_0001.HEIC', bytes: readFileSync(corpus.path(heic.file)), type: 'application/octet-stream' },
      { name: 'photo.avif', bytes: readFileSync(corpus.path(avif.file)), type: 'image/avif' },
    ];
    const response = await upload(files);
    expect(response.status).toBe(202);
    const { photos } = (await response.json()) as { photos: any[] };
    expect(photos.map((photo) => [photo.contentType, photo.width, photo.height])).toEqual([
      ['image/heic', heic.stored.width, heic.stored.height],
      ['image/avif', avif.stored.width, avif.stored.height],
    ]);
    for (const [index, photo] of photos.entries()) {
      expect(await originals.stat(`originals/${photo.id}`)).toMatchObject({ contentType: photo.contentType, bytes: files[index]!.bytes.length });
      const stored = Buffer.concat(await (await originals.get(`originals/${photo.id}`)).toArray());
      expect(stored.equals(files[index]!.bytes)).toBe(true);
    }
    await expect.poll(() => published.map((event) => event.data.contentType).sort()).toEqual(['image/avif', 'image/heic']);
  });

  it('refuses requests without a token, without multipart, or without a file part', async () => {
    await start();
    expect((await upload([{ name: 'a.jpg', bytes: readFileSync(small!) }], null)).status).toBe(401);
    const json = await fetch(`${url}/photos`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${sign({ sub: 'alice' })}` },
    });
    expect(json.status).toBe(415);
    const form = new FormData();
    form.append('title', 'no file here');
    const empty = await fetch(`${url}/photos`, { method: 'POST', body: form, headers: { authorization: `Bearer ${sign({ sub: 'alice' })}` } });
    expect(empty.status).toBe(400);
    expect(await storedKeys()).toEqual([]);
  });

  it('keeps answered uploads in the outbox while the bus is down, and publishes them after a restart', async () => {
    const down: EventBus = { ...bus, publish: async () => Promise.reject(new Error('broker unreachable')) };
    await start(down);
    const response = await upload([{ name: 'a.jpg', bytes: readFileSync(small!) }]);
    expect(response.status).toBe(202);
    const [photo] = ((await response.json()) as { photos: any[] }).photos;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await originals.list('outbox/')).toHaveLength(1);
    expect(published).toEqual([]);
    await app.close();
    await start();
    await expect.poll(() => published.map((e) => e.data.photoId)).toEqual([photo.id]);
    await expect.poll(() => originals.list('outbox/')).toEqual([]);
  });

  it('removes the original on photo.deleted', async () => {
    await start();
    const response = await upload([{ name: 'a.jpg', bytes: readFileSync(small!) }]);
    const [photo] = ((await response.json()) as { photos: any[] }).photos;
    await bus.publish(
      photoCatalogue.create(
        'photo.deleted',
        photo.id,
        { photoId: photo.id, ownerId: 'alice', deletedAt: new Date().toISOString() },
        { source: '/test', id: randomUUID() },
      ),
    );
    await expect.poll(() => storedKeys()).toEqual([]);
  });
});
