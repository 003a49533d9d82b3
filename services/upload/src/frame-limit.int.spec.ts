/**
 * MAX_FRAMES through the upload route, on files made by real encoders (test-support/animations.ts): a file
 * of too many frames is a 422 problem, whether the header check counts them in the first bytes or the
 * meter counts them while the file streams into the store; nothing stays in the bucket and no
 * `photo.uploaded` is published.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { photoCatalogue, type PhotoUploaded } from '@photos/contracts';
import { createMemoryBus, MemoryBroker, type EventBus } from '@photos/event-bus';
import { createFsObjectStore, type ObjectStore } from '@photos/object-store';
import { buildService, createTokenSigner, loadConfig, type ServiceApp } from '@photos/service-kit';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uploadConfigSchema } from './config.js';
import { uploadService } from './service.js';
import { animations } from './test-support/animations.js';

const env = {
  JWT_SECRET: 'upload-test-secret-0123456789-0123456789',
  LOG_LEVEL: 'silent',
  MAX_UPLOAD_BYTES: String(8 * 1024 * 1024),
  OUTBOX_INTERVAL_MS: '100',
};
const sign = createTokenSigner({ secret: env.JWT_SECRET, issuer: 'photo-platform', audience: 'photo-platform', expiresInSeconds: 300 });
const made = animations();
afterAll(() => made.close());
const GIF_10000 = made.gif(10_000);
/** About 40 KB a frame: the first bytes the header check sees hold a few frames, the rest stream after. */
const NOISY_GIF_60 = made.gif(60, { size: 200, noisy: true });

describe('the frame limit at upload', () => {
  let dir: string;
  let originals: ObjectStore;
  let bus: EventBus;
  let app: ServiceApp;
  let url: string;
  const published: PhotoUploaded[] = [];

  async function start(extra: Record<string, string> = {}) {
    app = await buildService(uploadService, { config: loadConfig(uploadConfigSchema, { ...env, ...extra }), adapters: { originals }, bus });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upload-frames-'));
    originals = createFsObjectStore({ root: dir });
    await originals.ensureBucket();
    bus = createMemoryBus({ broker: new MemoryBroker(), catalogue: photoCatalogue });
    published.length = 0;
    await bus.subscribe({ group: 'test', handlers: { 'photo.uploaded': async (event) => void published.push(event) } });
  });

  afterEach(async () => {
    await app?.close();
    await bus.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function upload(files: { name: string; bytes: Buffer; type: string }[]) {
    const form = new FormData();
    for (const file of files) form.append('file', new Blob([file.bytes], { type: file.type }), file.name);
    return fetch(`${url}/photos`, { method: 'POST', body: form, headers: { authorization: `Bearer ${sign({ sub: 'alice' })}` } });
  }

  const storedKeys = async () => [...(await originals.list('originals/')), ...(await originals.list('records/')), ...(await originals.list('outbox/'))];

  async function expectRefused(response: Response, detail: RegExp) {
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ type: 'about:blank', title: 'Unprocessable Entity', status: 422, code: 'too-many-frames' });
    expect(problem['detail']).toMatch(detail);
    expect(await storedKeys()).toEqual([]);
    // The outbox would have published within OUTBOX_INTERVAL_MS; nothing was there to publish.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(published).toEqual([]);
  }

  it('refuses a 10,000-frame GIF by default (MAX_FRAMES 1000), with the photo before it, and keeps nothing', async () => {
    await start();
    const still = made.gif(1, { size: 16 });
    const response = await upload([
      { name: 'sticker.gif', bytes: still, type: 'image/gif' },
      { name: 'bomb.gif', bytes: GIF_10000, type: 'image/gif' },
    ]);
    await expectRefused(response, /^bomb\.gif has \d+ frames or more; the limit is 1000 frames\.$/);
  });

  it('refuses a GIF whose frames pass the limit only while it streams into the store, and keeps nothing', async () => {
    await start({ MAX_FRAMES: '50' });
    await expectRefused(
      await upload([{ name: 'noise.gif', bytes: NOISY_GIF_60, type: 'image/gif' }]),
      /^noise\.gif has \d+ frames or more; the limit is 50 frames\.$/,
    );
  });

  it('takes the same GIF when the limit allows its frames', async () => {
    await start({ MAX_FRAMES: '60' });
    const response = await upload([{ name: 'noise.gif', bytes: NOISY_GIF_60, type: 'image/gif' }]);
    expect(response.status).toBe(202);
    await expect.poll(() => published.length).toBe(1);
    expect(published[0]!.data).toMatchObject({ contentType: 'image/gif', bytes: NOISY_GIF_60.length });
  });

  it('refuses an APNG, an animated WebP and a HEIC of more images than MAX_FRAMES', async () => {
    await start({ MAX_FRAMES: '10' });
    for (const [name, bytes, type] of [
      ['loop.png', made.apng(11), 'image/png'],
      ['loop.webp', made.webp(11), 'image/webp'],
      ['burst.heic', made.heic(11), 'image/heic'],
    ] as const) {
      await expectRefused(await upload([{ name, bytes, type }]), new RegExp(`^${name.replace('.', '\\.')} has 11 frames or more; the limit is 10 frames\\.$`));
    }
  });
});
