import { describe, expect, it } from 'vitest';
import { LiveStatus, type StatusChange } from './live-status.js';

const change = (id: string): StatusChange => ({ type: 'photo.processed', photo: { id, status: 'ready' } });

describe('LiveStatus', () => {
  it("pushes a change to every connection of the photo's owner, and to nobody else", () => {
    const live = new LiveStatus();
    const seen: string[] = [];
    live.connect('alice', (c) => seen.push(`alice 1: ${c.photo.id}`));
    live.connect('alice', (c) => seen.push(`alice 2: ${c.photo.id}`));
    live.connect('bob', (c) => seen.push(`bob: ${c.photo.id}`));
    live.push('alice', change('p1'));
    live.push('carol', change('p2'));
    expect(seen).toEqual(['alice 1: p1', 'alice 2: p1']);
    expect(live.connections).toBe(3);
  });

  it('stops pushing to a connection once it is closed, and keeps the owner’s other connections', () => {
    const live = new LiveStatus();
    const seen: string[] = [];
    const closeFirst = live.connect('alice', (c) => seen.push(`1: ${c.photo.id}`));
    const closeSecond = live.connect('alice', (c) => seen.push(`2: ${c.photo.id}`));
    closeFirst();
    live.push('alice', change('p1'));
    expect(seen).toEqual(['2: p1']);
    expect(live.connections).toBe(1);
    closeSecond();
    live.push('alice', change('p2'));
    expect(seen).toEqual(['2: p1']);
    expect(live.connections).toBe(0);
    // A new connection after the last one closed is heard again.
    live.connect('alice', (c) => seen.push(`3: ${c.photo.id}`));
    live.push('alice', change('p3'));
    expect(seen).toEqual(['2: p1', '3: p3']);
  });
});
