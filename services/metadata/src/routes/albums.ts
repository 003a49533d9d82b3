import { randomUUID } from 'node:crypto';
import { photoCatalogue, type AlbumEvent } from '@photos/contracts';
import { BadRequestError, ForbiddenError, NotFoundError, problemResponses, type ServiceApp } from '@photos/service-kit';
import Type from 'typebox';
import { AlbumTargetGoneError, type AlbumStore, type AlbumSummary } from '../adapters/album-store.js';
import type { Access } from '../domain/album-access.js';
import { decideAddPhotos, decideCover, decideManage, decideRemovePhotos, decideShare, type Decision } from '../domain/album-decisions.js';
import { decodeCursor } from '../domain/page-cursor.js';
import { toPage } from '../domain/photo-page.js';
import {
  AlbumListSchema,
  AlbumPageQuerySchema,
  AlbumParamsSchema,
  AlbumPhotosAddedSchema,
  AlbumSchema,
  CreateAlbumSchema,
  GrantListSchema,
  GrantParamsSchema,
  PhotoIdsSchema,
  ShareSchema,
  UpdateAlbumSchema,
} from './album-schemas.js';
import type { MetadataMetrics } from '../metadata-metrics.js';
import type { VisibleAlbums } from '../visible-albums.js';
import { PageSchema } from './photo-schemas.js';

type AlbumEventName = AlbumEvent['type'] extends `${infer N}.v${number}` ? N : never;
type DataOf<N extends AlbumEventName> = Extract<AlbumEvent, { type: `${N}.v${number}` }>['data'];

export interface AlbumRoutesDeps {
  albums: AlbumStore;
  /** Invalidated after every committed grant change (share, revoke, album deletion). */
  visibleAlbums: Pick<VisibleAlbums, 'invalidate'>;
  now: () => Date;
  publish: (event: AlbumEvent) => Promise<void>;
  metrics: MetadataMetrics;
}

const UNAUTHORIZED = { 401: 'No valid bearer token.' };
const BAD_ID = { 400: 'The id or the body is not valid.' };
const NO_ALBUM = { 404: "No album with this id that the caller may see (another owner's unshared album answers the same)." };
const OWNER_ONLY = { 403: 'The caller sees the album through a grant but is not its owner.' };

/** The decision's value, or the HTTP error that says why not. */
export function settle<T>(decision: Decision<T>): T {
  if (decision.ok) return decision.value;
  if (decision.reason === 'not-found') throw new NotFoundError(decision.message);
  if (decision.reason === 'forbidden') throw new ForbiddenError(decision.message);
  throw new BadRequestError(decision.message);
}

const view = (album: AlbumSummary, access: Exclude<Access, undefined>) => ({
  ...album,
  access,
  createdAt: album.createdAt.toISOString(),
  updatedAt: album.updatedAt.toISOString(),
});

/** Announces album (and share link) events after their change is committed; the subject is the album (or photo) id. */
export function albumEventAnnouncer(app: ServiceApp, publish: (event: AlbumEvent) => Promise<void>, metrics: MetadataMetrics) {
  /**
   * Publishes an album event AFTER its change is committed (metadata has no outbox): a change the
   * database refused is never announced. If the bus then refuses the event, the change stands and the
   * caller gets its success; the event is lost, logged in full at error level (to replay by hand) and
   * counted in metadata_album_events_total{result="lost"}. At most once, honestly: an outbox table
   * written in the change's transaction is the fix when a consumer needs every event.
   */
  return async function announce<N extends AlbumEventName>(
    request: { id: string; headers: Record<string, unknown> },
    name: N,
    subject: string,
    data: DataOf<N>,
  ) {
    const traceparent = request.headers['traceparent'];
    const event = photoCatalogue.create(name, subject, data as never, {
      source: '/services/metadata',
      correlationId: request.id,
      ...(typeof traceparent === 'string' ? { traceparent } : {}),
    }) as AlbumEvent;
    try {
      await publish(event);
      metrics.albumEvents.inc({ type: event.type, result: 'published' });
    } catch (error) {
      metrics.albumEvents.inc({ type: event.type, result: 'lost' });
      app.log.error({ err: error, event }, 'album event not published after its change was committed');
    }
  };
}

/**
 * Albums and sharing, for the BFF. Every read and change starts from {@link AlbumStore.withAccess},
 * i.e. the one visibility rule (domain/album-access.ts); what the caller may then do is decided by
 * domain/album-decisions.ts. An album the caller may not see answers 404, like one that does not exist.
 */
