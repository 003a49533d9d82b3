/**
 * The access matrix: every route of the BFF's photo and album API, asked by every kind of caller, on the
 * production topology (each service its own process, real PostgreSQL, Redis as metadata's cache, RabbitMQ,
 * an S3 server). For each route and actor the expected status is written down in one table (the rules,
 * printed whole when a cell differs), and no answer or Server-Sent Event an actor receives names a photo
 * they may not see: not its id, its file name, or a URL of it (URLs carry the photo id in their key).
 *
 * The world: the owner has an album X holding three of their photos and one the contributor added, a
 * private photo outside it, and an empty album Y; X and Y are shared with the viewer (viewer) and the
 * contributor (contributor). Every grantee has photos of their own; the stranger is another account with
 * photos of their own, and anonymous sends no token. Share links, held by people without an account: the
 * link holder has a link to X (no password, no downloads) and one to the private photo P (downloads); a
 * password-protected link to X (downloads) is held by one who unlocked it and one who gave a wrong password;
 * and there are a revoked and an expired link to X. Account holders, who hold no link, try a guessed token.
 *
 * On the same platform (one start for both), an album of 10,000 photos seeded in metadata's database is
 * paged through the BFF while its owner adds and takes out photos (the metadata-level version, with the
 * checks proven against broken pagers, is services/metadata/src/routes/album-photos-pagination.int.spec.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { createTestVhost } from '../../packages/event-bus/src/test-support/rabbitmq-vhost.js';
import { distinctPhotos } from '../support/distinct-photos.js';
import { ProcessPlatform } from '../support/process-platform.js';
import { apiClient, openEventStream, type Api } from '../support/public-api.js';

const ACCOUNTS = ['owner', 'viewer', 'contributor', 'stranger'] as const;
type Account = (typeof ACCOUNTS)[number];
const LINK_ACTORS = ['link holder', 'unlocked link', 'wrong password', 'revoked link', 'expired link'] as const;
type LinkActor = (typeof LINK_ACTORS)[number];
const ACTORS = [...ACCOUNTS, 'anonymous', ...LINK_ACTORS] as const;
type Actor = (typeof ACTORS)[number];
const isAccount = (actor: Actor): actor is Account => (ACCOUNTS as readonly string[]).includes(actor);
/** The order the cells of a row are sent in: refusals first, so that the owner's success (a change) comes after them. */
const SEND_ORDER: readonly Actor[] = [...LINK_ACTORS, 'anonymous', 'stranger', 'viewer', 'contributor', 'owner'];

/** The photos of the world, by label, and who uploaded each. */
const PHOTOS = {
  A1: 'owner', // in album X
  A2: 'owner', // in album X
  D: 'owner', // in album X; the owner deletes it in the matrix
  Q: 'owner', // added to X by the owner in the matrix, then taken out again
  P: 'owner', // private: in no album
  C1: 'contributor', // added to X by the contributor
  C2: 'contributor', // private
  C3: 'contributor', // added to X by the contributor in the matrix
  V1: 'viewer', // private
  S1: 'stranger', // private
} as const satisfies Record<string, Account>;
type Label = keyof typeof PHOTOS;

/** What each actor may see during the matrix (the leak check forbids every other photo). */
const MAY_SEE: Record<Actor, readonly Label[]> = {
  owner: ['A1', 'A2', 'D', 'Q', 'P', 'C1', 'C3'],
  viewer: ['A1', 'A2', 'D', 'Q', 'C1', 'C3', 'V1'],
  contributor: ['A1', 'A2', 'D', 'Q', 'C1', 'C2', 'C3'],
  stranger: ['S1'],
  anonymous: [],
  'link holder': ['A1', 'A2', 'D', 'Q', 'C1', 'C3', 'P'],
  'unlocked link': ['A1', 'A2', 'D', 'Q', 'C1', 'C3'],
  'wrong password': [],
  'revoked link': [],
  'expired link': [],
};

interface World {
  tokens: Record<Account, string>;
  userIds: Record<Account | 'newcomer', string>;
  newcomerEmail: string;
  photos: Record<Label, { id: string; filename: string }>;
  albums: { X: { id: string; name: string }; Y: { id: string; name: string } };
  /** URLs as the owner received them (thumb of A1, original of A1). */
  urls: { thumbA1: string };
  /** Share link tokens (the album links are X's), the id of a spare link of X (revoked in the matrix), and the unlocked holder's cookie. */
  links: { album: string; albumId: string; photo: string; protected: string; revoked: string; expired: string; spareId: string };
  unlockCookie: string;
}

interface Request {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
}

/** A route of the matrix: what each actor sends, and the status each must get ('-' = the actor has nothing to send). */
interface Row {
  route: string;
  request: (w: World, actor: Actor) => Request | Promise<Request | undefined> | undefined;
  expected: Partial<Record<Actor, number | '-'>>;
}

