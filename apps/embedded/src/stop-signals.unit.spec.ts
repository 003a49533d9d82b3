import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { onStopSignals } from './stop-signals.js';

function setUp() {
  const events = new EventEmitter();
  let clock = 0;
  const stops: string[] = [];
  const exits: number[] = [];
  onStopSignals((signal) => stops.push(signal), { events, now: () => clock, exit: (code) => exits.push(code), sameRequestMs: 2_000 });
  return { events, stops, exits, advance: (ms: number) => (clock += ms) };
}

describe('onStopSignals', () => {
  it('stops once when one request arrives twice at once (process group and launcher)', () => {
    const { events, stops, exits, advance } = setUp();
    events.emit('SIGINT');
    advance(5);
    events.emit('SIGINT');
    events.emit('SIGTERM');
    expect(stops).toEqual(['SIGINT']);
    expect(exits).toEqual([]);
  });

  it('exits at once on a signal after the first request was taken', () => {
    const { events, stops, exits, advance } = setUp();
    events.emit('SIGTERM');
    advance(2_001);
    events.emit('SIGINT');
    expect(stops).toEqual(['SIGTERM']);
    expect(exits).toEqual([1]);
  });
});
