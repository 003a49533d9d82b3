import { describe, expect, it } from 'vitest';
import { linkAccessOf, type LinkState, type LinkSubject } from './album-access.js';

const now = new Date('2026-12-01T12:00:00Z');
const ALBUM = 'album-1';
const albumLink: LinkState = { albumId: ALBUM, photoId: null, expiresAt: null, revokedAt: null, hasPassword: false };
const photoLink: LinkState = { albumId: null, photoId: 'photo-1', expiresAt: null, revokedAt: null, hasPassword: false };
const open = { now, unlocked: false };

const album = (id = ALBUM): LinkSubject => ({ kind: 'album', id, ownerId: 'owner' });
const photo = (id: string, albumIds: string[] = []): LinkSubject => ({ kind: 'photo', id, ownerId: 'owner', albumIds });

describe('linkAccessOf: a link holder sees what the link opens, as a viewer, while it is live', () => {
  it('opens its album and the photos in it, nothing else', () => {
    expect(linkAccessOf(albumLink, album(), open)).toEqual({ access: 'viewer' });
    expect(linkAccessOf(albumLink, photo('p', [ALBUM]), open)).toEqual({ access: 'viewer' });
    expect(linkAccessOf(albumLink, album('album-2'), open)).toEqual({ access: undefined });
    expect(linkAccessOf(albumLink, photo('p', ['album-2']), open)).toEqual({ access: undefined });
    expect(linkAccessOf(albumLink, photo('p'), open)).toEqual({ access: undefined });
    expect(linkAccessOf(albumLink, undefined, open)).toEqual({ access: undefined });
  });

  it('a photo link opens that photo only, whatever albums hold it', () => {
    expect(linkAccessOf(photoLink, photo('photo-1'), open)).toEqual({ access: 'viewer' });
    expect(linkAccessOf(photoLink, photo('photo-2', [ALBUM]), open)).toEqual({ access: undefined });
    expect(linkAccessOf(photoLink, album(), open)).toEqual({ access: undefined });
  });

  it('is never the owner, even of a subject owned by the empty id', () => {
    expect(linkAccessOf(albumLink, { kind: 'album', id: ALBUM, ownerId: '' }, open)).toEqual({ access: 'viewer' });
    expect(linkAccessOf(albumLink, { kind: 'album', id: 'album-2', ownerId: '' }, open)).toEqual({ access: undefined });
  });

  it('refuses an unknown or revoked link (not found), then an expired one, then a locked one', () => {
    expect(linkAccessOf(undefined, album(), open)).toEqual({ refused: 'not-found' });
    const revoked = { ...albumLink, revokedAt: now, expiresAt: new Date(0), hasPassword: true };
    expect(linkAccessOf(revoked, album(), open)).toEqual({ refused: 'not-found' });
    const expired = { ...albumLink, expiresAt: now, hasPassword: true };
    expect(linkAccessOf(expired, album(), open)).toEqual({ refused: 'expired' });
    expect(linkAccessOf({ ...albumLink, expiresAt: new Date(now.getTime() + 1) }, album(), open)).toEqual({ access: 'viewer' });
    const locked = { ...albumLink, hasPassword: true };
    expect(linkAccessOf(locked, album(), open)).toEqual({ refused: 'password-required' });
    expect(linkAccessOf(locked, album(), { now, unlocked: true })).toEqual({ access: 'viewer' });
  });
});
