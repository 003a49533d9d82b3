import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { defineEvent } from './define-event.js';
import { SCHEMA_BASE_URI } from './envelope.js';
import { defineFamily } from './event-family.js';

const version = (name: string, n: number) =>
  defineEvent({ name, version: n, description: `v${n}`, schema: Type.Object({ photoId: Type.String() }), example: { photoId: 'p' } });
const upcast = (data: unknown) => data;

describe('defineEvent', () => {
  it('names the version in the CloudEvents type and points dataschema at its published schema', () => {
    const v3 = version('photo.tagged', 3);
    expect(v3).toMatchObject({ name: 'photo.tagged', version: 3, type: 'photo.tagged.v3', description: 'v3', example: { photoId: 'p' } });
    expect(v3.dataschema).toBe(`${SCHEMA_BASE_URI}/photo.tagged.v3.json`);
    expect(SCHEMA_BASE_URI).toBe('https://schemas.photo-platform.dev/events');
  });
});

describe('defineFamily', () => {
  it('takes the last version as the latest, and keeps every version and upcaster', () => {
    const [v1, v2, v3] = [version('t', 1), version('t', 2), version('t', 3)];
    const upcasters = { 1: upcast, 2: upcast };
    expect(defineFamily([v1, v2, v3], upcasters)).toEqual({ name: 't', latest: v3, versions: [v1, v2, v3], upcasters });
    expect(defineFamily([v1])).toEqual({ name: 't', latest: v1, versions: [v1], upcasters: {} });
  });

  it('refuses a version of another event', () => {
    expect(() => defineFamily([version('s', 1), version('t', 2)], { 1: upcast })).toThrow('family t: version s.v1 has another name');
  });

  it('refuses versions out of order or listed twice', () => {
    expect(() => defineFamily([version('t', 2), version('t', 1)], { 2: upcast })).toThrow('family t: versions must be listed oldest first');
    expect(() => defineFamily([version('t', 1), version('t', 1)], { 1: upcast })).toThrow('family t: versions must be listed oldest first');
    // Gaps are fine: v2 was never published.
    expect(() => defineFamily([version('t', 1), version('t', 3)], { 1: upcast })).not.toThrow();
  });

  it('needs an upcaster from every old version, and none from the latest', () => {
    expect(() => defineFamily([version('t', 1), version('t', 2), version('t', 3)], { 1: upcast })).toThrow('family t: no upcaster from v2');
    expect(() => defineFamily([version('t', 1), version('t', 2)], { 1: upcast })).not.toThrow();
  });
});
