import { photoCatalogue, type PhotoDeleted } from '@photos/contracts';
import { BadRequestError, NotFoundError, problemResponses, type ServiceApp } from '@photos/service-kit';
import Type from 'typebox';
import type { AlbumStore } from '../adapters/album-store.js';
import type { PhotoQueries } from '../adapters/photo-queries.js';
import { decodeCursor } from '../domain/page-cursor.js';
import type { PageQuery } from '../domain/photo-page.js';
import { wallClockFilter } from '../domain/taken-at.js';
import { toPhotoDetail } from '../domain/photo-view.js';
import { PAGE_ETAG_PATTERN, type PhotoReads } from '../photo-reads.js';
import type { VisibleAlbums } from '../visible-albums.js';
import type { ProjectPhotoEvent } from '../project-photo-event.js';
import { CountsSchema, PageQuerySchema, PageSchema, PhotoParamsSchema, PhotoSchema } from './photo-schemas.js';

export interface PhotoRoutesDeps {
  reads: PhotoReads;
  /** Uncached reads, for decisions (DELETE) that must not rest on a cached answer. */
  queries: PhotoQueries;
  /** For a photo the caller sees through an album shared with them. */
  albums: Pick<AlbumStore, 'sharedPhoto'>;
  visibleAlbums: VisibleAlbums;
  publish: (event: PhotoDeleted) => Promise<void>;
  project: ProjectPhotoEvent;
  now: () => Date;
}

const UNAUTHORIZED = { 401: 'No valid bearer token.' };
const BAD_ID = { 400: 'The id is not a UUID.' };
const NO_PHOTO = { 404: "No photo with this id among the caller's (another owner's photo answers the same)." };
const NO_VISIBLE_PHOTO = { 404: 'No photo with this id that the caller owns or sees through an album shared with them.' };

const notFound = (id: string) => new NotFoundError(`No photo ${id}.`);

const ETAG_HEADER = {
  etag: Type.String({ description: 'The strong ETag of this page: send it back as If-None-Match to get a 304 while the page is unchanged.' }),
};

/** The one ETag of an `If-None-Match: "…"` naming a page ETag of ours; anything else (lists, `*`, weak tags) is not conditional. */
function pageEtagOf(header: string | undefined): string | undefined {
  if (header === undefined || header.length !== 24 || header[0] !== '"' || header[23] !== '"') return undefined;
  const etag = header.slice(1, 23);
  return PAGE_ETAG_PATTERN.test(etag) ? etag : undefined;
}

