import { describe, expect, it } from 'vitest';
import { pathOf, photoIdFromPath, routeFromPath, type Route } from './use-route';

const ALBUM = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';
const PHOTO = '0b7e1f3c-7d2a-4c1e-9f0a-1234567890ab';

describe('routes', () => {
  it('reads every view from its path, and writes the same path back', () => {
    const cases: [string, Route][] = [
      ['/', { view: 'photos', photoId: null }],
      [`/photos/${PHOTO}`, { view: 'photos', photoId: PHOTO }],
      ['/albums', { view: 'albums' }],
      [`/albums/${ALBUM}`, { view: 'album', albumId: ALBUM, photoId: null }],
      [`/albums/${ALBUM}/photos/${PHOTO}`, { view: 'album', albumId: ALBUM, photoId: PHOTO }],
      ['/shared', { view: 'shared' }],
      ['/s/Zm9vYmFyLWJhei1xdXV4', { view: 'link', token: 'Zm9vYmFyLWJhei1xdXV4' }],
    ];
    for (const [path, route] of cases) {
      expect(routeFromPath(path), path).toEqual(route);
      expect(pathOf(route)).toBe(path);
    }
  });

  it('takes a trailing slash, and nothing it does not know', () => {
    expect(routeFromPath('/albums/')).toEqual({ view: 'albums' });
    expect(routeFromPath(`/albums/${ALBUM}/`)).toEqual({ view: 'album', albumId: ALBUM, photoId: null });
    for (const path of ['/albums/nope', `/albums/${ALBUM}/photos/../x`, '/s/', '/s/short', '/s/has%20space', '/s/a.b.c.d.e.f.g', '/photos', '/elsewhere']) {
      expect(routeFromPath(path), path).toEqual({ view: 'unknown' });
    }
    expect(pathOf({ view: 'unknown' })).toBe('/');
  });

  it('finds the open photo over the gallery or over an album', () => {
    expect(photoIdFromPath(`/albums/${ALBUM}/photos/${PHOTO}`)).toBe(PHOTO);
    expect(photoIdFromPath(`/albums/${ALBUM}`)).toBeNull();
    expect(photoIdFromPath('/s/Zm9vYmFyLWJhei1xdXV4')).toBeNull();
  });
});
