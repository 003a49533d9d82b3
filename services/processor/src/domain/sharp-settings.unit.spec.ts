import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { configureSharp } from './sharp-settings.js';

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

  it('leaves everything alone when given nothing', () => {
    expect(configureSharp({})).toEqual({ concurrency: initialConcurrency });
  });
});