const own = (actor: Actor): Label => (({ owner: 'Q', viewer: 'V1', contributor: 'C3' }) as Partial<Record<Actor, Label>>)[actor] ?? 'S1';
/** Account routes: whoever has no account (anonymous, every link holder) is not authenticated. */
const NO_ACCOUNT = Object.fromEntries(['anonymous', ...LINK_ACTORS].map((actor) => [actor, 401])) as Row['expected'];
/** Nothing to send: the actor has no such URL. */
const NO_URL = Object.fromEntries(['anonymous', ...LINK_ACTORS].map((actor) => [actor, '-'])) as Row['expected'];
const all = (status: number): Row['expected'] => ({ owner: status, viewer: status, contributor: status, stranger: status, ...NO_ACCOUNT });
/** Seen by owner and grantees, not by the stranger. */
const shared = (ok: number): Row['expected'] => ({ owner: ok, viewer: ok, contributor: ok, stranger: 404, ...NO_ACCOUNT });
/** Only the owner may: grantees learn they may not (403), the stranger that there is nothing (404). */
const ownerOnly = (ok: number): Row['expected'] => ({ owner: ok, viewer: 403, contributor: 403, stranger: 404, ...NO_ACCOUNT });

/**
 * A token no link has (43 base64url characters, as real ones): what an account holder, who holds no link, can try.
 * New in each run: the BFF counts unlock attempts per token and address in the shared Redis for 15 minutes.
 */
const GUESSED = randomBytes(32).toString('base64url');
/** The album link token each actor holds (the guessed one for accounts and anonymous). */
const albumLinkOf = (w: World, actor: Actor): string =>
  ({
    'link holder': w.links.album,
    'unlocked link': w.links.protected,
    'wrong password': w.links.protected,
    'revoked link': w.links.revoked,
    'expired link': w.links.expired,
  })[actor as LinkActor] ?? GUESSED;
/** Status of an album link's read, for each holder: their link decides; accounts' guessed token is nothing (404). */
const linkRead = (holder: number | '-', unlocked: number | '-'): Row['expected'] => ({
  ...Object.fromEntries(['anonymous', ...ACCOUNTS].map((actor) => [actor, 404])),
  'link holder': holder,
  'unlocked link': unlocked,
  'wrong password': 401,
  'revoked link': 404,
  'expired link': 410,
});
/** The photo link (to P) is held by the link holder only; the other link actors have no such token. */
const photoLinkOf = (w: World, actor: Actor): string | undefined =>
  actor === 'link holder' ? w.links.photo : isAccount(actor) || actor === 'anonymous' ? GUESSED : undefined;
const photoLinkRead = (holder: number): Row['expected'] => ({
  ...Object.fromEntries(['anonymous', ...ACCOUNTS].map((actor) => [actor, 404])),
  ...Object.fromEntries(LINK_ACTORS.map((actor) => [actor, '-'])),
  'link holder': holder,
});
const get = (path: string | undefined): Request | undefined => (path === undefined ? undefined : { method: 'GET', path });

