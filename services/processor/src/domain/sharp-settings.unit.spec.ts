import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { configureSharp, PROCESSOR_SHARP_SETTINGS } from './sharp-settings.js';

describe('configureSharp', () => {
  const initialConcurrency = sharp.concurrency();
  afterEach(() => {
    sharp.concurrency(initialConcurrency);
    sharp.cache(true);
  });

  it('sets the libvips thread count and reports it', () => {
    expect(configureSharp({ concurrency: 1 })).toEqual({ concurrency: 1 });
    expect(sharp.concurrency()).toBe(1);
  });

  it('turns the operation cache off', () => {
    configureSharp({ cache: false });
    expect(sharp.cache().memory.max).toBe(0);
  });

  it("applies the processor's settings: no operation cache, one libvips thread per image", () => {
    expect(configureSharp(PROCESSOR_SHARP_SETTINGS)).toEqual({ concurrency: 1 });
    expect(sharp.cache()).toMatchObject({ memory: { max: 0 }, items: { max: 0 }, files: { max: 0 } });
  });

  it('leaves everything alone when given nothing', () => {
    configureSharp({ concurrency: 3, cache: false });
    expect(configureSharp({})).toEqual({ concurrency: 3 });
    expect(sharp.concurrency()).toBe(3);
    expect(sharp.cache().memory.max).toBe(0);
  });

  it('sets the cache limits it is given', () => {
    configureSharp({ cache: { memory: 10, files: 2, items: 3 } });
    expect(sharp.cache()).toMatchObject({ memory: { max: 10 }, files: { max: 2 }, items: { max: 3 } });
  });
});
