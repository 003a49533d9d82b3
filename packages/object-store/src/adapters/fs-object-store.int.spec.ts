import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { describeObjectStoreConformance } from '../conformance/conformance-suite.js';
import { generatedBody } from '../conformance/generated-body.js';
import { InvalidObjectKey } from '../object-key.js';
import { createFsObjectStore } from './fs-object-store.js';

const sandbox = await mkdtemp(path.join(tmpdir(), 'fs-object-store-'));
const root = path.join(sandbox, 'bucket');
afterAll(() => rm(sandbox, { recursive: true, force: true }));

describeObjectStoreConformance('filesystem', { create: async () => createFsObjectStore({ root }) });

/** Every file under `dir`, relative, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe('filesystem object store', () => {
  it('never touches anything outside its root, whatever the key', async () => {
    const jail = await mkdtemp(path.join(sandbox, 'jail-'));
    const store = createFsObjectStore({ root: path.join(jail, 'root') });
    await store.ensureBucket();
    await mkdir(path.join(jail, 'outside'));
    await writeFile(path.join(jail, 'outside', 'secret~object'), 'secret');
    const escapes = [
      '../outside/secret',
      '../../etc/passwd',
      '/etc/passwd',
      'a/../../outside/secret',
      '..',
      '..\\outside\\secret',
      'a/%2e%2e/x',
      '~tmp/../../outside/secret',
      'a\0/../x',
    ];
    for (const key of escapes) {
      await expect(store.put(key, Buffer.from('pwned'), { contentType: 'text/plain' }), key).rejects.toBeInstanceOf(InvalidObjectKey);
      await expect(store.get(key), key).rejects.toBeInstanceOf(InvalidObjectKey);
      await expect(store.putIfAbsent(key, Buffer.from('pwned'), { contentType: 'text/plain' }), key).rejects.toBeInstanceOf(InvalidObjectKey);
      await expect(store.delete(key), key).rejects.toBeInstanceOf(InvalidObjectKey);
      await expect(store.deletePrefix(key), key).rejects.toBeInstanceOf(InvalidObjectKey);
      await expect(store.list(key), key).rejects.toBeInstanceOf(InvalidObjectKey);
    }
    expect(await filesUnder(jail)).toEqual([path.join('outside', 'secret~object')]);
    expect(await readFile(path.join(jail, 'outside', 'secret~object'), 'utf8')).toBe('secret');
  });

  it('keeps bytes beside a JSON sidecar, and nothing in the temp directory once written', async () => {
    const base = await mkdtemp(path.join(sandbox, 'layout-'));
    const store = createFsObjectStore({ root: base });
    await store.ensureBucket();
    await store.put('variants/p1/thumb.webp', Buffer.from('webp'), { contentType: 'image/webp', metadata: { width: '250' } });
    const stored = path.join(base, 'variants', 'p1', 'thumb.webp');
    expect(await filesUnder(base)).toEqual([path.relative(base, `${stored}~meta.json`), path.relative(base, `${stored}~object`)]);
    expect(await readFile(`${stored}~object`, 'utf8')).toBe('webp');
    expect(JSON.parse(await readFile(`${stored}~meta.json`, 'utf8'))).toEqual({ contentType: 'image/webp', metadata: { width: '250' } });
  });

  it('shows readers nothing of an object still being written, then all of it', async () => {
    const store = createFsObjectStore({ root });
    await store.ensureBucket();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const body = generatedBody(2 * 1024 * 1024);
    const slow = async function* () {
      let sent = 0;
      for await (const chunk of body.stream) {
        yield chunk as Buffer;
        sent += (chunk as Buffer).length;
        if (sent >= 1024 * 1024) await gate;
      }
    };
    const put = store.put('atomic/half.bin', Readable.from(slow()), { contentType: 'application/octet-stream' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await store.stat('atomic/half.bin')).toBeUndefined();
    expect(await store.list('atomic/')).toEqual([]);
    release();
    expect(await put).toEqual({ bytes: 2 * 1024 * 1024, sha256: body.sha256() });
    expect(await store.stat('atomic/half.bin')).toMatchObject({ bytes: 2 * 1024 * 1024 });
    await store.deletePrefix('atomic/');
  });

  it('sweeps temp files left by a process that died mid-write, once they are stale', async () => {
    const base = await mkdtemp(path.join(sandbox, 'sweep-'));
    const store = createFsObjectStore({ root: base });
    await store.ensureBucket();
    await writeFile(path.join(base, '~tmp', 'stale'), 'half');
    await writeFile(path.join(base, '~tmp', 'fresh'), 'half');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(path.join(base, '~tmp', 'stale'), twoHoursAgo, twoHoursAgo);
    await store.ensureBucket();
    expect(await readdir(path.join(base, '~tmp'))).toEqual(['fresh']);
  });

  it('prunes the directories a delete leaves empty', async () => {
    const base = await mkdtemp(path.join(sandbox, 'prune-'));
    const store = createFsObjectStore({ root: base });
    await store.ensureBucket();
    await store.put('variants/p1/thumb.webp', Buffer.from('a'), { contentType: 'image/webp' });
    await store.put('variants/p2/thumb.webp', Buffer.from('b'), { contentType: 'image/webp' });
    expect(await store.deletePrefix('variants/p1/')).toBe(1);
    expect((await readdir(path.join(base, 'variants'))).sort()).toEqual(['p2']);
    await store.delete('variants/p2/thumb.webp');
    expect((await readdir(base)).sort()).toEqual(['~tmp']);
  });
});