/** The people-sharing rules, in the order they are sent (rows that change things come after the reads they would disturb). */
const PEOPLE_ROWS: Row[] = [
  { route: 'GET /api/photos', request: () => ({ method: 'GET', path: '/api/photos' }), expected: all(200) },
  { route: 'GET /api/photos/:id (in X, owner’s)', request: (w) => ({ method: 'GET', path: `/api/photos/${w.photos.A1.id}` }), expected: shared(200) },
  {
    route: 'GET /api/photos/:id (in X, contributor’s)',
    request: (w) => ({ method: 'GET', path: `/api/photos/${w.photos.C1.id}` }),
    expected: shared(200),
  },
  {
    route: 'GET /api/photos/:id (owner’s private)',
    request: (w) => ({ method: 'GET', path: `/api/photos/${w.photos.P.id}` }),
    expected: { owner: 200, viewer: 404, contributor: 404, stranger: 404, ...NO_ACCOUNT },
  },
  {
    route: 'GET /api/photos/:id (contributor’s private)',
    request: (w) => ({ method: 'GET', path: `/api/photos/${w.photos.C2.id}` }),
    expected: { owner: 404, viewer: 404, contributor: 200, stranger: 404, ...NO_ACCOUNT },
  },
  { route: 'GET /api/photos/:id (no such photo)', request: () => ({ method: 'GET', path: `/api/photos/${randomUUID()}` }), expected: all(404) },
  {
    route: 'GET /api/photos/:id/original (in X)',
    request: (w) => ({ method: 'GET', path: `/api/photos/${w.photos.A1.id}/original` }),
    expected: shared(302),
  },
  {
    route: 'GET /api/photos/:id/original (owner’s private)',
    request: (w) => ({ method: 'GET', path: `/api/photos/${w.photos.P.id}/original` }),
    expected: { owner: 302, viewer: 404, contributor: 404, stranger: 404, ...NO_ACCOUNT },
  },
  {
    route: 'GET thumb URL of the actor’s own view of A1',
    request: (w, actor) => urlFromView(w, actor, w.photos.A1.id, (photo) => photo.variants.thumb.url),
    expected: { owner: 200, viewer: 200, contributor: 200, stranger: '-', ...NO_URL },
  },
  {
    route: 'GET original URL of the actor’s own view of A1',
    request: (w, actor) => urlFromView(w, actor, w.photos.A1.id, (photo) => photo.originalUrl),
    expected: { owner: 200, viewer: 200, contributor: 200, stranger: '-', ...NO_URL },
  },
  {
    // The signature is the credential of a media URL: it is bound to its key, so P's key under A1's signature is nothing.
    route: 'GET thumb URL of A1 with P’s id in its key',
    request: (w) => ({ method: 'GET', path: w.urls.thumbA1.replaceAll(w.photos.A1.id, w.photos.P.id) }),
    expected: Object.fromEntries(ACTORS.map((actor) => [actor, 404])),
  },
  { route: 'GET /api/albums', request: () => ({ method: 'GET', path: '/api/albums' }), expected: all(200) },
  { route: 'GET /api/albums/shared', request: () => ({ method: 'GET', path: '/api/albums/shared' }), expected: all(200) },
  { route: 'GET /api/albums/:id', request: (w) => ({ method: 'GET', path: `/api/albums/${w.albums.X.id}` }), expected: shared(200) },
  {
    route: 'GET /api/albums/:id (no such album)',
    request: () => ({ method: 'GET', path: `/api/albums/${randomUUID()}` }),
    expected: all(404),
  },
  { route: 'GET /api/albums/:id/photos', request: (w) => ({ method: 'GET', path: `/api/albums/${w.albums.X.id}/photos` }), expected: shared(200) },
  {
    route: 'PATCH /api/albums/:id (rename)',
    request: (w) => ({ method: 'PATCH', path: `/api/albums/${w.albums.X.id}`, body: { name: w.albums.X.name } }),
    expected: ownerOnly(200),
  },
  {
    route: 'POST /api/albums/:id/photos (the actor’s own photo)',
    request: (w, actor) => ({ method: 'POST', path: `/api/albums/${w.albums.X.id}/photos`, body: { photoIds: [w.photos[own(actor)].id] } }),
    expected: { owner: 200, viewer: 403, contributor: 200, stranger: 404, ...NO_ACCOUNT },
  },
  {
    // Pulling the owner's private photo into the album would show it to every grantee. (The owner may: not sent.)
    route: 'POST /api/albums/:id/photos (owner’s private P)',
    request: (w, actor) =>
      actor === 'owner' ? undefined : { method: 'POST', path: `/api/albums/${w.albums.X.id}/photos`, body: { photoIds: [w.photos.P.id] } },
    expected: { owner: '-', viewer: 403, contributor: 404, stranger: 404, ...NO_ACCOUNT },
  },
  {
    route: 'POST /api/albums/:id/photos (contributor’s private C2)',
    request: (w, actor) =>
      actor === 'contributor' ? undefined : { method: 'POST', path: `/api/albums/${w.albums.X.id}/photos`, body: { photoIds: [w.photos.C2.id] } },
    expected: { owner: 404, viewer: 403, contributor: '-', stranger: 404, ...NO_ACCOUNT },
  },
  {
    route: 'POST /api/albums/:id/photos/remove (owner’s A1)',
    request: (w, actor) =>
      actor === 'owner' ? undefined : { method: 'POST', path: `/api/albums/${w.albums.X.id}/photos/remove`, body: { photoIds: [w.photos.A1.id] } },
    expected: { owner: '-', viewer: 403, contributor: 403, stranger: 404, ...NO_ACCOUNT },
  },
  {
    route: 'POST /api/albums/:id/photos/remove (Q, C3: what owner and contributor added)',
    request: (w, actor) => ({
      method: 'POST',
      path: `/api/albums/${w.albums.X.id}/photos/remove`,
      body: { photoIds: [actor === 'contributor' ? w.photos.C3.id : w.photos.Q.id] },
    }),
    expected: { owner: 204, viewer: 403, contributor: 204, stranger: 404, ...NO_ACCOUNT },
  },
  { route: 'GET /api/albums/:id/shares', request: (w) => ({ method: 'GET', path: `/api/albums/${w.albums.X.id}/shares` }), expected: ownerOnly(200) },
  {
    route: 'POST /api/albums/:id/shares',
    request: (w) => ({ method: 'POST', path: `/api/albums/${w.albums.X.id}/shares`, body: { email: w.newcomerEmail, role: 'viewer' } }),
    expected: ownerOnly(200),
  },
  {
    route: 'DELETE /api/albums/:id/shares/:userId',
    request: (w) => ({ method: 'DELETE', path: `/api/albums/${w.albums.X.id}/shares/${w.userIds.newcomer}` }),
    expected: ownerOnly(204),
  },
  {
    route: 'DELETE /api/photos/:id (owner’s D, in X)',
    request: (w) => ({ method: 'DELETE', path: `/api/photos/${w.photos.D.id}` }),
    expected: { owner: 204, viewer: 404, contributor: 404, stranger: 404, ...NO_ACCOUNT },
  },
  {
    route: 'DELETE /api/photos/:id (contributor’s C1, in X)',
    request: (w, actor) => (actor === 'contributor' ? undefined : { method: 'DELETE', path: `/api/photos/${w.photos.C1.id}` }),
    expected: { owner: 404, viewer: 404, contributor: '-', stranger: 404, ...NO_ACCOUNT },
  },
  { route: 'DELETE /api/albums/:id (Y)', request: (w) => ({ method: 'DELETE', path: `/api/albums/${w.albums.Y.id}` }), expected: ownerOnly(204) },
  { route: 'GET /api/events', request: () => ({ method: 'GET', path: '/api/events' }), expected: all(200) },
];

