import { projectEvent, type ProjectedEvent, type Projection } from '../domain/photo-projection.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { recordOf, rowOf } from './photo-rows.js';

/** Applies events to the photos table; see {@link projectEvent} for the rules. */
export interface PhotoProjectionStore {
  /** Decides and applies what `event` changes, atomically; resolves with the decision. */
  apply(event: ProjectedEvent): Promise<Projection>;
}

/**
 * The Prisma store of projections. Each event is one transaction holding a per-photo advisory lock,
 * so that the consumer and a DELETE request handling the same photo at once cannot both read the old
 * state (the bus already serializes one photo's events within the group, not across the HTTP path).
 */
export function createPhotoProjectionStore(prisma: PrismaClient): PhotoProjectionStore {
  return {
    // maxWait: events are applied up to METADATA_CONCURRENCY at once; on a busy host a pooled connection
    // may take longer than Prisma's 2 s default to free up, which is no reason to fail the event.
    apply: (event) =>
      prisma.$transaction(
        async (tx) => {
          const id = event.data.photoId;
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${id}, 0))`;
          const [row, tombstone] = await Promise.all([
            tx.photo.findUnique({ where: { id }, omit: { updatedAt: true } }),
            tx.photoTombstone.findUnique({ where: { photoId: id } }),
          ]);
          const projection = projectEvent({ record: row ? recordOf(row) : undefined, tombstone: tombstone ?? undefined }, event);
          if (projection.kind === 'save') {
            const data = rowOf(projection.record);
            await tx.photo.upsert({ where: { id }, create: data, update: data });
          } else if (projection.kind === 'delete') {
            await tx.photo.deleteMany({ where: { id } });
            await tx.photoTombstone.create({ data: projection.tombstone });
          }
          return projection;
        },
        { maxWait: 10_000 },
      ),
  };
}
