import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchForStall } from './request-body.js';

describe('watchForStall', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('fires once progress stood still for the timeout while waiting, and only once', () => {
    const onStall = vi.fn();
    watchForStall({ timeoutMs: 1_000, progress: () => 0, waiting: () => true, onStall });
    vi.advanceTimersByTime(900);
    expect(onStall).not.toHaveBeenCalled();
    vi.advanceTimersByTime(400);
    expect(onStall).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5_000);
    expect(onStall).toHaveBeenCalledTimes(1);
  });

  it('does not fire while there is progress, nor count the time spent not waiting on the other party', () => {
    const onStall = vi.fn();
    let bytes = 0;
    let waiting = true;
    const watch = watchForStall({ timeoutMs: 1_000, progress: () => bytes, waiting: () => waiting, onStall });
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(500);
      bytes++;
    }
    waiting = false; // backpressure: we are the slow one
    vi.advanceTimersByTime(10_000);
    expect(onStall).not.toHaveBeenCalled();
    waiting = true;
    vi.advanceTimersByTime(1_300);
    expect(onStall).toHaveBeenCalledTimes(1);
    watch.stop();
  });

  it('stops', () => {
    const onStall = vi.fn();
    watchForStall({ timeoutMs: 100, progress: () => 0, waiting: () => true, onStall }).stop();
    vi.advanceTimersByTime(1_000);
    expect(onStall).not.toHaveBeenCalled();
  });
});