/** The share-link rules: the owner's management routes, then what each holder's link opens. */
const LINK_ROWS: Row[] = [
  {
    route: 'POST /api/albums/:id/links',
    request: (w) => ({ method: 'POST', path: `/api/albums/${w.albums.X.id}/links`, body: { allowDownload: false } }),
    expected: ownerOnly(201),
  },
  { route: 'GET /api/albums/:id/links', request: (w) => get(`/api/albums/${w.albums.X.id}/links`), expected: ownerOnly(200) },
  {
    route: 'DELETE /api/albums/:id/links/:linkId',
    request: (w) => ({ method: 'DELETE', path: `/api/albums/${w.albums.X.id}/links/${w.links.spareId}` }),
    expected: ownerOnly(204),
  },
  {
    route: 'POST /api/photos/:id/links (in X)',
    request: (w) => ({ method: 'POST', path: `/api/photos/${w.photos.A1.id}/links`, body: {} }),
    expected: ownerOnly(201),
  },
  {
    route: 'POST /api/photos/:id/links (owner’s private)',
    request: (w) => ({ method: 'POST', path: `/api/photos/${w.photos.P.id}/links`, body: {} }),
    expected: { owner: 201, viewer: 404, contributor: 404, stranger: 404, ...NO_ACCOUNT },
  },
  {
    route: 'GET /api/photos/:id/links (owner’s private)',
    request: (w) => get(`/api/photos/${w.photos.P.id}/links`),
    expected: { owner: 200, viewer: 404, contributor: 404, stranger: 404, ...NO_ACCOUNT },
  },
  { route: 'GET /api/links/:token (album link)', request: (w, actor) => get(`/api/links/${albumLinkOf(w, actor)}`), expected: linkRead(200, 200) },
  {
    route: 'GET /api/links/:token/photos (album link)',
    request: (w, actor) => get(`/api/links/${albumLinkOf(w, actor)}/photos`),
    expected: linkRead(200, 200),
  },
  {
    route: 'GET /api/links/:token/photos/:id/original (A1, in X)',
    request: (w, actor) => get(`/api/links/${albumLinkOf(w, actor)}/photos/${w.photos.A1.id}/original`),
    expected: linkRead(403, 302),
  },
  {
    route: 'GET /api/links/:token/photos/:id/original (P, not in X)',
    request: (w, actor) => get(`/api/links/${albumLinkOf(w, actor)}/photos/${w.photos.P.id}/original`),
    expected: linkRead(404, 404),
  },
  {
    route: 'GET thumb URL of A1 from the actor’s album link page',
    request: async (w, actor) => {
      if (isAccount(actor) || actor === 'anonymous') return undefined;
      const response = await send(actor, w, { method: 'GET', path: `/api/links/${albumLinkOf(w, actor)}/photos` });
      if (response.status !== 200) return undefined;
      const page = JSON.parse(response.text.slice(response.text.indexOf('\n') + 1)) as { items: { id: string; variants: { thumb: { url: string } } }[] };
      const url = new URL(page.items.find((p) => p.id === w.photos.A1.id)!.variants.thumb.url, platform.bff.url);
      return get(`${url.pathname}${url.search}`);
    },
    expected: { ...NO_URL, owner: '-', viewer: '-', contributor: '-', stranger: '-', 'link holder': 200, 'unlocked link': 200 },
  },
  {
    // Each holder unlocks with what they know: the right password, a wrong one, or (no password on their link) anything.
    route: 'POST /api/links/:token/unlock',
    request: (w, actor) => ({
      method: 'POST',
      path: `/api/links/${albumLinkOf(w, actor)}/unlock`,
      body: { password: actor === 'unlocked link' ? LINK_PASSWORD : 'not the password' },
    }),
    expected: { ...linkRead(204, 204), 'wrong password': 401 },
  },
  {
    route: 'GET /api/links/:token (photo link to P)',
    request: (w, actor) => get(photoLinkOf(w, actor) && `/api/links/${photoLinkOf(w, actor)}`),
    expected: photoLinkRead(200),
  },
  {
    route: 'GET /api/links/:token/photos (photo link to P)',
    request: (w, actor) => get(photoLinkOf(w, actor) && `/api/links/${photoLinkOf(w, actor)}/photos`),
    expected: photoLinkRead(200),
  },
  {
    route: 'GET /api/links/:token/photos/:id/original (photo link: P)',
    request: (w, actor) => get(photoLinkOf(w, actor) && `/api/links/${photoLinkOf(w, actor)}/photos/${w.photos.P.id}/original`),
    expected: photoLinkRead(302),
  },
  {
    route: 'GET /api/links/:token/photos/:id/original (photo link: A1)',
    request: (w, actor) => get(photoLinkOf(w, actor) && `/api/links/${photoLinkOf(w, actor)}/photos/${w.photos.A1.id}/original`),
    expected: photoLinkRead(404),
  },
];

const LINK_PASSWORD = 'correct horse battery';

