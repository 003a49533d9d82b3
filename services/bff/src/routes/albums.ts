import {
  AlbumListSchema,
  AlbumShareListSchema,
  AlbumPhotoIdsSchema,
  AlbumPhotosAddedSchema,
  AlbumSchema,
  CreateAlbumSchema,
  ShareAlbumSchema,
  UpdateAlbumSchema,
} from '@photos/api-contracts';
import { NotFoundError, problemResponses, type ServiceApp } from '@photos/service-kit';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { AlbumsClient } from '../adapters/albums-client.js';
import type { MediaUrls } from '../adapters/media-urls.js';
import type { CallerContext } from '../adapters/metadata-client.js';
import { normalizeEmail, type AccountStore } from '../domain/accounts.js';
import { withUrls } from '../domain/photo-view.js';
import { CSRF_REFUSED, JSON_BODY_REFUSED, NOT_AUTHENTICATED, PageQuery, PhotoPageSchema, SECURITY, UPSTREAM_FAILED } from './schemas.js';

const caller = (request: FastifyRequest): CallerContext => ({ authorization: request.headers.authorization ?? '', correlationId: request.id });

const AlbumIdParams = Type.Object({ id: Type.String({ format: 'uuid', description: 'The album id.' }) });
const GrantParams = Type.Object({
  id: Type.String({ format: 'uuid', description: 'The album id.' }),
  userId: Type.String({ minLength: 1, maxLength: 255, description: "The grantee's account id (granteeId of the shares list)." }),
});

const BAD_ID = { 400: 'The album id is not a UUID.' };
const NO_ALBUM = { 404: 'No album with this id that the caller may see (an album of someone else, not shared with the caller, answers the same).' };
const OWNER_ONLY = { 403: 'The album is shared with the caller but only its owner may do this; or, by cookie, X-CSRF-Token is missing or wrong.' };
const tags = ['albums'];

/**
 * The album routes of the public API. Metadata owns albums and decides who may see or change what (one
 * visibility rule, see its domain/album-access.ts); these routes add what only the BFF knows: accounts
 * by email, and signed URLs for the photos.
 */
