import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './page-cursor.js';

describe('page cursor', () => {
  const position = { uploadedAt: new Date('2026-11-22T10:15:30.123Z'), id: '0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30' };

  it('round-trips a position through an opaque, URL-safe string', () => {
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it.each([
    ['garbage', 'not a cursor!'],
    ['JSON of another shape', Buffer.from('{"a":1}').toString('base64url')],
    ['a bad date', Buffer.from('["yesterday","0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30"]').toString('base64url')],
    ['an id that is no UUID', Buffer.from('["2026-11-22T10:15:30.123Z","1 OR 1=1"]').toString('base64url')],
    ['a UUID with text before', Buffer.from('["2026-11-22T10:15:30.123Z","x0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30"]').toString('base64url')],
    ['a UUID with text after', Buffer.from('["2026-11-22T10:15:30.123Z","0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30 --"]').toString('base64url')],
    ['an id that is a list', Buffer.from('["2026-11-22T10:15:30.123Z",["0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30"]]').toString('base64url')],
    ['a time that is a number', Buffer.from('[1795000000000,"0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30"]').toString('base64url')],
    ['a third element', Buffer.from('["2026-11-22T10:15:30.123Z","0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30",1]').toString('base64url')],
  ])('rejects %s', (_what, cursor) => {
    expect(decodeCursor(cursor)).toBeUndefined();
  });
});
