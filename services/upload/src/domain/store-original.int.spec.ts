/**
 * The order an upload's writes become durable in: its outbox entry before its original, although both
 * are sent at once. A crash between the two would otherwise leave an original that no entry leads the
 * sweep to.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { createFsObjectStore, type ObjectStore } from '@photos/object-store';
import { afterAll, describe, expect, it } from 'vitest';
import { originalsBucket } from '../adapters/originals-bucket.js';
import { tinyPng } from '../test-support/upload-harness.js';
import { stageOriginal } from './store-original.js';

const sandbox = await mkdtemp(path.join(tmpdir(), 'store-original-'));
afterAll(() => rm(sandbox, { recursive: true, force: true }));

describe('staging an original', () => {
  it('makes the original durable only after the outbox entry, even when the entry is slower', async () => {
    const inner = createFsObjectStore({ root: path.join(sandbox, randomUUID()) });
    await inner.ensureBucket();
    const durable: string[] = [];
    let releaseEntry!: () => void;
    const entryHeld = new Promise<void>((resolve) => (releaseEntry = resolve));
    let originalRead!: () => void;
    const originalFullyRead = new Promise<void>((resolve) => (originalRead = resolve));
    const file = tinyPng('ordered');
    const store: ObjectStore = {
      ...inner,
      async put(key, body, options) {
        if (key.startsWith('outbox/')) await entryHeld;
        let source = body;
        if (key.startsWith('originals/') && body instanceof Readable) {
          let bytes = 0;
          const counting = new Transform({
            transform(chunk: Buffer, _encoding, callback) {
              bytes += chunk.length;
              if (bytes === file.bytes.length) originalRead();
              callback(null, chunk);
            },
          });
          body.on('error', (error) => counting.destroy(error));
          source = body.pipe(counting);
        }
        const result = await inner.put(key, source, options);
        durable.push(key.split('/')[0]!);
        return result;
      },
    };
    const staging = stageOriginal(
      { stream: Readable.from([file.bytes]), filename: file.name },
      'owner-1',
      { source: '/test' },
      {
        storage: originalsBucket(store),
        limits: { maxBytes: 1024 * 1024, maxPixels: 1e8, maxFrames: 1000, maxHeaderBytes: 64 * 1024 },
        newId: randomUUID,
        now: () => new Date(),
      },
    );
    await originalFullyRead;
    // Every byte of the original was handed over: an upload that did not wait for its entry lands now.
    await new Promise((resolve) => setTimeout(resolve, 100));
    releaseEntry();
    const staged = await staging;
    expect(staged.claimed).toBe(true);
    expect(durable).toEqual(['outbox', 'originals']);
  });
});