export function albumRoutes(
  app: ServiceApp,
  deps: { albums: AlbumsClient; accounts: Pick<AccountStore, 'findByEmail' | 'emailsOf'>; media: MediaUrls; sharesPerMinute: number },
): void {
  const { albums } = deps;

  app.get(
    '/api/albums',
    {
      schema: {
        summary: 'My albums, newest first, with photo counts',
        tags,
        security: SECURITY.read,
        response: { 200: AlbumListSchema, ...problemResponses({ ...NOT_AUTHENTICATED, ...UPSTREAM_FAILED }) },
      },
    },
    (request) => albums.owned(caller(request)),
  );

  app.get(
    '/api/albums/shared',
    {
      schema: {
        summary: 'Albums shared with me, most recently shared first',
        tags,
        security: SECURITY.read,
        response: { 200: AlbumListSchema, ...problemResponses({ ...NOT_AUTHENTICATED, ...UPSTREAM_FAILED }) },
      },
    },
    (request) => albums.sharedWithMe(caller(request)),
  );

  app.post(
    '/api/albums',
    {
      schema: {
        summary: 'Create an album',
        tags,
        security: SECURITY.write,
        body: CreateAlbumSchema,
        response: { 201: AlbumSchema, ...problemResponses({ ...JSON_BODY_REFUSED, ...NOT_AUTHENTICATED, ...CSRF_REFUSED, ...UPSTREAM_FAILED }) },
      },
    },
    async (request, reply) => reply.code(201).send(await albums.create(caller(request), request.body.name)),
  );

  app.get(
    '/api/albums/:id',
    {
      schema: {
        summary: 'One album (mine, or shared with me)',
        tags,
        security: SECURITY.read,
        params: AlbumIdParams,
        response: { 200: AlbumSchema, ...problemResponses({ ...BAD_ID, ...NOT_AUTHENTICATED, ...NO_ALBUM, ...UPSTREAM_FAILED }) },
      },
    },
    (request) => albums.get(caller(request), request.params.id),
  );

  app.patch(
    '/api/albums/:id',
    {
      schema: {
        summary: 'Rename my album or set its cover',
        tags,
        security: SECURITY.write,
        params: AlbumIdParams,
        body: UpdateAlbumSchema,
        response: {
          200: AlbumSchema,
          ...problemResponses({ ...JSON_BODY_REFUSED, ...NOT_AUTHENTICATED, ...OWNER_ONLY, ...NO_ALBUM, ...UPSTREAM_FAILED }),
        },
      },
    },
    (request) => albums.update(caller(request), request.params.id, request.body),
  );

  app.delete(
    '/api/albums/:id',
    {
      schema: {
        summary: 'Delete my album (its photos stay)',
        tags,
        security: SECURITY.write,
        params: AlbumIdParams,
        response: {
          204: Type.Null({ description: 'Deleted.' }),
          ...problemResponses({ ...BAD_ID, ...NOT_AUTHENTICATED, ...OWNER_ONLY, ...NO_ALBUM, ...UPSTREAM_FAILED }),
        },
      },
    },
    async (request, reply) => {
      await albums.delete(caller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/albums/:id/photos',
    {
      schema: {
        summary: "The album's photos, newest first",
        description: 'Newest first by upload time, as GET /api/photos; follow `nextCursor` for the next page.',
        tags,
        security: SECURITY.read,
        params: AlbumIdParams,
        querystring: PageQuery,
        response: {
          200: PhotoPageSchema,
          ...problemResponses({ 400: 'Bad album id, limit or cursor.', ...NOT_AUTHENTICATED, ...NO_ALBUM, ...UPSTREAM_FAILED }),
        },
      },
    },
    async (request) => {
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries(request.query)) if (value !== undefined) query.set(name, String(value));
      const page = await albums.photos(caller(request), request.params.id, query);
      return { items: await Promise.all(page.items.map((photo) => withUrls(photo, (key) => deps.media.variant(key)))), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/api/albums/:id/photos',
    {
      schema: {
        summary: 'Add my photos to an album (mine, or one shared with me as contributor)',
        tags,
        security: SECURITY.write,
        params: AlbumIdParams,
        body: AlbumPhotoIdsSchema,
        response: {
          200: AlbumPhotosAddedSchema,
          ...problemResponses({
            ...JSON_BODY_REFUSED,
            ...NOT_AUTHENTICATED,
            403: 'The album is shared with me as viewer; or, by cookie, X-CSRF-Token is missing or wrong.',
            404: 'No such album that I may see, or a photo is not mine (nothing is added).',
            ...UPSTREAM_FAILED,
          }),
        },
      },
    },
    (request) => albums.addPhotos(caller(request), request.params.id, request.body.photoIds),
  );

  app.post(
    '/api/albums/:id/photos/remove',
    {
      schema: {
        summary: 'Take photos out of an album (the photos stay)',
        description: 'The owner takes out any photo, a contributor only those they added. Ids not in the album are ignored.',
        tags,
        security: SECURITY.write,
        params: AlbumIdParams,
        body: AlbumPhotoIdsSchema,
        response: {
          204: Type.Null({ description: 'Taken out.' }),
          ...problemResponses({
            ...JSON_BODY_REFUSED,
            ...NOT_AUTHENTICATED,
            403: 'A viewer, or a contributor naming a photo someone else added; or, by cookie, X-CSRF-Token is missing or wrong.',
            ...NO_ALBUM,
            ...UPSTREAM_FAILED,
          }),
        },
      },
    },
    async (request, reply) => {
      await albums.removePhotos(caller(request), request.params.id, request.body.photoIds);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/albums/:id/shares',
    {
      schema: {
        summary: 'Who my album is shared with: account id, email and role, first shared first',
        tags,
        security: SECURITY.read,
        params: AlbumIdParams,
        response: {
          200: AlbumShareListSchema,
          ...problemResponses({
            ...BAD_ID,
            ...NOT_AUTHENTICATED,
            403: 'The album is shared with me; only its owner sees its shares.',
            ...NO_ALBUM,
            ...UPSTREAM_FAILED,
          }),
        },
      },
    },
    async (request) => {
      // Metadata knows grantees by account id only; the emails are the BFF's (its accounts database).
      const { items } = await albums.grants(caller(request), request.params.id);
      const emails = await deps.accounts.emailsOf(items.map((grant) => grant.granteeId));
      return { items: items.map(({ granteeId, role, createdAt }) => ({ userId: granteeId, email: emails.get(granteeId) ?? null, role, createdAt })) };
    },
  );

  app.post(
    '/api/albums/:id/shares',
    {
      config: { rateLimit: { max: deps.sharesPerMinute, timeWindow: '1 minute', keyGenerator: (r: FastifyRequest) => r.user?.sub ?? r.ip } },
      schema: {
        summary: 'Share my album with an account, by email (or change its role)',
        description:
          "The grantee sees the album and its photos (viewer), and may add their own photos (contributor); never the owner's other photos. " +
          'An unknown email answers 404: a logged-in user can learn whether an email has an account, so this route is rate limited per user.',
        tags,
        security: SECURITY.write,
        params: AlbumIdParams,
        body: ShareAlbumSchema,
        response: {
          200: Type.Object({ granteeId: Type.String(), role: ShareAlbumSchema.properties.role }, { description: 'Shared.' }),
          ...problemResponses({
            ...JSON_BODY_REFUSED,
            ...NOT_AUTHENTICATED,
            ...OWNER_ONLY,
            404: 'No such album that I may see, or no account with this email.',
            429: 'Too many shares by this user this minute (Retry-After).',
            ...UPSTREAM_FAILED,
          }),
        },
      },
    },
    async (request) => {
      const { email, role } = request.body;
      const account = await deps.accounts.findByEmail(normalizeEmail(email));
      if (!account) throw new NotFoundError('No account with this email.');
      await albums.share(caller(request), request.params.id, account.id, role);
      return { granteeId: account.id, role };
    },
  );

  app.delete(
    '/api/albums/:id/shares/:userId',
    {
      schema: {
        summary: 'Stop sharing my album with an account (takes effect on their next request)',
        tags,
        security: SECURITY.write,
        params: GrantParams,
        response: {
          204: Type.Null({ description: 'Revoked (or was not shared).' }),
          ...problemResponses({ ...BAD_ID, ...NOT_AUTHENTICATED, ...OWNER_ONLY, ...NO_ALBUM, ...UPSTREAM_FAILED }),
        },
      },
    },
    async (request, reply) => {
      await albums.revoke(caller(request), request.params.id, request.params.userId);
      return reply.code(204).send(null);
    },
  );
}
