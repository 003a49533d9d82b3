import { Prisma, type Photo } from '../generated/prisma/client.js';
import type { ExifSummary, PhotoRecord, PhotoVariants } from '../domain/photo-record.js';

/** A `photos` row as the domain sees it. JSON columns hold what the projection wrote from the events. */
export function recordOf(row: Omit<Photo, 'updatedAt'>): PhotoRecord {
  const { exif, variants, ...rest } = row;
  return { ...rest, exif: (exif as ExifSummary | null) ?? null, variants: (variants as PhotoVariants | null) ?? null };
}

/** The columns of a record, for create and update (SQL NULL for absent JSON, not JSON `null`). */
export function rowOf(record: PhotoRecord): Prisma.PhotoCreateInput {
  return {
    ...record,
    exif: record.exif === null ? Prisma.DbNull : (record.exif as Prisma.InputJsonObject),
    variants: record.variants === null ? Prisma.DbNull : (record.variants as Prisma.InputJsonObject),
  };
}