/** After the owner revokes the viewer's share of X: the viewer's next request already finds nothing; the others keep theirs. */
const AFTER_REVOKE_ROWS: Row[] = [
  {
    route: 'GET /api/links/:token (album link)',
    request: (w, actor) => get(`/api/links/${albumLinkOf(w, actor)}`),
    expected: { 'link holder': 404, 'unlocked link': 200 },
  },
  {
    route: 'GET /api/links/:token/photos (album link)',
    request: (w, actor) => get(`/api/links/${albumLinkOf(w, actor)}/photos`),
    expected: { 'link holder': 404, 'unlocked link': 200 },
  },
  {
    route: 'GET /api/links/:token (photo link to P)',
    request: (w, actor) => get(photoLinkOf(w, actor) && `/api/links/${photoLinkOf(w, actor)}`),
    expected: { 'link holder': 200 },
  },
  {
    route: 'GET /api/photos/:id (in X, owner’s)',
    request: (w) => ({ method: 'GET', path: `/api/photos/${w.photos.A1.id}` }),
    expected: { owner: 200, viewer: 404, contributor: 200 },
  },
  {
    route: 'GET /api/photos/:id (in X, contributor’s)',
    request: (w) => ({ method: 'GET', path: `/api/photos/${w.photos.C1.id}` }),
    expected: { owner: 200, viewer: 404, contributor: 200 },
  },
  {
    route: 'GET /api/photos/:id/original (in X)',
    request: (w) => ({ method: 'GET', path: `/api/photos/${w.photos.A1.id}/original` }),
    expected: { owner: 302, viewer: 404, contributor: 302 },
  },
  { route: 'GET /api/albums/shared', request: () => ({ method: 'GET', path: '/api/albums/shared' }), expected: { viewer: 200, contributor: 200 } },
  {
    route: 'GET /api/albums/:id',
    request: (w) => ({ method: 'GET', path: `/api/albums/${w.albums.X.id}` }),
    expected: { owner: 200, viewer: 404, contributor: 200 },
  },
  {
    route: 'GET /api/albums/:id/photos',
    request: (w) => ({ method: 'GET', path: `/api/albums/${w.albums.X.id}/photos` }),
    expected: { owner: 200, viewer: 404, contributor: 200 },
  },
  {
    route: 'PATCH /api/albums/:id (rename)',
    request: (w) => ({ method: 'PATCH', path: `/api/albums/${w.albums.X.id}`, body: { name: w.albums.X.name } }),
    expected: { viewer: 404, contributor: 403 },
  },
  {
    route: 'POST /api/albums/:id/photos (the actor’s own photo)',
    request: (w, actor) => ({ method: 'POST', path: `/api/albums/${w.albums.X.id}/photos`, body: { photoIds: [w.photos[own(actor)].id] } }),
    expected: { viewer: 404, contributor: 200 },
  },
  {
    route: 'GET /api/albums/:id/shares',
    request: (w) => ({ method: 'GET', path: `/api/albums/${w.albums.X.id}/shares` }),
    expected: { viewer: 404, contributor: 403 },
  },
];

/** What each actor may see once the viewer's share is revoked: the viewer is back to their own photo. */
const MAY_SEE_AFTER_REVOKE: Record<Actor, readonly Label[]> = { ...MAY_SEE, viewer: ['V1'], 'link holder': ['P'] };

let platform: ProcessPlatform;
let api: Api;
let vhost: Awaited<ReturnType<typeof createTestVhost>> | undefined;
const suffix = randomUUID().slice(0, 8);

/** The answer as text: status, the Location header (a redirect's URL names a photo too) and the body. */
interface Answer {
  status: number;
  text: string;
}

async function send(actor: Actor, w: World, request: Request): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (isAccount(actor)) headers['authorization'] = `Bearer ${w.tokens[actor]}`;
  if (actor === 'unlocked link') headers['cookie'] = w.unlockCookie;
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  const controller = new AbortController();
  const response = await fetch(new URL(request.path, platform.bff.url), {
    method: request.method,
    headers,
    redirect: 'manual',
    signal: controller.signal,
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
  });
  const location = response.headers.get('location') ?? '';
  if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
    // A stream stays open: its events are checked on the long-lived streams; here only the status.
    controller.abort();
    return { status: response.status, text: location };
  }
  const isImage = response.headers.get('content-type')?.startsWith('image/');
  const text = isImage ? (await response.arrayBuffer(), '') : await response.text();
  return { status: response.status, text: `${location}\n${text}` };
}

/** A URL from the actor's own view of a photo; undefined when the actor may not see it (they have no URL to try). */
async function urlFromView(w: World, actor: Actor, photoId: string, pick: (photo: any) => string): Promise<Request | undefined> {
  if (!isAccount(actor)) return undefined;
  const response = await fetch(`${platform.bff.url}/api/photos/${photoId}`, { headers: { authorization: `Bearer ${w.tokens[actor]}` } });
  if (response.status !== 200) return undefined;
  const url = new URL(pick(await response.json()), platform.bff.url);
  return { method: 'GET', path: `${url.pathname}${url.search}` };
}

/** Everything an actor's answer may not contain: ids, file names and album names of what they may not see. */
function forbiddenFor(w: World, actor: Actor, maySee = MAY_SEE): string[] {
  const photos = (Object.keys(PHOTOS) as Label[]).filter((label) => !maySee[actor].includes(label));
  const secrets = photos.flatMap((label) => [w.photos[label].id, w.photos[label].filename]);
  if (maySee[actor].length === 0 || actor === 'stranger') secrets.push(w.albums.X.name, w.albums.Y.name);
  return secrets;
}

/** The secrets found in an answer, leaving out what the actor sent themselves (a 404 may echo the id asked for). */
function leaks(w: World, actor: Actor, request: Request, text: string, maySee = MAY_SEE): string[] {
  const sent = `${request.path} ${JSON.stringify(request.body ?? null)}`;
  return forbiddenFor(w, actor, maySee).filter((secret) => !sent.includes(secret) && text.includes(secret));
}

