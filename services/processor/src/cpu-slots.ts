/** Runs CPU-bound work at most `slots` at a time; the rest waits its turn in arrival order. */
export type CpuSlots = <T>(work: () => Promise<T>) => Promise<T>;

/**
 * The processor takes one photo more from the bus than it decodes at once (see service.ts): while a photo
 * waits here, its original is already read, so when a slot frees up the next decode starts at once, and
 * storage round trips (reading an original, writing variants, publishing) overlap other photos' image work
 * instead of leaving a core idle.
 */
export function createCpuSlots(slots: number): CpuSlots {
  if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`slots must be a positive integer, got ${slots}`);
  let free = slots;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}
