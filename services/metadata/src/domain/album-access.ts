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

/** A share link as the visibility rule reads it: what it opens (one album or one photo) and its state. */
export interface LinkState {
  albumId: string | null;
  photoId: string | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  hasPassword: boolean;
}

/** What a link holder asks to see: the album, or a photo with the ids of the albums holding it (of those the link could open). */
export type LinkSubject = (Owned & { kind: 'album'; id: string }) | (Owned & { kind: 'photo'; id: string; albumIds: readonly string[] });

/**
 * Why a link opens nothing: unknown or revoked (answered 404, like a token never made), expired (410),
 * or protected by a password not given yet (401).
 */
export type LinkRefusal = 'not-found' | 'expired' | 'password-required';

/** A link holder has no account: the caller id given to accessOf for them. */
const LINK_HOLDER = '';

/**
 * THE visibility rule for someone holding a share link, who has no account: the link is their only
 * grant, a viewer's, and counts only while it is live (not revoked, not expired, and unlocked when it has
 * a password) and only for what it opens: its album and the photos in it, or its one photo. The access
 * itself is decided by {@link accessOf}, as for an account: a link never opens the owner's other photos.
 */
export function linkAccessOf(
  link: LinkState | undefined,
  subject: LinkSubject | undefined,
  context: { now: Date; unlocked: boolean },
): { refused: LinkRefusal } | { access: Access } {
  if (!link || link.revokedAt !== null) return { refused: 'not-found' };
  if (link.expiresAt !== null && link.expiresAt.getTime() <= context.now.getTime()) return { refused: 'expired' };
  if (link.hasPassword && !context.unlocked) return { refused: 'password-required' };
  if (!subject) return { access: undefined };
  const opens =
    subject.kind === 'album' ? link.albumId === subject.id : link.photoId === subject.id || (link.albumId !== null && subject.albumIds.includes(link.albumId));
  const access = accessOf(LINK_HOLDER, subject, opens ? [{ role: 'viewer' }] : []);
  // A holder has no account and so owns nothing, whatever id an owner has: at most the link's viewer.
  return { access: access === 'owner' ? (opens ? 'viewer' : undefined) : access };
}
