/** The small pieces an upload streams through and runs on: the byte meter, the gate that ends after a write, the periodic task. */
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ByteLimitExceeded, ByteMeter } from './byte-meter.js';
import { endingAfter } from './ending-after.js';
import { startPeriodicTask } from './periodic-task.js';

const collect = () => {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { sink, bytes: () => Buffer.concat(chunks) };
};

describe('ByteMeter', () => {
  it('passes up to its limit through and counts it', async () => {
    const meter = new ByteMeter(6);
    const { sink, bytes } = collect();
    await pipeline(Readable.from([Buffer.from('abc'), Buffer.from('def')]), meter, sink);
    expect(bytes().toString()).toBe('abcdef');
    expect(meter.bytes).toBe(6);
  });

  it('fails the stream with ByteLimitExceeded at the first byte over the limit', async () => {
    const meter = new ByteMeter(5);
    const { sink, bytes } = collect();
    const error = await pipeline(Readable.from([Buffer.from('abc'), Buffer.from('def'), Buffer.from('ghi')]), meter, sink).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ByteLimitExceeded);
    expect(error).toMatchObject({ name: 'ByteLimitExceeded', maxBytes: 5, message: expect.stringContaining('5') });
    expect(bytes().toString()).toBe('abc');
  });
});

describe('endingAfter', () => {
  it('passes the bytes at once but ends only once the write before it has landed', async () => {
    let land!: () => void;
    const before = new Promise<void>((resolve) => (land = resolve));
    const { sink, bytes } = collect();
    let ended = false;
    const done = pipeline(Readable.from([Buffer.from('photo')]), endingAfter(before), sink).then(() => (ended = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect([bytes().toString(), ended]).toEqual(['photo', false]);
    land();
    await done;
    expect(ended).toBe(true);
  });

  it('fails with the error of the write before it', async () => {
    const failure = new Error('entry not written');
    const before = Promise.reject(failure);
    const { sink } = collect();
    await expect(pipeline(Readable.from([Buffer.from('photo')]), endingAfter(before), sink)).rejects.toBe(failure);
  });
});

describe('startPeriodicTask', () => {
  it('runs at once, then every interval, never two runs at once, and stop() waits for the run under way', async () => {
    let runs = 0;
    let running = 0;
    let overlapped = false;
    const task = startPeriodicTask(
      async () => {
        runs++;
        overlapped ||= ++running > 1;
        await new Promise((resolve) => setTimeout(resolve, 30));
        running--;
      },
      5,
      () => undefined,
    );
    expect(runs).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await task.stop();
    const after = runs;
    expect(running).toBe(0);
    expect(after).toBeGreaterThan(1);
    expect(overlapped).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runs).toBe(after);
  });

  it('reports a failed run and tries again on the next tick', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const task = startPeriodicTask(
      async () => {
        if (++runs === 1) throw new Error('first run fails');
      },
      5,
      (error) => errors.push(error),
    );
    await expect.poll(() => runs).toBeGreaterThan(1);
    await task.stop();
    expect(errors).toEqual([new Error('first run fails')]);
  });
});