/** The request's page query in domain terms; a bad cursor or bound is the client's mistake (400). */
function pageQueryOf(query: { limit: number; cursor?: string; status?: PageQuery['status']; takenFrom?: string; takenTo?: string }): PageQuery {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (query.cursor !== undefined && !after) throw new BadRequestError('The cursor is not valid: pass the nextCursor of a previous page.');
  const bound = (name: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const date = wallClockFilter(value);
    if (!date) throw new BadRequestError(`${name} is not a valid date or date-time.`);
    return date;
  };
  const takenFrom = bound('takenFrom', query.takenFrom);
  const takenTo = bound('takenTo', query.takenTo);
  return {
    limit: query.limit,
    ...(after ? { after } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(takenFrom ? { takenFrom } : {}),
    ...(takenTo ? { takenTo } : {}),
  };
}

async function sharedPhotoDetail(deps: PhotoRoutesDeps, callerId: string, id: string) {
  const record = await deps.albums.sharedPhoto(callerId, id, await deps.visibleAlbums.of(callerId));
  return record ? toPhotoDetail(record) : undefined;
}

/**
 * The query API for the BFF. The caller is `request.user.sub`; a photo of anyone else is answered
 * exactly like a photo that does not exist (404), so ids cannot be probed.
 */
export function photoRoutes(app: ServiceApp, deps: PhotoRoutesDeps): void {
  app.get(
    '/photos',
    {
      schema: {
        summary: "The caller's photos, newest first",
        description:
          'Conditional: with `If-None-Match` set to the ETag of an earlier answer to the same caller and query, a 304 without a body ' +
          'while the page is byte for byte the same (the BFF then sends again the page it made from it).',
        querystring: PageQuerySchema,
        response: {
          200: { ...PageSchema, headers: ETAG_HEADER },
          304: Type.Null({ description: 'Not Modified: the page is still the one of the ETag given.', headers: ETAG_HEADER }),
          ...problemResponses({ 400: 'A query parameter is out of range, or the cursor or a date is not valid.', ...UNAUTHORIZED }),
        },
      },
    },
    async (request, reply) => {
      const query = pageQueryOf(request.query);
      const { limit, cursor, status, takenFrom, takenTo } = request.query;
      // The page's JSON as cached, sent as is (text or Redis' bytes skip the serializer): parsing a hit only
      // to serialize it again cost more than the rest of the request. Its fields are PageSchema's, in order.
      // The ETag is of the caller's own page (the key holds the owner): another's ETag never matches it.
      const { etag, json } = await deps.reads.pageJson(
        request.user.sub,
        query,
        JSON.stringify([limit, cursor, status, takenFrom, takenTo]),
        pageEtagOf(request.headers['if-none-match']),
      );
      reply.header('etag', `"${etag}"`);
      // No payload at all: Fastify would announce `null` (content-length: 4) on a 304 that has no body.
      if (json === undefined) return reply.code(304).send(undefined as never);
      return reply.type('application/json; charset=utf-8').send(json as never);
    },
  );

  app.get(
    '/photos/counts',
    { schema: { summary: "How many of the caller's photos are in each status", response: { 200: CountsSchema, ...problemResponses(UNAUTHORIZED) } } },
    async (request) => {
      const counts = await deps.reads.counts(request.user.sub);
      return { ...counts, total: counts.processing + counts.ready + counts.failed };
    },
  );

  app.get(
    '/photos/:id',
    {
      schema: {
        summary: "One photo, with its EXIF summary (the caller's own, or one in an album shared with them)",
        params: PhotoParamsSchema,
        response: { 200: PhotoSchema, ...problemResponses({ ...BAD_ID, ...UNAUTHORIZED, ...NO_VISIBLE_PHOTO }) },
      },
    },
    async (request) => {
      // The owner's read is cached per owner; a grantee's starts from their cached visible-album set
      // (invalidated on every grant change, so a revoke takes effect on the next request). Both decide
      // with domain/album-access.ts's accessOf.
      const photo = (await deps.reads.find(request.user.sub, request.params.id)) ?? (await sharedPhotoDetail(deps, request.user.sub, request.params.id));
      if (!photo) throw notFound(request.params.id);
      return photo;
    },
  );

  app.delete(
    '/photos/:id',
    {
      schema: {
        summary: 'Delete a photo (publishes photo.deleted)',
        params: PhotoParamsSchema,
        response: { 204: Type.Null({ description: 'Deleted.' }), ...problemResponses({ ...BAD_ID, ...UNAUTHORIZED, ...NO_PHOTO }) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const ownerId = request.user.sub;
      if (!(await deps.queries.find(ownerId, id))) throw notFound(id);
      const event = photoCatalogue.create(
        'photo.deleted',
        id,
        { photoId: id, ownerId, deletedAt: deps.now().toISOString() },
        {
          source: '/services/metadata',
          correlationId: request.id,
          ...(typeof request.headers.traceparent === 'string' ? { traceparent: request.headers.traceparent } : {}),
        },
      );
      // Published first: if that fails nothing is deleted and the client may retry. Then applied here
      // at once, so the owner's next read no longer shows it; the consumer will find it done already.
      await deps.publish(event);
      await deps.project(event);
      return reply.code(204).send(null);
    },
  );
}
