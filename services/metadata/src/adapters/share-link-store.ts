import type { LinkState } from '../domain/album-access.js';
import { isVisible, type VisiblePhoto } from '../domain/photo-record.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { recordOf } from './photo-rows.js';

/** A share link as stored (the token only as its sha256). */
export interface ShareLinkRow {
  id: string;
  tokenHash: string;
  albumId: string | null;
  photoId: string | null;
  ownerId: string;
  expiresAt: Date | null;
  passwordHash: string | null;
  allowDownload: boolean;
  revokedAt: Date | null;
  createdAt: Date;
}

/** What a link opens: an album or a photo. */
export type LinkTarget = { albumId: string } | { photoId: string };

/** The state the visibility rule reads ({@link LinkState}) of a stored link. */
export const linkStateOf = (link: ShareLinkRow): LinkState => ({
  albumId: link.albumId,
  photoId: link.photoId,
  expiresAt: link.expiresAt,
  revokedAt: link.revokedAt,
  hasPassword: link.passwordHash !== null,
});

/** The share_links table, and the reads a link holder's requests need. */
export interface ShareLinkStore {
  create(link: Omit<ShareLinkRow, 'revokedAt'>): Promise<ShareLinkRow>;
  /** The links of an album or a photo that are not revoked, newest first. */
  listOf(target: LinkTarget): Promise<ShareLinkRow[]>;
  /** Revokes the link `linkId` of `target`; resolves with it, or undefined when it is not one of target's or was revoked already. */
  revoke(target: LinkTarget, linkId: string, now: Date): Promise<ShareLinkRow | undefined>;
  /** The link with this token hash, revoked or not (the rule decides). */
  byTokenHash(tokenHash: string): Promise<ShareLinkRow | undefined>;
  /** An album as a link page shows it, with its owner for the rule. */
  album(albumId: string): Promise<{ id: string; ownerId: string; name: string; photoCount: number } | undefined>;
  /** A shown photo, with those of `albumIds` that hold it (for the rule); undefined when absent or not shown yet. */
  photo(photoId: string, albumIds: readonly string[]): Promise<{ record: VisiblePhoto; albumIds: string[] } | undefined>;
}

/** The Prisma implementation of {@link ShareLinkStore}. */
export function createShareLinkStore(prisma: PrismaClient): ShareLinkStore {
  return {
    create: async (link) => prisma.shareLink.create({ data: link }),

    listOf: (target) => prisma.shareLink.findMany({ where: { ...target, revokedAt: null }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),

    async revoke(target, linkId, now) {
      // One statement: a link is revoked once, and only through the album or photo it opens.
      const { count } = await prisma.shareLink.updateMany({ where: { id: linkId, ...target, revokedAt: null }, data: { revokedAt: now } });
      return count === 0 ? undefined : ((await prisma.shareLink.findUnique({ where: { id: linkId } })) ?? undefined);
    },

    byTokenHash: async (tokenHash) => (await prisma.shareLink.findUnique({ where: { tokenHash } })) ?? undefined,

    async album(albumId) {
      const row = await prisma.album.findUnique({
        where: { id: albumId },
        select: { id: true, ownerId: true, name: true, _count: { select: { photos: true } } },
      });
      return row ? { id: row.id, ownerId: row.ownerId, name: row.name, photoCount: row._count.photos } : undefined;
    },

    async photo(photoId, albumIds) {
      const row = await prisma.photo.findUnique({
        where: { id: photoId },
        omit: { updatedAt: true },
        include: { albums: { where: { albumId: { in: [...albumIds] } }, select: { albumId: true } } },
      });
      if (!row) return undefined;
      const { albums, ...photo } = row;
      const record = recordOf(photo);
      return isVisible(record) ? { record, albumIds: albums.map(({ albumId }) => albumId) } : undefined;
    },
  };
}
