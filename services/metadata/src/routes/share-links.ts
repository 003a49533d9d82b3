import { randomUUID } from 'node:crypto';
import {
  CreateShareLinkSchema,
  LinkOriginalSchema,
  LinkUnlockProofSchema,
  ShareLinkListSchema,
  StoredCreatedShareLinkSchema,
  StoredPhotoPageSchema,
  StoredSharedLinkSchema,
  UnlockShareLinkSchema,
} from '@photos/api-contracts';
import type { AlbumEvent } from '@photos/contracts';
import { BadRequestError, ForbiddenError, NotFoundError, problemResponses, type ServiceApp } from '@photos/service-kit';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { AlbumStore } from '../adapters/album-store.js';
import type { PhotoQueries } from '../adapters/photo-queries.js';
import { linkStateOf, type LinkTarget, type ShareLinkRow, type ShareLinkStore } from '../adapters/share-link-store.js';
import { linkAccessOf, type Access, type LinkRefusal, type LinkSubject } from '../domain/album-access.js';
import { decideManageLinks, decideNewLink } from '../domain/album-decisions.js';
import { decodeCursor } from '../domain/page-cursor.js';
import { toPage } from '../domain/photo-page.js';
import { toPhotoView } from '../domain/photo-view.js';
import type { MetadataMetrics } from '../metadata-metrics.js';
import { hashLinkPassword, hashLinkToken, LINK_TOKEN_PATTERN, newLinkToken, verifyLinkPassword, type LinkUnlockProofs } from '../share-link-secrets.js';
import type { VisibleAlbums } from '../visible-albums.js';
import { AlbumPageQuerySchema } from './album-schemas.js';
import { albumEventAnnouncer, settle } from './albums.js';

/** The header by which the BFF passes on a holder's proof of the link's password (kept in their cookie). */
export const LINK_PROOF_HEADER = 'x-share-link-proof';

/** A refusal with the lower-case `code` the public API documents (the problem handler answers statusCode and code). */
class LinkProblem extends Error {
  constructor(
    readonly statusCode: 401 | 410,
    readonly code: 'link-expired' | 'link-password-required' | 'link-password-wrong',
    detail: string,
  ) {
    super(detail);
  }
}

export interface ShareLinkRoutesDeps {
  links: ShareLinkStore;
  albums: Pick<AlbumStore, 'withAccess' | 'page' | 'sharedPhoto'>;
  queries: Pick<PhotoQueries, 'find'>;
  visibleAlbums: Pick<VisibleAlbums, 'of'>;
  proofs: LinkUnlockProofs;
  /** log2 of scrypt's N for link passwords. */
  scryptCost: number;
  now: () => Date;
  publish: (event: AlbumEvent) => Promise<void>;
  metrics: MetadataMetrics;
}

const Uuid = Type.String({ format: 'uuid' });
const TargetParams = Type.Object({ id: Uuid });
const LinkParams = Type.Object({ id: Uuid, linkId: Uuid });
const TokenParams = Type.Object({ token: Type.String({ maxLength: 200 }) });
const TokenPhotoParams = Type.Object({ token: Type.String({ maxLength: 200 }), photoId: Uuid });

const UNAUTHORIZED = { 401: 'No valid bearer token.' };
const HOLDER_REFUSED = {
  401: 'The link has a password and no valid proof of it came (code link-password-required).',
  404: 'No link with this token, or it was revoked.',
  410: 'The link has expired (code link-expired).',
};
const TOKEN_ROUTE = { public: true } as const;

const refusalError = (refusal: LinkRefusal) =>
  refusal === 'expired'
    ? new LinkProblem(410, 'link-expired', 'This link has expired.')
    : refusal === 'password-required'
      ? new LinkProblem(401, 'link-password-required', 'This link is protected by a password: unlock it first.')
      : new NotFoundError('No such link, or it was revoked.');

/** What a link opens, as its events name it (one key, the subject). */
const targetOf = (link: ShareLinkRow): LinkTarget => (link.albumId !== null ? { albumId: link.albumId } : { photoId: link.photoId! });

const linkView = (link: ShareLinkRow) => ({
  id: link.id,
  expiresAt: link.expiresAt?.toISOString() ?? null,
  hasPassword: link.passwordHash !== null,
  allowDownload: link.allowDownload,
  createdAt: link.createdAt.toISOString(),
});

/**
 * Share links. The owner makes, lists and revokes them (as any album change: withAccess, then
 * album-decisions.ts). A holder's requests carry only the token (routes public here: the BFF calls them
 * for holders who have no account; the token is the credential) and every one of them is decided by
 * `linkAccessOf` (domain/album-access.ts), the visibility rule with the link as the only grant.
 */
