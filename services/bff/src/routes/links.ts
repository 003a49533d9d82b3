import { createHash } from 'node:crypto';
import { CreatedShareLinkSchema, CreateShareLinkSchema, SharedLinkSchema, ShareLinkListSchema, UnlockShareLinkSchema } from '@photos/api-contracts';
import { problemResponses, TooManyRequestsError, type ServiceApp } from '@photos/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { MediaUrls } from '../adapters/media-urls.js';
import type { CallerContext } from '../adapters/metadata-client.js';
import type { HolderContext, ShareLinksClient } from '../adapters/share-links-client.js';
import type { LoginThrottle } from '../domain/accounts.js';
import { withUrls } from '../domain/photo-view.js';
import { JSON_BODY_REFUSED, NOT_AUTHENTICATED, PageQuery, PhotoPageSchema, SECURITY, UPSTREAM_FAILED } from './schemas.js';

export interface LinkRoutesDeps {
  links: ShareLinksClient;
  media: MediaUrls;
  /** Requests to each /api/links/* route per client address per minute. */
  linksPerMinute: number;
  /** Wrong passwords per link and client address before 429, for the throttle's window (15 min). */
  unlockMaxFailures: number;
  /** Counts unlock attempts per (link, address); reset by the right password. */
  unlockThrottle: LoginThrottle;
  /** Secure cookies (HTTPS only), as the session's. */
  secureCookies: boolean;
}

const caller = (request: FastifyRequest): CallerContext => ({ authorization: request.headers.authorization ?? '', correlationId: request.id });

const TargetParams = (what: string) => Type.Object({ id: Type.String({ format: 'uuid', description: `The ${what} id.` }) });
const LinkParams = (what: string) =>
  Type.Object({ id: Type.String({ format: 'uuid', description: `The ${what} id.` }), linkId: Type.String({ format: 'uuid', description: 'The link id.' }) });
const Token = Type.String({ minLength: 1, maxLength: 200, description: 'The token of the link (from its URL, /s/{token}).' });
const TokenParams = Type.Object({ token: Token });
const TokenPhotoParams = Type.Object({ token: Token, photoId: Type.String({ format: 'uuid', description: 'A photo the link opens.' }) });

const HOLDER_REFUSED = {
  401: 'The link has a password and this browser has not unlocked it (code link-password-required): POST /api/links/{token}/unlock.',
  404: 'No link with this token, or it was revoked (or what it opened was deleted).',
  410: 'The link has expired (code link-expired).',
  429: 'Too many requests to /api/links from this address this minute (Retry-After).',
};
const tags = ['share links'];

/** The cookie holding the proof of a link's password; scoped to that link's API path. */
const proofCookieName = (secure: boolean) => (secure ? '__Secure-photos-link-proof' : 'photos-link-proof');
const linkPath = (token: string) => `/api/links/${encodeURIComponent(token)}`;
/** What the unlock throttle counts per: the link (its token's hash, never the token), and the address. */
const throttleKey = (token: string) => `link:${createHash('sha256').update(token).digest('hex')}`;

/**
 * Share links: the owner makes, lists and revokes them (POST/GET/DELETE /api/albums/{id}/links and
 * /api/photos/{id}/links), and anyone holding a link's token sees what it opens at /api/links/{token}
 * (no account; the web page is /s/{token}). Metadata decides every answer with its one visibility rule
 * (linkAccessOf beside accessOf); the BFF adds media URLs, the unlock cookie, and the rate limits.
 */
