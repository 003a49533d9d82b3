import { describe, expect, it } from 'vitest';
import { correlationIdFrom } from './correlation-id.js';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('correlationIdFrom', () => {
  it('takes a valid x-correlation-id first', () => {
    expect(correlationIdFrom({ 'x-correlation-id': 'abc-123', traceparent: `00-${traceId}-00f067aa0ba902b7-01` })).toBe('abc-123');
  });

  it('falls back to the trace id of a valid traceparent', () => {
    expect(correlationIdFrom({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` })).toBe(traceId);
    expect(correlationIdFrom({ 'x-correlation-id': 'has space', traceparent: `00-${traceId}-00f067aa0ba902b7-01` })).toBe(traceId);
  });

  it('rejects invalid ids', () => {
    expect(correlationIdFrom({})).toBeUndefined();
    expect(correlationIdFrom({ 'x-correlation-id': 'a"b' })).toBeUndefined();
    expect(correlationIdFrom({ 'x-correlation-id': 'x'.repeat(129) })).toBeUndefined();
    expect(correlationIdFrom({ traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` })).toBeUndefined();
    expect(correlationIdFrom({ traceparent: `ff-${traceId}-00f067aa0ba902b7-01` })).toBeUndefined();
    expect(correlationIdFrom({ traceparent: 'garbage' })).toBeUndefined();
  });
});
