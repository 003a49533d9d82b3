import { describe, expect, it } from 'vitest';
import { createCpuSlots } from './cpu-slots.js';

/** A promise settled from outside. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ([resolve, reject] = [res, rej]));
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('createCpuSlots', () => {
  it('runs at most `slots` works at once, the others in arrival order as slots free up', async () => {
    const run = createCpuSlots(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const results = gates.map((gate, index) =>
      run(async () => {
        started.push(index);
        await gate.promise;
        return index;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    gates[1]!.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.resolve();
    gates[2]!.resolve();
    gates[3]!.resolve();
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3]);
    expect(started).toEqual([0, 1, 2, 3]);
  });

  it('frees the slot of a work that fails, and passes its error on', async () => {
    const run = createCpuSlots(1);
    await expect(run(() => Promise.reject(new Error('bad image')))).rejects.toThrow('bad image');
    expect(await run(async () => 'next')).toBe('next');
  });

  it('refuses a count that is not a positive integer', () => {
    expect(() => createCpuSlots(0)).toThrow(RangeError);
    expect(() => createCpuSlots(1.5)).toThrow(RangeError);
  });
});
