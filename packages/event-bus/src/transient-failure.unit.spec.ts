import { describe, expect, it } from 'vitest';
import { PermanentFailure } from './permanent-failure.js';
import { isTransientError, TransientFailure } from './transient-failure.js';

const systemError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });

describe('isTransientError', () => {
  it('is true for a TransientFailure and for the network errors of Node and undici', () => {
    expect(isTransientError(new TransientFailure('database unavailable'))).toBe(true);
    expect(new TransientFailure('database unavailable').name).toBe('TransientFailure');
    const node = ['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN'];
    const undici = ['UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'];
    for (const code of [...node, 'EAI_AGAIN', 'ENOTFOUND', ...undici]) {
      expect(isTransientError(systemError(code)), code).toBe(true);
    }
  });

  it('follows cause chains (fetch failed, a wrapped driver error) and AggregateError (a host with several addresses)', () => {
    expect(isTransientError(new TypeError('fetch failed', { cause: systemError('UND_ERR_SOCKET') }))).toBe(true);
    expect(isTransientError(new Error('query failed', { cause: new Error('pool', { cause: systemError('ECONNRESET') }) }))).toBe(true);
    expect(isTransientError(new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')]))).toBe(true);
    expect(isTransientError(new AggregateError([new Error('bug'), systemError('ECONNREFUSED')]))).toBe(true);
  });

  it('is false for bugs, bad data, other codes, non-errors and a PermanentFailure whatever its cause', () => {
    expect(isTransientError(new Error('cannot read properties of undefined'))).toBe(false);
    expect(isTransientError(systemError('ENOENT'))).toBe(false);
    expect(isTransientError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isTransientError(new PermanentFailure('gone', { cause: systemError('ECONNREFUSED') }))).toBe(false);
    expect(isTransientError('ECONNREFUSED')).toBe(false);
    expect(isTransientError(undefined)).toBe(false);
    expect(isTransientError(null)).toBe(false);
    expect(isTransientError(new Error('no cause', { cause: null }))).toBe(false);
    expect(isTransientError(Object.assign(new Error('numeric code'), { code: 111 }))).toBe(false);
    expect(isTransientError(new AggregateError([new Error('bug'), systemError('ENOENT')]))).toBe(false);
  });

  it('finds a transient cause of an AggregateError whose errors are not transient', () => {
    expect(isTransientError(new AggregateError([new Error('bug')], 'all failed', { cause: systemError('ECONNRESET') }))).toBe(true);
  });

  it('looks 8 causes deep, no deeper', () => {
    const wrapped = (depth: number): unknown => (depth === 0 ? systemError('ECONNREFUSED') : new Error(`wrap ${depth}`, { cause: wrapped(depth - 1) }));
    expect(isTransientError(wrapped(8))).toBe(true);
    expect(isTransientError(wrapped(9))).toBe(false);
    const aggregated = (depth: number): unknown => (depth === 0 ? systemError('ECONNREFUSED') : new AggregateError([aggregated(depth - 1)]));
    expect(isTransientError(aggregated(8))).toBe(true);
    expect(isTransientError(aggregated(9))).toBe(false);
  });

  it('is false for a PermanentFailure that carries a network code itself', () => {
    class Both extends PermanentFailure {}
    expect(isTransientError(Object.assign(new Both('gone'), { code: 'ECONNREFUSED' }))).toBe(false);
  });

  it('ends on a cycle of causes', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(isTransientError(a)).toBe(false);
  });
});
