/**
 * Share links through the BFF, attacked, on a real metadata service (its Postgres, the Redis cache) and
 * a BFF on its own Postgres, with the unlock throttle in Redis. For each rule: the attack, and its answer.
 *
 *   1. Only the owner makes, lists and revokes links (stranger 404, grantee 403); shares list emails.
 *   2. The token alone opens the album, with signed variant URLs; nothing of a photo outside it shows.
 *   3. Revoked: 404 from the next request. Expired: 410 problem+json.
 *   4. Password: 401 link-password-required, wrong 401 link-password-wrong, right 204 and a cookie for
 *      that link's path only, which then opens it.
 *   5. Wrong passwords are throttled per link and address (429 Retry-After), other addresses unaffected.
 *   6. Originals: 403 with downloads off, 404 for a photo the link does not open, else 302 to a signed URL.
 *   7. Each /api/links/* route is rate limited per address; /s/{token} serves the web app.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceApp } from '@photos/service-kit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { redisLoginThrottle } from '../../services/bff/src/adapters/login-throttle.js';
import { createRedisFallback } from '../../services/bff/src/adapters/redis-fallback.js';
import { buildBffApp } from '../../services/bff/src/app.js';
import { memoryBus, openBffTestBed, type BffTestBed } from '../../services/bff/src/test-support/bff-test-bed.js';
import type { Database } from '../../services/metadata/src/adapters/database.js';
import { newPhotoId, processed, uploaded } from '../../services/metadata/src/test-support/photo-events.js';
import { buildTestApp, deleteCacheKeys, TEST_REDIS_URL } from '../../services/metadata/src/test-support/test-app.js';
import { openMigratedTestDatabase } from '../../services/metadata/src/test-support/test-database.js';

const JWT_SECRET = 'share-links-e2e-secret-0123456789-0123456789';
const MAX_FAILURES = 3;
const LINKS_PER_MINUTE = 25;
const throttlePrefix = `share-links-e2e:${randomUUID().slice(0, 8)}:`;

let bff: ServiceApp;
let metadata: Awaited<ReturnType<typeof buildTestApp>>;
let metadataDatabase: Database;
let bed: BffTestBed;
let redis: Redis;
const closing: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  const opened = await openMigratedTestDatabase();
  closing.push(() => opened.close());
  metadataDatabase = opened.database;
  metadata = await buildTestApp({ database: opened.database, url: opened.url, env: { JWT_SECRET, LINK_SCRYPT_COST: '10' } });
  closing.push(() => metadata.close());
  const metadataUrl = await metadata.app.listen({ port: 0, host: '127.0.0.1' });

  bed = await openBffTestBed('share_links_e2e');
  closing.push(() => bed.close());
  const webDist = join(bed.dir, 'web');
  mkdirSync(webDist, { recursive: true });
  writeFileSync(join(webDist, 'index.html'), '<!doctype html><title>Photos</title><div id="root"></div>');
  redis = new Redis(TEST_REDIS_URL);
  closing.push(async () => {
    await deleteCacheKeys(throttlePrefix);
    redis.disconnect();
  });
  const bus = memoryBus();
  closing.push(() => bus.close());
  bff = await buildBffApp({
    ...(await bed.stores()),
    config: bed.config({
      JWT_SECRET,
      METADATA_URL: metadataUrl,
      WEB_DIST_DIR: webDist,
      SESSION_COOKIE_SECURE: 'false',
      LINK_UNLOCK_MAX_FAILURES: String(MAX_FAILURES),
      RATE_LIMIT_LINKS_PER_MINUTE: String(LINKS_PER_MINUTE),
      RATE_LIMIT_AUTH_PER_MINUTE: '1000',
    }),
    bus,
    linkUnlockThrottle: redisLoginThrottle(redis, createRedisFallback({ redis, logger: { info: () => undefined, warn: () => undefined } }), {
      prefix: throttlePrefix,
    }),
  });
  await bff.ready();
  closing.push(() => bff.close());
}, 60_000);

afterAll(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

/** Each test its own client address, so the per-address limits of one never touch another. */
const address = () => `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

type Method = 'GET' | 'POST' | 'DELETE';
function client(remoteAddress = address()) {
  return (method: Method, url: string, options: { headers?: Record<string, string>; payload?: object } = {}) =>
    bff.inject({ method, url, remoteAddress, headers: options.headers ?? {}, ...(options.payload ? { payload: options.payload } : {}) });
}

/** A registered account: its id, email and bearer header. */
async function account(tag: string) {
  const email = `${tag}-${randomUUID().slice(0, 8)}@example.com`;
  const password = 'correct horse battery staple';
  const send = client();
  expect((await send('POST', '/api/auth/register', { payload: { email, password } })).statusCode).toBe(202);
  const accessToken = (await send('POST', '/api/auth/login', { payload: { email, password } })).json<{ accessToken: string }>().accessToken;
  const id = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()).sub as string;
  return { id, email, auth: { authorization: `Bearer ${accessToken}` } };
}

/** Photos of `ownerId`, uploaded and processed (variant keys), projected by metadata. */
async function photosOf(owner: Awaited<ReturnType<typeof account>>, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newPhotoId());
  for (const [index, id] of ids.entries()) {
    await metadata.bus.publish(uploaded(id, owner.id, { filename: `secret-${id}.jpg`, uploadedAt: new Date(Date.UTC(2026, 8, 1, 10, index)).toISOString() }));
    await metadata.bus.publish(processed(id, owner.id));
  }
  const send = client();
  await vi.waitFor(
    async () => {
      for (const id of ids) expect((await send('GET', `/api/photos/${id}`, { headers: owner.auth })).json()).toMatchObject({ status: 'ready' });
    },
    { timeout: 15_000, interval: 50 },
  );
  return ids;
}

/** An album of two of the owner's photos (a third outside it), shared with a viewer. */
async function sharedAlbum() {
  const [owner, viewer, stranger] = await Promise.all([account('owner'), account('viewer'), account('stranger')]);
  const [inside1, inside2, outside] = await photosOf(owner, 3);
  const send = client();
  const album = (await send('POST', '/api/albums', { headers: owner.auth, payload: { name: 'Seaside' } })).json<{ id: string }>().id;
  expect((await send('POST', `/api/albums/${album}/photos`, { headers: owner.auth, payload: { photoIds: [inside1, inside2] } })).statusCode).toBe(200);
  expect((await send('POST', `/api/albums/${album}/shares`, { headers: owner.auth, payload: { email: viewer.email, role: 'viewer' } })).statusCode).toBe(200);
  return { owner, viewer, stranger, album, inside: [inside1!, inside2!], outside: outside! };
}

interface CreatedLink {
  id: string;
  url: string;
  token: string;
  expiresAt: string | null;
  hasPassword: boolean;
  allowDownload: boolean;
  createdAt: string;
}

async function linkTo(path: string, auth: Record<string, string>, payload: object = {}): Promise<CreatedLink> {
  const response = await client()('POST', `${path}/links`, { headers: auth, payload });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<CreatedLink>();
}

const problemOf = (response: { statusCode: number; headers: Record<string, unknown>; json(): unknown }) => ({
  status: response.statusCode,
  type: String(response.headers['content-type']).split(';')[0],
  code: (response.json() as { code?: string }).code,
});

describe('share links through the BFF', () => {
  it('1. only the owner makes, lists and revokes links; the shares list names grantees by email', async () => {
    const { owner, viewer, stranger, album, inside } = await sharedAlbum();
    const send = client();
    const link = await linkTo(`/api/albums/${album}`, owner.auth, { password: 'sea and sand', allowDownload: true });
    expect(link).toEqual({
      id: expect.any(String),
      url: `/s/${link.token}`,
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: null,
      hasPassword: true,
      allowDownload: true,
      createdAt: expect.any(String),
    });
    for (const path of [`/api/albums/${album}`, `/api/photos/${inside[0]}`]) {
      expect((await send('POST', `${path}/links`, { headers: stranger.auth, payload: {} })).statusCode, path).toBe(404);
      expect((await send('POST', `${path}/links`, { headers: viewer.auth, payload: {} })).statusCode, path).toBe(403);
      expect((await send('GET', `${path}/links`, { headers: stranger.auth })).statusCode, path).toBe(404);
      expect((await send('GET', `${path}/links`, { headers: viewer.auth })).statusCode, path).toBe(403);
      expect((await send('DELETE', `${path}/links/${link.id}`, { headers: stranger.auth })).statusCode, path).toBe(404);
      expect((await send('DELETE', `${path}/links/${link.id}`, { headers: viewer.auth })).statusCode, path).toBe(403);
      expect((await send('POST', `${path}/links`, { payload: {} })).statusCode, path).toBe(401);
    }
    const list = await send('GET', `/api/albums/${album}/links`, { headers: owner.auth });
    expect(list.json()).toEqual({ items: [{ id: link.id, expiresAt: null, hasPassword: true, allowDownload: true, createdAt: link.createdAt }] });
    expect(list.body).not.toContain(link.token);

    const shares = await send('GET', `/api/albums/${album}/shares`, { headers: owner.auth });
    expect(shares.json()).toEqual({ items: [{ userId: viewer.id, email: viewer.email, role: 'viewer', createdAt: expect.any(String) }] });
  });

  it('2. the token alone opens the album, photos newest first with signed variant URLs; nothing of another photo shows', async () => {
    const { owner, album, inside, outside } = await sharedAlbum();
    const { token } = await linkTo(`/api/albums/${album}`, owner.auth);
    const send = client();
    const opened = await send('GET', `/api/links/${token}`);
    expect(opened.statusCode).toBe(200);
    expect(opened.headers['cache-control']).toBe('no-store');
    expect(opened.json()).toEqual({ kind: 'album', album: { id: album, title: 'Seaside', photoCount: 2 }, allowDownload: false, expiresAt: null });
    const page = await send('GET', `/api/links/${token}/photos?limit=10`);
    const { items, nextCursor } = page.json<{ items: { id: string; variants: { thumb: { url: string } } }[]; nextCursor: string | null }>();
    expect(items.map((photo) => photo.id)).toEqual([inside[1], inside[0]]);
    expect(nextCursor).toBeNull();
    expect(items[0]!.variants.thumb.url).toMatch(/^\/media\/variants\/.+\?expires=\d+&signature=[A-Za-z0-9_-]{43}$/);
    // The signed URL loads without any credential.
    expect((await send('GET', items[0]!.variants.thumb.url)).statusCode).not.toBe(401);
    for (const response of [opened, page]) {
      expect(response.body).not.toContain(outside);
      expect(response.body).not.toContain(owner.id);
      expect(response.body).not.toContain('originalKey');
    }
    expect((await send('GET', `/api/links/${'A'.repeat(43)}`)).statusCode).toBe(404);
  });

  it('3. a revoked link is 404 from the next request; an expired one is 410 problem+json', async () => {
    const { owner, album } = await sharedAlbum();
    const send = client();
    const link = await linkTo(`/api/albums/${album}`, owner.auth);
    expect((await send('GET', `/api/links/${link.token}/photos`)).statusCode).toBe(200);
    expect((await send('DELETE', `/api/albums/${album}/links/${link.id}`, { headers: owner.auth })).statusCode).toBe(204);
    expect((await send('GET', `/api/links/${link.token}/photos`)).statusCode).toBe(404);
    expect((await send('GET', `/api/links/${link.token}`)).statusCode).toBe(404);

    const expiring = await linkTo(`/api/albums/${album}`, owner.auth, { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await send('GET', `/api/links/${expiring.token}`)).statusCode).toBe(200);
    await metadataDatabase.prisma.shareLink.update({ where: { id: expiring.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await send('GET', `/api/links/${expiring.token}`);
    expect(problemOf(expired)).toEqual({ status: 410, type: 'application/problem+json', code: 'link-expired' });
    expect(expired.json<{ detail: string }>().detail).toBe('This link has expired.');
  });

  it("4. a password-protected link is 401 until unlocked; the right password sets a cookie for that link's path", async () => {
    const { owner, album, inside } = await sharedAlbum();
    const send = client();
    const { token } = await linkTo(`/api/albums/${album}`, owner.auth, { password: 'sea and sand' });
    const locked = await send('GET', `/api/links/${token}/photos`);
    expect(problemOf(locked)).toEqual({ status: 401, type: 'application/problem+json', code: 'link-password-required' });
    expect(locked.body).not.toContain(inside[0]);
    const wrong = await send('POST', `/api/links/${token}/unlock`, { payload: { password: 'sea and sun' } });
    expect(problemOf(wrong)).toEqual({ status: 401, type: 'application/problem+json', code: 'link-password-wrong' });
    expect(wrong.headers['set-cookie']).toBeUndefined();

    const right = await send('POST', `/api/links/${token}/unlock`, { payload: { password: 'sea and sand' } });
    expect(right.statusCode).toBe(204);
    const cookie = String(right.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`^photos-link-proof=[^;]+; Path=/api/links/${token}; Expires=[^;]+; HttpOnly; SameSite=Lax$`));
    const pair = cookie.split(';')[0]!;
    expect((await send('GET', `/api/links/${token}/photos`, { headers: { cookie: pair } })).json<{ items: unknown[] }>().items).toHaveLength(2);
    // The cookie of one link opens no other locked link, even of the same album and password.
    const other = await linkTo(`/api/albums/${album}`, owner.auth, { password: 'sea and sand' });
    expect(problemOf(await send('GET', `/api/links/${other.token}`, { headers: { cookie: pair } })).code).toBe('link-password-required');
  });

  it('5. wrong passwords are throttled per link and address, with Retry-After; another address still unlocks', async () => {
    const { owner, album } = await sharedAlbum();
    const { token } = await linkTo(`/api/albums/${album}`, owner.auth, { password: 'sea and sand' });
    const guesser = client();
    const statuses: number[] = [];
    for (let i = 0; i <= MAX_FAILURES; i++)
      statuses.push((await guesser('POST', `/api/links/${token}/unlock`, { payload: { password: `guess ${i}` } })).statusCode);
    expect(statuses).toEqual([...Array(MAX_FAILURES).fill(401), 429]);
    const refused = await guesser('POST', `/api/links/${token}/unlock`, { payload: { password: 'sea and sand' } });
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await client()('POST', `/api/links/${token}/unlock`, { payload: { password: 'sea and sand' } })).statusCode).toBe(204);
  });

  it('6. originals: 403 with downloads off, 404 for a photo the link does not open, 302 to a signed URL when allowed', async () => {
    const { owner, album, inside, outside } = await sharedAlbum();
    const send = client();
    const viewOnly = await linkTo(`/api/albums/${album}`, owner.auth);
    const download = await linkTo(`/api/albums/${album}`, owner.auth, { allowDownload: true });
    expect(problemOf(await send('GET', `/api/links/${viewOnly.token}/photos/${inside[0]}/original`)).status).toBe(403);
    const allowed = await send('GET', `/api/links/${download.token}/photos/${inside[0]}/original`);
    expect(allowed.statusCode).toBe(302);
    expect(allowed.headers.location).toMatch(new RegExp(`^/media/originals/originals/${inside[0]}\\?expires=\\d+&signature=`));
    for (const token of [viewOnly.token, download.token]) {
      const response = await send('GET', `/api/links/${token}/photos/${outside}/original`);
      expect(response.statusCode).toBe(404);
      expect(response.headers.location).toBeUndefined();
    }
    // A photo link opens its one photo.
    const single = await linkTo(`/api/photos/${outside}`, owner.auth);
    const opened = await send('GET', `/api/links/${single.token}`);
    expect(opened.json()).toMatchObject({ kind: 'photo', photo: { id: outside, variants: { thumb: { url: expect.stringMatching(/^\/media\/variants\//) } } } });
    expect(opened.body).not.toContain(album);
    expect((await send('GET', `/api/links/${single.token}/photos`)).json<{ items: { id: string }[] }>().items.map((photo) => photo.id)).toEqual([outside]);
  });

  it('7. /api/links/* is limited per address; /s/{token} serves the web app', async () => {
    const { owner, album } = await sharedAlbum();
    const { token, url } = await linkTo(`/api/albums/${album}`, owner.auth);
    const busy = client();
    const statuses: number[] = [];
    for (let i = 0; i <= LINKS_PER_MINUTE; i++) statuses.push((await busy('GET', `/api/links/${token}`)).statusCode);
    expect(statuses.slice(0, LINKS_PER_MINUTE).every((status) => status === 200)).toBe(true);
    const limited = await busy('GET', `/api/links/${token}`);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await client()('GET', `/api/links/${token}`)).statusCode).toBe(200);

    const page = await client()('GET', url);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
  });
});
