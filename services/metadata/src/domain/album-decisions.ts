import type { Access, AlbumRole } from './album-access.js';

/**
 * The album rules beyond seeing: who may change what. Each decision answers `ok`, or why not:
 * `not-found` (the caller may not even see it, or a photo named is not theirs: answered 404 like a
 * missing one), `forbidden` (the caller sees it but may not do this: 403) or `invalid` (400).
 */
export type Decision<T = undefined> = { ok: true; value: T } | { ok: false; reason: 'not-found' | 'forbidden' | 'invalid'; message: string };

const ok = <T>(value: T): Decision<T> => ({ ok: true, value });
const refuse = (reason: 'not-found' | 'forbidden' | 'invalid', message: string): Decision<never> => ({ ok: false, reason, message });

const NOT_FOUND = (albumId: string) => refuse('not-found', `No album ${albumId}.`);

/** Rename, set the cover, delete, share and revoke: the owner only. */
export function decideManage(albumId: string, access: Access): Decision {
  if (access === undefined) return NOT_FOUND(albumId);
  return access === 'owner' ? ok(undefined) : refuse('forbidden', 'Only the owner of the album may do this.');
}

/** A photo as the add decision needs it: whose it is (undefined when it does not exist or is not shown yet). */
export interface CandidatePhoto {
  id: string;
  ownerId: string;
}

/**
 * Adding photos: the owner and contributors, and each adds only their own photos (a contributor's
 * photos join the owner's album; nobody adds anyone else's). Photos already in the album are left as
 * they are. Answers the ids to insert, in the order asked, without duplicates.
 */
export function decideAddPhotos(input: {
  albumId: string;
  callerId: string;
  access: Access;
  photoIds: readonly string[];
  found: readonly CandidatePhoto[];
}): Decision<string[]> {
  const { albumId, callerId, access, photoIds, found } = input;
  if (access === undefined) return NOT_FOUND(albumId);
  if (access === 'viewer') return refuse('forbidden', 'A viewer may not add photos to the album.');
  const own = new Set(found.filter((photo) => photo.ownerId === callerId).map((photo) => photo.id));
  const foreign = photoIds.find((id) => !own.has(id));
  if (foreign !== undefined) return refuse('not-found', `No photo ${foreign} among the caller's.`);
  return ok([...new Set(photoIds)]);
}

/** A photo in the album as the remove decision needs it. */
export interface AlbumEntry {
  photoId: string;
  addedBy: string;
}

/**
 * Taking photos out (the photos themselves stay): the owner takes out any, a contributor only what they
 * added, a viewer none. Ids not in the album are ignored (removing is idempotent). Answers the ids to delete.
 */
export function decideRemovePhotos(input: { albumId: string; callerId: string; access: Access; entries: readonly AlbumEntry[] }): Decision<string[]> {
  const { albumId, callerId, access, entries } = input;
  if (access === undefined) return NOT_FOUND(albumId);
  if (access === 'viewer') return refuse('forbidden', 'A viewer may not take photos out of the album.');
  const foreign = entries.find((entry) => access !== 'owner' && entry.addedBy !== callerId);
  if (foreign) return refuse('forbidden', `Photo ${foreign.photoId} was added by someone else: only the owner may take it out.`);
  return ok(entries.map((entry) => entry.photoId));
}

/** The cover must be a photo of the album (or null to unset it). */
export function decideCover(albumId: string, access: Access, coverPhotoId: string | null, inAlbum: boolean): Decision {
  const manage = decideManage(albumId, access);
  if (!manage.ok) return manage;
  if (coverPhotoId !== null && !inAlbum) return refuse('invalid', `Photo ${coverPhotoId} is not in the album.`);
  return ok(undefined);
}

/** Sharing: the owner only, never with themselves. */
export function decideShare(input: { albumId: string; ownerId: string; access: Access; granteeId: string; role: AlbumRole }): Decision<AlbumRole> {
  const manage = decideManage(input.albumId, input.access);
  if (!manage.ok) return manage;
  if (input.granteeId === input.ownerId) return refuse('invalid', 'The owner of an album cannot share it with themselves.');
  return ok(input.role);
}

/**
 * Share links of an album or a photo (make, list, revoke): its owner only. A photo or album the caller
 * does not see is not found; one they see through a grant is forbidden.
 */
export function decideManageLinks(target: 'album' | 'photo', id: string, access: Access): Decision {
  if (access === undefined) return refuse('not-found', `No ${target} ${id}.`);
  return access === 'owner' ? ok(undefined) : refuse('forbidden', `Only the owner of the ${target} may manage its share links.`);
}

/** A new link: the owner's, and an expiry (when given) still ahead. */
export function decideNewLink(input: { target: 'album' | 'photo'; id: string; access: Access; expiresAt: Date | null; now: Date }): Decision {
  const manage = decideManageLinks(input.target, input.id, input.access);
  if (!manage.ok) return manage;
  if (input.expiresAt !== null && input.expiresAt.getTime() <= input.now.getTime()) return refuse('invalid', 'expiresAt must be in the future.');
  return ok(undefined);
}
