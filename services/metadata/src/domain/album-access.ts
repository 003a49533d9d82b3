/** What a grantee may do in an album shared with them: see it, or also add their own photos to it. */
export type AlbumRole = 'viewer' | 'contributor';

/** What the caller is to an album or a photo: its owner, a grantee in one role, or nobody (undefined). */
export type Access = 'owner' | AlbumRole | undefined;

/** Something owned: an album or a photo. */
export interface Owned {
  ownerId: string;
}

/**
 * THE visibility rule, used by every read of an album or a photo: the caller sees what they own, and
 * what an album shared with them holds. `callerGrants` are the caller's own grants on the album (for an
 * album) or on the albums that hold the photo (for a photo); the adapters read only those, so a grant
 * of anyone else never counts. A grantee's access never reaches the owner's other photos: a photo is
 * visible to them only through a grant on an album that holds it.
 *
 * Answers the strongest access (owner > contributor > viewer); undefined means "not visible", which
 * the routes answer exactly like "does not exist" (404), so ids cannot be probed.
 */
export function accessOf(callerId: string, subject: Owned | undefined, callerGrants: readonly { role: AlbumRole }[]): Access {
  if (!subject) return undefined;
  if (subject.ownerId === callerId) return 'owner';
  if (callerGrants.some((grant) => grant.role === 'contributor')) return 'contributor';
  return callerGrants.length > 0 ? 'viewer' : undefined;
}