function formatTable(rows: string[], cells: (row: string, actor: Actor) => string): string {
  const width = Math.max(...rows.map((r) => r.length));
  const head = `${'route'.padEnd(width)} | ${ACTORS.map((a) => a.padEnd(14)).join(' | ')}`;
  return [head, '-'.repeat(head.length), ...rows.map((row) => `${row.padEnd(width)} | ${ACTORS.map((a) => cells(row, a).padEnd(14)).join(' | ')}`)].join('\n');
}

/** Sends every row as every actor; returns the statuses (route -> actor -> status) and the leaks found. */
async function runMatrix(w: World, rows: Row[], maySee = MAY_SEE) {
  const actual: Record<string, Partial<Record<Actor, number | '-'>>> = {};
  const expected: Record<string, Partial<Record<Actor, number | '-'>>> = {};
  const found: string[] = [];
  for (const row of rows) {
    actual[row.route] = {};
    expected[row.route] = row.expected;
    for (const actor of SEND_ORDER) {
      if (row.expected[actor] === undefined) continue;
      const request = await row.request(w, actor);
      if (!request) {
        actual[row.route]![actor] = '-';
        continue;
      }
      const answer = await send(actor, w, request);
      actual[row.route]![actor] = answer.status;
      for (const secret of leaks(w, actor, request, answer.text, maySee)) found.push(`${row.route} as ${actor}: names ${describeSecret(w, secret)}`);
    }
  }
  const table = formatTable(
    rows.map((r) => r.route),
    (route, actor) => {
      const want = expected[route]![actor];
      const got = actual[route]![actor];
      if (want === undefined) return '';
      return want === got ? String(want) : `${want}≠${got} ✗`;
    },
  );
  return { actual, expected, found, table };
}

function describeSecret(w: World, secret: string): string {
  for (const [label, photo] of Object.entries(w.photos)) {
    if (photo.id === secret) return `photo ${label}'s id`;
    if (photo.filename === secret) return `photo ${label}'s file name`;
  }
  return `album name "${secret}"`;
}

/** Registers the accounts, lets `withAccounts` open their event streams, then uploads and shares. */
async function setUpWorld(withAccounts: (tokens: World['tokens']) => Promise<void>): Promise<World> {
  const accounts = ['owner', 'viewer', 'contributor', 'stranger', 'newcomer'] as const;
  const registered = Object.fromEntries(
    await Promise.all(accounts.map(async (name) => [name, await api.register(`${name}-${suffix}@example.com`, `${name} has a long enough password`)] as const)),
  ) as unknown as Record<(typeof accounts)[number], { user: { id: string }; accessToken: string }>;
  const tokens = { owner: '', viewer: '', contributor: '', stranger: '' };
  for (const actor of Object.keys(tokens) as (keyof typeof tokens)[]) tokens[actor] = registered[actor].accessToken;
  const userIds = Object.fromEntries(accounts.map((name) => [name, registered[name].user.id])) as World['userIds'];
  await withAccounts(tokens);

  const labels = Object.keys(PHOTOS) as Label[];
  const images = await distinctPhotos(labels.length, 240);
  const photos = {} as World['photos'];
  for (const [index, label] of labels.entries()) {
    const filename = `${PHOTOS[label]}-${label}-${suffix}.jpg`;
    const response = await api.upload(tokens[PHOTOS[label]], [{ name: filename, bytes: images[index]!.bytes }]);
    expect(response.status, await response.clone().text()).toBe(202);
    photos[label] = { id: ((await response.json()) as { photos: { id: string }[] }).photos[0]!.id, filename };
  }
  for (const actor of Object.keys(tokens) as (keyof typeof tokens)[]) {
    const mine = labels.filter((label) => PHOTOS[label] === actor).map((label) => photos[label].id);
    await expect
      .poll(async () => (await api.list(tokens[actor])).items.filter((p) => mine.includes(p.id) && p.status === 'ready').length, { timeout: 120_000 })
      .toBe(mine.length);
  }

  const call = async (token: string, method: Request['method'], path: string, body?: unknown) => {
    const response = await fetch(`${platform.bff.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? (JSON.parse(text) as Record<string, any>) : {};
  };
  const albums = {} as World['albums'];
  for (const key of ['X', 'Y'] as const) {
    const name = `album ${key} ${suffix}`;
    albums[key] = { id: (await call(tokens.owner, 'POST', '/api/albums', { name })).id as string, name };
    for (const role of ['viewer', 'contributor'] as const) {
      await call(tokens.owner, 'POST', `/api/albums/${albums[key].id}/shares`, { email: `${role}-${suffix}@example.com`, role });
    }
  }
  await call(tokens.owner, 'POST', `/api/albums/${albums.X.id}/photos`, { photoIds: [photos.A1.id, photos.A2.id, photos.D.id] });
  await call(tokens.contributor, 'POST', `/api/albums/${albums.X.id}/photos`, { photoIds: [photos.C1.id] });
  const a1 = await call(tokens.owner, 'GET', `/api/photos/${photos.A1.id}`);

  // Share links. The expired one is made to expire in a few seconds (a past expiry is refused), then waited out.
  const expiresAt = Date.now() + 3_000;
  const link = (kind: 'albums' | 'photos', id: string, body: object) => call(tokens.owner, 'POST', `/api/${kind}/${id}/links`, body);
  const expired = await link('albums', albums.X.id, { expiresAt: new Date(expiresAt).toISOString() });
  const album = await link('albums', albums.X.id, { allowDownload: false });
  const photo = await link('photos', photos.P.id, { allowDownload: true });
  const protectedLink = await link('albums', albums.X.id, { password: LINK_PASSWORD, allowDownload: true });
  const revoked = await link('albums', albums.X.id, {});
  await call(tokens.owner, 'DELETE', `/api/albums/${albums.X.id}/links/${revoked.id}`);
  const spare = await link('albums', albums.X.id, {});
  expect(album).toMatchObject({ url: `/s/${album.token}`, hasPassword: false, allowDownload: false, expiresAt: null });
  expect(protectedLink).toMatchObject({ hasPassword: true, allowDownload: true });
  const unlock = await fetch(`${platform.bff.url}/api/links/${protectedLink.token}/unlock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password: LINK_PASSWORD }),
  });
  expect(unlock.status).toBe(204);
  const unlockCookie = unlock.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0]!)
    .join('; ');
  expect(unlockCookie).not.toBe('');
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt + 500 - Date.now())));
  return {
    tokens,
    userIds,
    newcomerEmail: `newcomer-${suffix}@example.com`,
    photos,
    albums,
    urls: { thumbA1: a1.variants.thumb.url },
    links: {
      album: album.token,
      albumId: album.id,
      photo: photo.token,
      protected: protectedLink.token,
      revoked: revoked.token,
      expired: expired.token,
      spareId: spare.id,
    },
    unlockCookie,
  };
}

