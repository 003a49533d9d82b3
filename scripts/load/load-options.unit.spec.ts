import { describe, expect, it } from 'vitest';
import { parseDuration, parseLoadOptions } from './load-options.js';

describe('npm run load: command line', () => {
  it('has defaults for everything, and no URL (the script starts the embedded platform)', () => {
    expect(parseLoadOptions([])).toEqual({
      url: undefined,
      users: 5,
      durationMs: 60_000,
      thinkMs: 1000,
      photos: undefined,
      pages: 2,
      deleteRatio: 0.25,
      processingTimeoutMs: 120_000,
      help: false,
    });
  });

  it('reads every option, and keeps the URL without a trailing slash', () => {
    const options = parseLoadOptions(['--url', 'https://photos.example.com/app/', '--users', '20', '--duration', '3m', '--think-ms', '0', '--pages', '4']);
    expect(options).toMatchObject({ url: 'https://photos.example.com/app', users: 20, durationMs: 180_000, thinkMs: 0, pages: 4 });
    expect(parseLoadOptions(['--delete-ratio', '1', '--photos', '/tmp/p', '--processing-timeout', '1500ms'])).toMatchObject({
      deleteRatio: 1,
      photos: '/tmp/p',
      processingTimeoutMs: 1500,
    });
  });

  it('reads durations with or without a unit (a bare number is seconds)', () => {
    expect([parseDuration('90'), parseDuration('90s'), parseDuration('2m'), parseDuration('1500ms'), parseDuration('0.5s'), parseDuration('1h')]).toEqual([
      90_000, 90_000, 120_000, 1500, 500, 3_600_000,
    ]);
    for (const bad of ['', 'soon', '5 minutes', '-3s', '2d']) expect(() => parseDuration(bad), bad).toThrow(/not a duration/);
  });

  it('refuses what it cannot run: unknown options, no users, a fractional count, a ratio beyond 1, a URL that is not HTTP', () => {
    expect(() => parseLoadOptions(['--user', '3'])).toThrow(/Unknown option/);
    expect(() => parseLoadOptions(['--users', '0'])).toThrow(/--users must be an integer >= 1/);
    expect(() => parseLoadOptions(['--users', '2.5'])).toThrow(/--users/);
    expect(() => parseLoadOptions(['--think-ms', '-1'])).toThrow(/--think-ms/);
    expect(() => parseLoadOptions(['--delete-ratio', '1.5'])).toThrow(/--delete-ratio/);
    expect(() => parseLoadOptions(['--duration', '0s'])).toThrow(/--duration/);
    expect(() => parseLoadOptions(['--url', 'ftp://example.com'])).toThrow(/--url must be http/);
  });
});