export function shareLinkRoutes(app: ServiceApp, deps: ShareLinkRoutesDeps): void {
  const { links, albums, now } = deps;
  const announce = albumEventAnnouncer(app, deps.publish, deps.metrics);

  /** What the caller is to a photo: its owner, a grantee through an album shared with them, or nothing. */
  async function photoAccess(callerId: string, photoId: string): Promise<Access> {
    if (await deps.queries.find(callerId, photoId)) return 'owner';
    return (await albums.sharedPhoto(callerId, photoId, await deps.visibleAlbums.of(callerId))) ? 'viewer' : undefined;
  }

  const targets = [
    { kind: 'album' as const, path: '/albums/:id/links', access: async (callerId: string, id: string) => (await albums.withAccess(callerId, id)).access },
    { kind: 'photo' as const, path: '/photos/:id/links', access: photoAccess },
  ];
  for (const target of targets) {
    const NOT_VISIBLE = { 404: `No ${target.kind} with this id that the caller may see.` };
    const OWNER_ONLY = { 403: `The caller sees the ${target.kind} through a shared album but is not its owner.` };
    const where = (id: string): LinkTarget => (target.kind === 'album' ? { albumId: id } : { photoId: id });

    app.post(
      target.path,
      {
        schema: {
          summary: `Make a share link to the ${target.kind} (owner only); the token is answered only now`,
          params: TargetParams,
          body: CreateShareLinkSchema,
          response: {
            201: StoredCreatedShareLinkSchema,
            ...problemResponses({ 400: 'Bad id or body, or expiresAt is not in the future.', ...UNAUTHORIZED, ...OWNER_ONLY, ...NOT_VISIBLE }),
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const callerId = request.user.sub;
        const at = now();
        const expiresAt = request.body.expiresAt ? new Date(request.body.expiresAt) : null;
        settle(decideNewLink({ target: target.kind, id, access: await target.access(callerId, id), expiresAt, now: at }));
        const token = newLinkToken();
        const { password } = request.body;
        const link = await links.create({
          id: randomUUID(),
          tokenHash: hashLinkToken(token),
          albumId: target.kind === 'album' ? id : null,
          photoId: target.kind === 'photo' ? id : null,
          ownerId: callerId,
          expiresAt,
          passwordHash: password === undefined ? null : await hashLinkPassword(password, deps.scryptCost),
          allowDownload: request.body.allowDownload ?? false,
          createdAt: at,
        });
        await announce(request, 'share-link.created', id, {
          linkId: link.id,
          ...targetOf(link),
          ownerId: callerId,
          expiresAt: link.expiresAt?.toISOString() ?? null,
          hasPassword: link.passwordHash !== null,
          allowDownload: link.allowDownload,
          createdAt: at.toISOString(),
        });
        return reply.code(201).send({ ...linkView(link), token });
      },
    );

    app.get(
      target.path,
      {
        schema: {
          summary: `The ${target.kind}'s live share links, newest first (owner only; never their tokens)`,
          params: TargetParams,
          response: { 200: ShareLinkListSchema, ...problemResponses({ 400: 'Bad id.', ...UNAUTHORIZED, ...OWNER_ONLY, ...NOT_VISIBLE }) },
        },
      },
      async (request) => {
        const { id } = request.params;
        settle(decideManageLinks(target.kind, id, await target.access(request.user.sub, id)));
        return { items: (await links.listOf(where(id))).map(linkView) };
      },
    );

    app.delete(
      `${target.path}/:linkId`,
      {
        schema: {
          summary: `Revoke a share link of the ${target.kind} (owner only): its holders get 404 from their next request`,
          params: LinkParams,
          response: {
            204: Type.Null({ description: 'Revoked.' }),
            ...problemResponses({
              400: 'Bad id.',
              ...UNAUTHORIZED,
              ...OWNER_ONLY,
              404: `No such ${target.kind} that the caller may see, or no live link of it with this id.`,
            }),
          },
        },
      },
      async (request, reply) => {
        const { id, linkId } = request.params;
        settle(decideManageLinks(target.kind, id, await target.access(request.user.sub, id)));
        const link = await links.revoke(where(id), linkId, now());
        if (!link) throw new NotFoundError(`No live link ${linkId} of this ${target.kind}.`);
        await announce(request, 'share-link.revoked', id, {
          linkId,
          ...targetOf(link),
          ownerId: link.ownerId,
          revokedAt: link.revokedAt!.toISOString(),
        });
        return reply.code(204).send(null);
      },
    );
  }

  /** The link of a token (undefined when the token cannot be one or is unknown). */
  async function linkOf(token: string) {
    return new RegExp(LINK_TOKEN_PATTERN).test(token) ? links.byTokenHash(hashLinkToken(token)) : undefined;
  }

  const unlocked = (request: FastifyRequest, link: ShareLinkRow | undefined) => {
    const proof = request.headers[LINK_PROOF_HEADER];
    return link !== undefined && deps.proofs.valid(typeof proof === 'string' ? proof : undefined, link.id, now());
  };

  /** What the link opens, once the rule has let the holder in: throws its refusal otherwise. */
  async function opened(request: FastifyRequest, token: string) {
    const link = await linkOf(token);
    const context = { now: now(), unlocked: unlocked(request, link) };
    const gate = linkAccessOf(link && linkStateOf(link), undefined, context);
    if ('refused' in gate) throw refusalError(gate.refused);
    const live = link!;
    let subject: LinkSubject | undefined;
    let album: Awaited<ReturnType<ShareLinkStore['album']>>;
    let photo: Awaited<ReturnType<ShareLinkStore['photo']>>;
    if (live.albumId !== null) {
      album = await links.album(live.albumId);
      subject = album && { kind: 'album', id: album.id, ownerId: album.ownerId };
    } else {
      photo = await links.photo(live.photoId!, []);
      subject = photo && { kind: 'photo', id: photo.record.id, ownerId: photo.record.ownerId, albumIds: photo.albumIds };
    }
    const decided = linkAccessOf(linkStateOf(live), subject, context);
    if ('refused' in decided || decided.access === undefined) throw new NotFoundError('No such link, or it was revoked.');
    return { link: live, album, photo, context };
  }

  app.get(
    '/links/:token',
    {
      config: TOKEN_ROUTE,
      schema: {
        security: [],
        summary: 'What a share link opens (for its holder; no account)',
        description: `The token is the credential. A password-protected link needs the proof of POST /links/{token}/unlock in ${LINK_PROOF_HEADER}.`,
        params: TokenParams,
        response: { 200: StoredSharedLinkSchema, ...problemResponses(HOLDER_REFUSED) },
      },
    },
    async (request) => {
      const { link, album, photo } = await opened(request, request.params.token);
      return {
        kind: album ? ('album' as const) : ('photo' as const),
        ...(album ? { album: { id: album.id, title: album.name, photoCount: album.photoCount } } : {}),
        ...(photo ? { photo: toPhotoView(photo.record) } : {}),
        allowDownload: link.allowDownload,
        expiresAt: link.expiresAt?.toISOString() ?? null,
      };
    },
  );

  app.post(
    '/links/:token/unlock',
    {
      config: TOKEN_ROUTE,
      schema: {
        security: [],
        summary: "Check a share link's password; answers the proof to pass in " + LINK_PROOF_HEADER,
        description: 'The BFF throttles wrong passwords per link and client address before calling this.',
        params: TokenParams,
        body: UnlockShareLinkSchema,
        response: {
          200: LinkUnlockProofSchema,
          ...problemResponses({
            400: 'No password in the body.',
            401: 'Wrong password (code link-password-wrong).',
            404: HOLDER_REFUSED[404],
            410: HOLDER_REFUSED[410],
          }),
        },
      },
    },
    async (request) => {
      const link = await linkOf(request.params.token);
      const gate = linkAccessOf(link && linkStateOf(link), undefined, { now: now(), unlocked: true });
      if ('refused' in gate) throw refusalError(gate.refused);
      if (link!.passwordHash !== null && !(await verifyLinkPassword(request.body.password, link!.passwordHash))) {
        throw new LinkProblem(401, 'link-password-wrong', 'Wrong password for this link.');
      }
      const { proof, expiresAt } = deps.proofs.issue(link!.id, now());
      return { proof, expiresAt: expiresAt.toISOString() };
    },
  );

  app.get(
    '/links/:token/photos',
    {
      config: TOKEN_ROUTE,
      schema: {
        security: [],
        summary: "The photos a share link opens, newest first: its album's (keyset pages), or its one photo",
        params: TokenParams,
        querystring: AlbumPageQuerySchema,
        response: { 200: StoredPhotoPageSchema, ...problemResponses({ 400: 'Bad limit or cursor.', ...HOLDER_REFUSED }) },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && !after) throw new BadRequestError('The cursor is not valid: pass the nextCursor of a previous page.');
      const { album, photo } = await opened(request, request.params.token);
      if (album) return toPage(await albums.page(album.id, { limit, ...(after ? { after } : {}) }), limit);
      return { items: cursor === undefined && photo ? [toPhotoView(photo.record)] : [], nextCursor: null };
    },
  );

  app.get(
    '/links/:token/photos/:photoId/original',
    {
      config: TOKEN_ROUTE,
      schema: {
        security: [],
        summary: "Where the original of a share link's photo is, when the link allows downloads",
        params: TokenPhotoParams,
        response: {
          200: LinkOriginalSchema,
          ...problemResponses({
            ...HOLDER_REFUSED,
            400: 'The photo id is not a UUID.',
            403: 'The link does not allow downloads.',
            404: 'No such link (or revoked), or the photo is not one the link opens.',
          }),
        },
      },
    },
    async (request) => {
      const { link, context } = await opened(request, request.params.token);
      const { photoId } = request.params;
      const found = await links.photo(photoId, link.albumId === null ? [] : [link.albumId]);
      const subject: LinkSubject | undefined = found && { kind: 'photo', id: photoId, ownerId: found.record.ownerId, albumIds: found.albumIds };
      const decided = linkAccessOf(linkStateOf(link), subject, context);
      if ('refused' in decided || decided.access === undefined || !found) throw new NotFoundError(`No photo ${photoId} behind this link.`);
      if (!link.allowDownload) throw new ForbiddenError('This link does not allow downloading originals.');
      if (!found.record.originalKey) throw new NotFoundError(`The original of photo ${photoId} is not known.`);
      return { originalKey: found.record.originalKey };
    },
  );
}