describe('access matrix through the BFF, one process per service', () => {
  let world: World;
  const streams: Partial<Record<Actor, Awaited<ReturnType<typeof openEventStream>>>> = {};

  beforeAll(async () => {
    vhost = await createTestVhost('access-matrix');
    platform = new ProcessPlatform({ AMQP_URL: vhost.url, KAFKA_BROKERS: '' });
    await platform.start(1);
    api = apiClient(platform.bff.url);
  }, 300_000);

  afterAll(async () => {
    for (const stream of Object.values(streams)) stream.close();
    await platform?.stop();
    await vhost?.remove();
  });

  it('answers every route as the rules say, and names to nobody a photo they may not see (answers and SSE)', async () => {
    onTestFailed(() => console.error(platform.logs()));
    // Accounts first, streams open before any upload, so every status event of the world passes by them.
    world = await setUpWorld(async (tokens) => {
      for (const actor of ['owner', 'viewer', 'contributor', 'stranger'] as const) streams[actor] = await openEventStream(platform.bff.url, tokens[actor]);
    });

    const { actual, expected, found, table } = await runMatrix(world, [...PEOPLE_ROWS, ...LINK_ROWS]);
    expect(actual, `route x actor -> status (expected≠actual ✗):\n${table}`).toEqual(expected);
    expect(found, `leaks:\n${found.join('\n')}`).toEqual([]);

    // The owner's deletion of D is an event; wait for it, so the streams have carried the world's traffic.
    await streams.owner!.waitFor((e) => e.type === 'photo.deleted' && e.data.id === world.photos.D.id, 30_000);
    const streamLeaks = (['owner', 'viewer', 'contributor', 'stranger'] as const).flatMap((actor) =>
      streams[actor]!.events.flatMap((event) =>
        leaks(world, actor, { method: 'GET', path: '' }, JSON.stringify(event)).map(
          (secret) => `SSE of ${actor}: ${event.type} names ${describeSecret(world, secret)}`,
        ),
      ),
    );
    expect(streamLeaks).toEqual([]);
    // Each stream did carry the actor's own photos (else the check above proves nothing).
    for (const actor of ['owner', 'viewer', 'contributor', 'stranger'] as const) {
      const mine = (Object.keys(PHOTOS) as Label[]).filter((label) => PHOTOS[label] === actor).map((label) => world.photos[label].id);
      expect(streams[actor]!.events.filter((e) => mine.includes(e.data.id)).length, `events of ${actor}'s photos`).toBeGreaterThan(0);
    }
  }, 600_000);

  it("takes a revoked share (or link) away on the grantee's (holder's) next request, though metadata had the grantee's visible albums cached in Redis", async () => {
    onTestFailed(() => console.error(platform.logs()));
    expect(world, 'the matrix built the world').toBeDefined();
    const metadata = platform.service('metadata');
    const hits = async () => {
      const text = await (await fetch(`${metadata.metricsUrl}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('metadata_cache_requests_total{') && l.includes('kind="albums"') && l.includes('result="hit"'));
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    // The viewer's visible-album set is stored after an answer: read until one answer came from Redis.
    const before = await hits();
    await expect
      .poll(
        async () => {
          expect((await send('viewer', world, { method: 'GET', path: `/api/photos/${world.photos.A1.id}` })).status).toBe(200);
          return (await hits()) > before;
        },
        { timeout: 10_000 },
      )
      .toBe(true);

    const revoke = await send('owner', world, { method: 'DELETE', path: `/api/albums/${world.albums.X.id}/shares/${world.userIds.viewer}` });
    expect(revoke.status).toBe(204);
    expect((await send('link holder', world, { method: 'GET', path: `/api/links/${world.links.album}/photos` })).status).toBe(200);
    const revokeLink = await send('owner', world, { method: 'DELETE', path: `/api/albums/${world.albums.X.id}/links/${world.links.albumId}` });
    expect(revokeLink.status).toBe(204);
    const { actual, expected, found, table } = await runMatrix(world, AFTER_REVOKE_ROWS, MAY_SEE_AFTER_REVOKE);
    expect(actual, `after the revoke, route x actor -> status (expected≠actual ✗):\n${table}`).toEqual(expected);
    expect(found, `leaks:\n${found.join('\n')}`).toEqual([]);
    const shared = await send('viewer', world, { method: 'GET', path: '/api/albums/shared' });
    expect(shared.text).not.toContain(world.albums.X.id);
  }, 120_000);
  it('pages an album of 10,000 photos through the BFF while its owner adds and takes out photos: none twice, none that stayed missed, newest first', async () => {
    onTestFailed(() => console.error(platform.logs()));
    expect(world, 'the matrix built the world').toBeDefined();
    const SEEDED = 10_000;
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    const db = new pg.Client({ connectionString: platform.databaseUrl('metadata') });
    await db.connect();
    try {
      const created = await send('owner', world, { method: 'POST', path: '/api/albums', body: { name: `big ${suffix}` } });
      expect(created.status).toBe(201);
      const album = (JSON.parse(created.text.slice(created.text.indexOf('\n') + 1)) as { id: string }).id;
      expect(
        (
          await send('owner', world, {
            method: 'POST',
            path: `/api/albums/${album}/shares`,
            body: { email: `contributor-${suffix}@example.com`, role: 'viewer' },
          })
        ).status,
      ).toBe(200);
      // Seeded in metadata's database as a bulk import would (processing them through sharp would take an hour here):
      // three photos per millisecond, so the cursor's id breaks ties.
      const insertPhotos = async (count: number, from: number) =>
        (
          await db.query<{ id: string }>(
            `INSERT INTO photos (id, owner_id, status, filename, content_type, bytes, sha256, uploaded_at, updated_at)
             SELECT gen_random_uuid(), $1, 'processing', 'bulk-' || i || '.jpg', 'image/jpeg', 1000, repeat('b', 64),
                    $2::timestamptz + (i / 3) * interval '1 millisecond', now()
             FROM generate_series(0, $3 - 1) AS i RETURNING id`,
            [world.userIds.owner, new Date(from), count],
          )
        ).rows.map((row) => row.id);
      const seeded = await insertPhotos(SEEDED, base);
      await db.query(
        `INSERT INTO album_photos (album_id, photo_id, photo_uploaded_at, added_by, added_at)
         SELECT $1, id, uploaded_at, owner_id, now() FROM photos WHERE id = ANY($2::uuid[])`,
        [album, seeded],
      );
      const churn = seeded.slice(0, 1_000);
      const stable = new Set(seeded.slice(1_000));

      let running = true;
      let changes = 0;
      const traffic = (async () => {
        while (running) {
          const added = [...(await insertPhotos(1, Date.now())), ...(await insertPhotos(1, base + Math.floor(Math.random() * (SEEDED / 3))))];
          expect((await send('owner', world, { method: 'POST', path: `/api/albums/${album}/photos`, body: { photoIds: added } })).status).toBe(200);
          const leaving = churn.splice(Math.floor(Math.random() * (churn.length - 2)), 2);
          expect((await send('owner', world, { method: 'POST', path: `/api/albums/${album}/photos/remove`, body: { photoIds: leaving } })).status).toBe(204);
          changes++;
        }
      })();
      const seen: { id: string; uploadedAt: string }[] = [];
      try {
        let cursor: string | null = null;
        do {
          const before = changes;
          const answer = await send('contributor', world, { method: 'GET', path: `/api/albums/${album}/photos?limit=100${cursor ? `&cursor=${cursor}` : ''}` });
          expect(answer.status).toBe(200);
          const page = JSON.parse(answer.text.slice(answer.text.indexOf('\n') + 1)) as {
            items: { id: string; uploadedAt: string }[];
            nextCursor: string | null;
          };
          seen.push(...page.items.map(({ id, uploadedAt }) => ({ id, uploadedAt })));
          cursor = page.nextCursor;
          while (changes === before) await new Promise((resolve) => setTimeout(resolve, 1));
        } while (cursor);
      } finally {
        running = false;
        await traffic;
      }
      const ids = seen.map((photo) => photo.id);
      const seenIds = new Set(ids);
      const disorder = seen.findIndex(
        (b, i) => i > 0 && !(seen[i - 1]!.uploadedAt > b.uploadedAt || (seen[i - 1]!.uploadedAt === b.uploadedAt && seen[i - 1]!.id > b.id)),
      );
      expect({ duplicates: ids.length - seenIds.size, missed: [...stable].filter((id) => !seenIds.has(id)).length, disorder }).toEqual({
        duplicates: 0,
        missed: 0,
        disorder: -1,
      });
      expect(changes).toBeGreaterThanOrEqual(SEEDED / 100 - 10);
    } finally {
      await db.end();
    }
  }, 300_000);
});
