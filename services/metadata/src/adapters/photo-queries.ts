import type { PageQuery } from '../domain/photo-page.js';
import { isVisible, PHOTO_STATUSES, type PhotoStatus, type VisiblePhoto } from '../domain/photo-record.js';
import { Prisma, type Photo, type PrismaClient } from '../generated/prisma/client.js';
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
      if (!row || row.ownerId !== ownerId) return undefined;
      const record = recordOf(row);
      return isVisible(record) ? record : undefined;
    },

    async page(ownerId, query) {
      const rows = await prisma.$queryRaw<PageRow[]>(pageSql(ownerId, query));
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

/** The columns of a page row (no EXIF: the gallery does not show it and it is most of a row's bytes). */
type PageRow = Omit<Photo, 'updatedAt' | 'exif'>;

const PAGE_COLUMNS = Prisma.sql`id::text, owner_id AS "ownerId", status::text, filename, content_type AS "contentType", bytes, sha256,
  width, height, taken_at AS "takenAt", taken_at_local AS "takenAtLocal", uploaded_at AS "uploadedAt", placeholder,
  dominant_color AS "dominantColor", variants, failure_code AS "failureCode", failure_reason AS "failureReason",
  status_event_time AS "statusEventTime", status_event_id AS "statusEventId"`;

/**
 * One page in SQL, because this is the hot path: Prisma's query builder costs several times the
 * database's own time here (measured by `npm run bench:metadata`), and SQL states the keyset directly:
 * `(uploaded_at, id) < (cursor)` in the order of photos_owner_uploaded_idx, which PostgreSQL reads as an
 * index range starting at the cursor, so a page costs the same at any depth.
 */
function pageSql(ownerId: string, query: PageQuery): Prisma.Sql {
  const { after, status, takenFrom, takenTo } = query;
  const conditions = [
    Prisma.sql`owner_id = ${ownerId}`,
    after ? Prisma.sql`(uploaded_at, id) < (${after.uploadedAt}::timestamptz, ${after.id}::uuid)` : Prisma.sql`uploaded_at IS NOT NULL`,
    ...(status ? [Prisma.sql`status = ${status}::photo_status`] : []),
    ...(takenFrom ? [Prisma.sql`taken_at_local >= ${takenFrom}::timestamp`] : []),
    ...(takenTo ? [Prisma.sql`taken_at_local < ${takenTo}::timestamp`] : []),
  ];
  return Prisma.sql`SELECT ${PAGE_COLUMNS} FROM photos WHERE ${Prisma.join(conditions, ' AND ')}
    ORDER BY uploaded_at DESC, id DESC LIMIT ${query.limit + 1}`;
}
