import { accessOf } from '../domain/album-access.js';
import type { PageQuery } from '../domain/photo-page.js';
import { isVisible, PHOTO_STATUSES, type PhotoStatus, type VisiblePhoto } from '../domain/photo-record.js';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { recordOf } from './photo-rows.js';

/** Reads of one owner's visible photos (uploaded, not deleted), straight from the database. */
export interface PhotoQueries {
  /** The photo, if it exists, is visible and belongs to `ownerId`. */
  find(ownerId: string, id: string): Promise<VisiblePhoto | undefined>;
  /** Up to `query.limit + 1` photos in page order (the extra one tells whether a next page exists). */
  page(ownerId: string, query: PageQuery): Promise<VisiblePhoto[]>;
  /** How many visible photos the owner has in each status. */
  counts(ownerId: string): Promise<Record<PhotoStatus, number>>;
}

/** The Prisma implementation of {@link PhotoQueries}. */
export function createPhotoQueries(prisma: PrismaClient): PhotoQueries {
  return {
    async find(ownerId, id) {
      const row = await prisma.photo.findUnique({ where: { id }, omit: { updatedAt: true } });
      // The owner's own read: no grants count here (a grantee's read is AlbumStore.sharedPhoto).
      if (!row || accessOf(ownerId, row, []) !== 'owner') return undefined;
      const record = recordOf(row);
      return isVisible(record) ? record : undefined;
    },

    async page(ownerId, query) {
      const rows = await prisma.photo.findMany({
        where: pageWhere(ownerId, query),
        orderBy: [{ uploadedAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
        // Pages leave out EXIF: the gallery does not show it and it is most of a row's bytes.
        omit: { updatedAt: true, exif: true },
      });
      return rows.map((row) => recordOf({ ...row, exif: null })).filter(isVisible);
    },

    async counts(ownerId) {
      const groups = await prisma.photo.groupBy({ by: ['status'], where: { ownerId, uploadedAt: { not: null } }, _count: { _all: true } });
      const counts = Object.fromEntries(PHOTO_STATUSES.map((status) => [status, 0])) as Record<PhotoStatus, number>;
      for (const group of groups) counts[group.status] = group._count._all;
      return counts;
    },
  };
}

/**
 * The keyset condition: photos strictly after `after` in (uploadedAt DESC, id DESC) order, the order of
 * photos_owner_uploaded_idx. Written as `uploadedAt <= t AND (uploadedAt < t OR id < i)` rather than
 * the OR alone, so that PostgreSQL starts the index range at the cursor instead of filtering every newer
 * row: a page costs the same at any depth (a test checks the plan). SQL's `(uploaded_at, id) < (t, i)`
 * would say it directly, but through $queryRaw it measured no faster and loses the typed query.
 */
function pageWhere(ownerId: string, query: PageQuery): Prisma.PhotoWhereInput {
  const { after, status, takenFrom, takenTo } = query;
  return {
    ownerId,
    ...(status ? { status } : {}),
    uploadedAt: after ? { lte: after.uploadedAt } : { not: null },
    ...(after ? { OR: [{ uploadedAt: { lt: after.uploadedAt } }, { id: { lt: after.id } }] } : {}),
    ...(takenFrom || takenTo ? { takenAtLocal: { ...(takenFrom ? { gte: takenFrom } : {}), ...(takenTo ? { lt: takenTo } : {}) } } : {}),
  };
}