export function albumRoutes(app: ServiceApp, { albums, visibleAlbums, now, publish, metrics }: AlbumRoutesDeps): void {
  const announce = albumEventAnnouncer(app, publish, metrics);

  const visible = async (callerId: string, albumId: string) => {
    const { album, access } = await albums.withAccess(callerId, albumId);
    if (!album || !access) throw new NotFoundError(`No album ${albumId}.`);
    return { album, access };
  };

  app.post(
    '/albums',
    {
      schema: {
        summary: 'Create an album',
        body: CreateAlbumSchema,
        response: { 201: AlbumSchema, ...problemResponses({ 400: 'The name is missing or too long.', ...UNAUTHORIZED }) },
      },
    },
    async (request, reply) => {
      const at = now();
      const album = await albums.create({ id: randomUUID(), ownerId: request.user.sub, name: request.body.name, coverPhotoId: null, createdAt: at });
      await announce(request, 'album.created', album.id, { albumId: album.id, ownerId: album.ownerId, name: album.name, createdAt: at.toISOString() });
      return reply.code(201).send(view({ ...album, photoCount: 0 }, 'owner'));
    },
  );

  app.get(
    '/albums',
    { schema: { summary: "The caller's own albums, newest first, with counts", response: { 200: AlbumListSchema, ...problemResponses(UNAUTHORIZED) } } },
    async (request) => ({ items: (await albums.owned(request.user.sub)).map((album) => view(album, 'owner')) }),
  );

  app.get(
    '/albums/shared',
    { schema: { summary: 'Albums shared with the caller, most recently shared first', response: { 200: AlbumListSchema, ...problemResponses(UNAUTHORIZED) } } },
    async (request) => ({ items: (await albums.sharedWith(request.user.sub)).map(({ role, sharedAt: _, ...album }) => view(album, role)) }),
  );

  app.get(
    '/albums/:id',
    {
      schema: {
        summary: 'One album',
        params: AlbumParamsSchema,
        response: { 200: AlbumSchema, ...problemResponses({ ...BAD_ID, ...UNAUTHORIZED, ...NO_ALBUM }) },
      },
    },
    async (request) => {
      const { album, access } = await visible(request.user.sub, request.params.id);
      return view(album, access);
    },
  );

  app.patch(
    '/albums/:id',
    {
      schema: {
        summary: 'Rename the album or set its cover (owner only)',
        params: AlbumParamsSchema,
        body: UpdateAlbumSchema,
        response: {
          200: AlbumSchema,
          ...problemResponses({ 400: 'Bad body, or the cover is not a photo of the album.', ...UNAUTHORIZED, ...OWNER_ONLY, ...NO_ALBUM }),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { name, coverPhotoId } = request.body;
      const { access } = await albums.withAccess(request.user.sub, id);
      settle(decideManage(id, access));
      if (coverPhotoId !== undefined) {
        const inAlbum = coverPhotoId !== null && (await albums.entries(id, [coverPhotoId])).length > 0;
        settle(decideCover(id, access, coverPhotoId, inAlbum));
      }
      await albums.update(id, { ...(name !== undefined ? { name } : {}), ...(coverPhotoId !== undefined ? { coverPhotoId } : {}) });
      const { album } = await visible(request.user.sub, id);
      return view(album, 'owner');
    },
  );

  app.delete(
    '/albums/:id',
    {
      schema: {
        summary: 'Delete the album (its photos stay; owner only)',
        params: AlbumParamsSchema,
        response: { 204: Type.Null({ description: 'Deleted.' }), ...problemResponses({ ...BAD_ID, ...UNAUTHORIZED, ...OWNER_ONLY, ...NO_ALBUM }) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      settle(decideManage(id, (await albums.withAccess(request.user.sub, id)).access));
      const granteeIds = (await albums.grants(id)).map((grant) => grant.granteeId);
      await albums.delete(id);
      await visibleAlbums.invalidate(granteeIds);
      await announce(request, 'album.deleted', id, { albumId: id, ownerId: request.user.sub, granteeIds, deletedAt: now().toISOString() });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/albums/:id/photos',
    {
      schema: {
        summary: "The album's photos, newest first (keyset pages, as the gallery)",
        params: AlbumParamsSchema,
        querystring: AlbumPageQuerySchema,
        response: { 200: PageSchema, ...problemResponses({ 400: 'Bad id, limit or cursor.', ...UNAUTHORIZED, ...NO_ALBUM }) },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && !after) throw new BadRequestError('The cursor is not valid: pass the nextCursor of a previous page.');
      await visible(request.user.sub, request.params.id);
      return toPage(await albums.page(request.params.id, { limit, ...(after ? { after } : {}) }), limit);
    },
  );

  app.post(
    '/albums/:id/photos',
    {
      schema: {
        summary: "Add photos to the album: the owner's or a contributor's own photos",
        params: AlbumParamsSchema,
        body: PhotoIdsSchema,
        response: {
          200: AlbumPhotosAddedSchema,
          ...problemResponses({ ...BAD_ID, ...UNAUTHORIZED, 403: 'The caller is a viewer.', 404: "No such album, or a photo is not among the caller's." }),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const callerId = request.user.sub;
      const { album, access } = await albums.withAccess(callerId, id);
      const found = access && access !== 'viewer' ? await albums.candidates(request.body.photoIds) : [];
      const ids = settle(decideAddPhotos({ albumId: id, callerId, access, photoIds: request.body.photoIds, found }));
      const byId = new Map(found.map((photo) => [photo.id, photo]));
      const at = now();
      const added = await albums
        .addPhotos(
          id,
          callerId,
          ids.map((photoId) => byId.get(photoId)!),
          at,
        )
        .catch((error: unknown) => {
          if (error instanceof AlbumTargetGoneError) throw new NotFoundError('A photo or the album was deleted meanwhile: nothing was added.');
          throw error;
        });
      if (added.length > 0 && album) {
        await announce(request, 'album.photos-added', id, {
          albumId: id,
          ownerId: album.ownerId,
          addedBy: callerId,
          photoIds: added,
          addedAt: at.toISOString(),
        });
      }
      return { added };
    },
  );

  app.post(
    '/albums/:id/photos/remove',
    {
      schema: {
        summary: 'Take photos out of the album (the photos stay): the owner any, a contributor what they added',
        params: AlbumParamsSchema,
        body: PhotoIdsSchema,
        response: {
          204: Type.Null({ description: 'Taken out (ids not in the album are ignored).' }),
          ...problemResponses({ ...BAD_ID, ...UNAUTHORIZED, 403: 'A viewer, or a contributor naming a photo someone else added.', ...NO_ALBUM }),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const callerId = request.user.sub;
      const { access } = await albums.withAccess(callerId, id);
      const entries = access && access !== 'viewer' ? await albums.entries(id, request.body.photoIds) : [];
      const ids = settle(decideRemovePhotos({ albumId: id, callerId, access, entries }));
      if (ids.length > 0) await albums.removePhotos(id, ids);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/albums/:id/grants',
    {
      schema: {
        summary: 'Who the album is shared with (owner only)',
        params: AlbumParamsSchema,
        response: { 200: GrantListSchema, ...problemResponses({ ...BAD_ID, ...UNAUTHORIZED, ...OWNER_ONLY, ...NO_ALBUM }) },
      },
    },
    async (request) => {
      const { id } = request.params;
      settle(decideManage(id, (await albums.withAccess(request.user.sub, id)).access));
      return { items: (await albums.grants(id)).map((grant) => ({ ...grant, createdAt: grant.createdAt.toISOString() })) };
    },
  );

  app.put(
    '/albums/:id/grants/:userId',
    {
      schema: {
        summary: 'Share the album with an account, or change its role (owner only)',
        params: GrantParamsSchema,
        body: ShareSchema,
        response: {
          204: Type.Null({ description: 'Shared.' }),
          ...problemResponses({ 400: 'Bad id or role, or the owner named themselves.', ...UNAUTHORIZED, ...OWNER_ONLY, ...NO_ALBUM }),
        },
      },
    },
    async (request, reply) => {
      const { id, userId } = request.params;
      const callerId = request.user.sub;
      const role = settle(
        decideShare({ albumId: id, ownerId: callerId, access: (await albums.withAccess(callerId, id)).access, granteeId: userId, role: request.body.role }),
      );
      const at = now();
      await albums.share(id, userId, role, at);
      await visibleAlbums.invalidate([userId]);
      await announce(request, 'album.shared', id, { albumId: id, ownerId: callerId, granteeId: userId, role, sharedAt: at.toISOString() });
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/albums/:id/grants/:userId',
    {
      schema: {
        summary: 'Revoke a share (owner only; takes effect on the next request)',
        params: GrantParamsSchema,
        response: {
          204: Type.Null({ description: 'Revoked (or was not shared).' }),
          ...problemResponses({ ...BAD_ID, ...UNAUTHORIZED, ...OWNER_ONLY, ...NO_ALBUM }),
        },
      },
    },
    async (request, reply) => {
      const { id, userId } = request.params;
      settle(decideManage(id, (await albums.withAccess(request.user.sub, id)).access));
      const revoked = await albums.revoke(id, userId);
      await visibleAlbums.invalidate([userId]);
      if (revoked) {
        await announce(request, 'album.share-revoked', id, { albumId: id, ownerId: request.user.sub, granteeId: userId, revokedAt: now().toISOString() });
      }
      return reply.code(204).send(null);
    },
  );
}
