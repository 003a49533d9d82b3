import { describe, expect, it } from 'vitest';
import { accessOf } from './album-access.js';
import { decideAddPhotos, decideCover, decideManage, decideRemovePhotos, decideShare } from './album-decisions.js';

const album = { ownerId: 'olga' };
const notFound = { ok: false, reason: 'not-found', message: 'No album a1.' };

describe('album access', () => {
  it('is owner for the owner, the strongest grant for a grantee, nothing for anyone else or nothing at all', () => {
    expect(accessOf('olga', album, [])).toBe('owner');
    expect(accessOf('olga', album, [{ role: 'viewer' }])).toBe('owner');
    expect(accessOf('carl', album, [{ role: 'viewer' }, { role: 'contributor' }])).toBe('contributor');
    expect(accessOf('vera', album, [{ role: 'viewer' }])).toBe('viewer');
    expect(accessOf('eve', album, [])).toBeUndefined();
    expect(accessOf('olga', undefined, [{ role: 'contributor' }])).toBeUndefined();
  });
});

describe('album decisions', () => {
  it('let only the owner manage; others who see it are forbidden, others are told it does not exist', () => {
    expect(decideManage('a1', 'owner')).toEqual({ ok: true, value: undefined });
    for (const role of ['viewer', 'contributor'] as const) {
      expect(decideManage('a1', role)).toEqual({ ok: false, reason: 'forbidden', message: 'Only the owner of the album may do this.' });
    }
    expect(decideManage('a1', undefined)).toEqual(notFound);
  });

  it("add the caller's own photos once each, in the order asked, and refuse anyone else's as unknown", () => {
    const found = [
      { id: 'p1', ownerId: 'carl' },
      { id: 'p2', ownerId: 'carl' },
      { id: 'p3', ownerId: 'olga' },
    ];
    const add = (callerId: string, access: 'owner' | 'contributor' | 'viewer' | undefined, photoIds: string[]) =>
      decideAddPhotos({ albumId: 'a1', callerId, access, photoIds, found });
    expect(add('carl', 'contributor', ['p2', 'p1', 'p2'])).toEqual({ ok: true, value: ['p2', 'p1'] });
    expect(add('olga', 'owner', ['p3'])).toEqual({ ok: true, value: ['p3'] });
    expect(add('carl', 'contributor', ['p1', 'p3'])).toEqual({ ok: false, reason: 'not-found', message: "No photo p3 among the caller's." });
    expect(add('carl', 'contributor', ['p9'])).toEqual({ ok: false, reason: 'not-found', message: "No photo p9 among the caller's." });
    expect(add('vera', 'viewer', [])).toEqual({ ok: false, reason: 'forbidden', message: 'A viewer may not add photos to the album.' });
    expect(add('eve', undefined, ['p1'])).toEqual(notFound);
  });

  it('let the owner take out any photo, a contributor only what they added, a viewer none', () => {
    const entries = [
      { photoId: 'p1', addedBy: 'carl' },
      { photoId: 'p3', addedBy: 'olga' },
    ];
    const remove = (callerId: string, access: 'owner' | 'contributor' | 'viewer' | undefined, chosen = entries) =>
      decideRemovePhotos({ albumId: 'a1', callerId, access, entries: chosen });
    expect(remove('olga', 'owner')).toEqual({ ok: true, value: ['p1', 'p3'] });
    expect(remove('carl', 'contributor', [entries[0]!])).toEqual({ ok: true, value: ['p1'] });
    expect(remove('carl', 'contributor')).toEqual({
      ok: false,
      reason: 'forbidden',
      message: 'Photo p3 was added by someone else: only the owner may take it out.',
    });
    expect(remove('vera', 'viewer', [])).toEqual({ ok: false, reason: 'forbidden', message: 'A viewer may not take photos out of the album.' });
    expect(remove('eve', undefined)).toEqual(notFound);
  });

  it('take a cover only from the album, or none, and from the owner only', () => {
    expect(decideCover('a1', 'owner', 'p1', true)).toEqual({ ok: true, value: undefined });
    expect(decideCover('a1', 'owner', null, false)).toEqual({ ok: true, value: undefined });
    expect(decideCover('a1', 'owner', 'p9', false)).toEqual({ ok: false, reason: 'invalid', message: 'Photo p9 is not in the album.' });
    expect(decideCover('a1', 'contributor', 'p1', true)).toMatchObject({ ok: false, reason: 'forbidden' });
    expect(decideCover('a1', undefined, 'p1', true)).toEqual(notFound);
  });

  it('share from the owner only, in the role asked, never with the owner', () => {
    const share = (access: 'owner' | 'contributor' | undefined, granteeId: string) =>
      decideShare({ albumId: 'a1', ownerId: 'olga', access, granteeId, role: 'contributor' });
    expect(share('owner', 'carl')).toEqual({ ok: true, value: 'contributor' });
    expect(share('owner', 'olga')).toEqual({ ok: false, reason: 'invalid', message: 'The owner of an album cannot share it with themselves.' });
    expect(share('contributor', 'vera')).toMatchObject({ ok: false, reason: 'forbidden' });
    expect(share(undefined, 'vera')).toEqual(notFound);
  });
});