export function linkRoutes(app: ServiceApp, deps: LinkRoutesDeps): void {
  const { links } = deps;
  const cookieName = proofCookieName(deps.secureCookies);

  for (const [kind, what] of [
    ['albums', 'album'],
    ['photos', 'photo'],
  ] as const) {
    const NOT_VISIBLE = { 404: `No ${what} with this id that I may see (another user's answers the same).` };
    const OWNER_ONLY = { 403: `The ${what} is shared with me but only its owner manages its links; or, by cookie, X-CSRF-Token is missing or wrong.` };

    app.post(
      `/api/${kind}/:id/links`,
      {
        schema: {
          summary: `Make a share link to my ${what}`,
          description:
            'Anyone holding the link sees the ' +
            (what === 'album' ? "album's photos" : 'photo') +
            ' without an account, view only, until it expires or is revoked. The token is in this answer only (only its hash is stored).',
          tags,
          security: SECURITY.write,
          params: TargetParams(what),
          body: CreateShareLinkSchema,
          response: {
            201: CreatedShareLinkSchema,
            ...problemResponses({
              ...JSON_BODY_REFUSED,
              400: 'Bad id or body (password of 4-128 characters; expiresAt a date-time in the future).',
              ...NOT_AUTHENTICATED,
              ...OWNER_ONLY,
              ...NOT_VISIBLE,
              ...UPSTREAM_FAILED,
            }),
          },
        },
      },
      async (request, reply) => {
        const link = await links.create(caller(request), kind, request.params.id, request.body);
        return reply.code(201).send({ ...link, url: `/s/${link.token}` });
      },
    );

    app.get(
      `/api/${kind}/:id/links`,
      {
        schema: {
          summary: `The live share links of my ${what}, newest first (without their tokens)`,
          tags,
          security: SECURITY.read,
          params: TargetParams(what),
          response: {
            200: ShareLinkListSchema,
            ...problemResponses({ 400: `The ${what} id is not a UUID.`, ...NOT_AUTHENTICATED, 403: OWNER_ONLY[403], ...NOT_VISIBLE, ...UPSTREAM_FAILED }),
          },
        },
      },
      (request) => links.list(caller(request), kind, request.params.id),
    );

    app.delete(
      `/api/${kind}/:id/links/:linkId`,
      {
        schema: {
          summary: `Revoke a share link of my ${what}: it opens nothing from the next request`,
          tags,
          security: SECURITY.write,
          params: LinkParams(what),
          response: {
            204: Type.Null({ description: 'Revoked.' }),
            ...problemResponses({
              400: 'An id is not a UUID.',
              ...NOT_AUTHENTICATED,
              ...OWNER_ONLY,
              404: `No such ${what} that I may see, or no live link of it with this id.`,
              ...UPSTREAM_FAILED,
            }),
          },
        },
      },
      async (request, reply) => {
        await links.revoke(caller(request), kind, request.params.id, request.params.linkId);
        return reply.code(204).send(null);
      },
    );
  }

  // The holder's routes: no account, no CSRF (reads, and an unlock that only sets a cookie for this link).
  // Each route counts per address (the plugin's stores keep one counter per route, groupId or not).
  const config = { public: true, rateLimit: { max: deps.linksPerMinute, timeWindow: '1 minute' } };
  const holder = (request: FastifyRequest): HolderContext => {
    const proof = request.cookies[cookieName];
    return { correlationId: request.id, ...(proof ? { proof } : {}) };
  };
  // A revoked link must stop at once: nothing of a link's answers is kept by browsers or proxies.
  const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');
  const variantUrl = (key: string) => deps.media.variant(key);

  app.get(
    '/api/links/:token',
    {
      config,
      schema: {
        summary: 'What a share link opens (no account needed)',
        description: 'An album (title, photo count; its photos at /api/links/{token}/photos) or one photo. Answers are never cached.',
        tags,
        security: SECURITY.public,
        params: TokenParams,
        response: { 200: SharedLinkSchema, ...problemResponses({ ...HOLDER_REFUSED, ...UPSTREAM_FAILED }) },
      },
    },
    async (request, reply) => {
      noStore(reply);
      const { photo, ...shared } = await links.open(holder(request), request.params.token);
      return { ...shared, ...(photo ? { photo: await withUrls(photo, variantUrl) } : {}) };
    },
  );

  app.post(
    '/api/links/:token/unlock',
    {
      config,
      schema: {
        summary: "Unlock a password-protected share link in this browser (sets the link's cookie)",
        description:
          `On the right password: 204 and an httpOnly cookie (${cookieName}, SameSite=Lax, Path=/api/links/{token}) proving it for 12 hours. ` +
          'Wrong passwords are limited per link and client address (429 with Retry-After beyond; the window is 15 minutes).',
        tags,
        security: SECURITY.public,
        params: TokenParams,
        body: UnlockShareLinkSchema,
        response: {
          204: Type.Null({ description: 'Unlocked: the cookie is set (Set-Cookie).' }),
          ...problemResponses({
            ...JSON_BODY_REFUSED,
            401: 'Wrong password (code link-password-wrong).',
            404: HOLDER_REFUSED[404],
            410: HOLDER_REFUSED[410],
            429: 'Too many wrong passwords for this link from this address (Retry-After), or too many requests to /api/links this minute.',
            ...UPSTREAM_FAILED,
          }),
        },
      },
    },
    async (request, reply) => {
      const { token } = request.params;
      const key = throttleKey(token);
      // Counted before the check, so parallel guesses count too; the right password starts again.
      const attempt = await deps.unlockThrottle.attempt(key, request.ip);
      if (attempt.fromAddress > deps.unlockMaxFailures) {
        reply.header('retry-after', Math.max(1, Math.ceil(attempt.addressWindowMs / 1000)));
        throw new TooManyRequestsError('Too many wrong passwords for this link from this address: try again later.');
      }
      const { proof, expiresAt } = await links.unlock({ correlationId: request.id }, token, request.body.password);
      await deps.unlockThrottle.succeeded(key, request.ip);
      reply.setCookie(cookieName, proof, {
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.secureCookies,
        path: linkPath(token),
        expires: new Date(expiresAt),
      });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/links/:token/photos',
    {
      config,
      schema: {
        summary: 'The photos a share link opens, newest first (no account needed)',
        description: "An album link: the album's photos, by pages (follow nextCursor). A photo link: that photo.",
        tags,
        security: SECURITY.public,
        params: TokenParams,
        querystring: PageQuery,
        response: {
          200: PhotoPageSchema,
          ...problemResponses({ 400: 'limit is not 1-100, or the cursor is not one of ours.', ...HOLDER_REFUSED, ...UPSTREAM_FAILED }),
        },
      },
    },
    async (request, reply) => {
      noStore(reply);
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries(request.query)) if (value !== undefined) query.set(name, String(value));
      const page = await links.photos(holder(request), request.params.token, query);
      return { items: await Promise.all(page.items.map((photo) => withUrls(photo, variantUrl))), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/links/:token/photos/:photoId/original',
    {
      config,
      schema: {
        summary: "A share link's photo's original, by a redirect to a signed URL (when the link allows downloads)",
        tags,
        security: SECURITY.public,
        params: TokenPhotoParams,
        response: {
          302: Type.Null({
            description: 'Found: the original is at Location.',
            headers: { location: Type.String({ description: 'Signed, short-lived URL of the original.' }) },
          }),
          ...problemResponses({
            400: 'The photo id is not a UUID.',
            ...HOLDER_REFUSED,
            403: 'The link does not allow downloading originals.',
            404: 'No such link (or revoked), or the photo is not one the link opens.',
            ...UPSTREAM_FAILED,
          }),
        },
      },
    },
    async (request, reply) => {
      noStore(reply);
      const { originalKey } = await links.original(holder(request), request.params.token, request.params.photoId);
      return reply.redirect(await deps.media.original(originalKey), 302);
    },
  );
}
