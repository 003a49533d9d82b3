/**
 * Share links, attacked. For each rule: the attack, and the answer it must give.
 *
 *   1. Only the owner makes, lists and revokes links: a stranger gets 404, a grantee 403 (album and photo).
 *   2. The token alone opens the album, without an account, and only its photos (never the owner's others).
 *   3. A revoked link is 404 from the next request; an expired one 410.
 *   4. A password-protected link is 401 until unlocked; a wrong password is 401; the proof is one link's only.
 *   5. Originals: 403 when downloads are off; 404 for a photo the link does not open.
 *   6. A photo link opens that photo only.
 *   7. Deleting the album or the photo kills its links; every change is announced, the token never is.
 */
import { randomUUID } from 'node:crypto';
import type { AlbumEvent } from '@photos/contracts';
import type { EventBus } from '@photos/event-bus';
import type { ServiceApp } from '@photos/service-kit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from './adapters/database.js';
import { LINK_PROOF_HEADER } from './routes/share-links.js';
import { at, newPhotoId, uploaded } from './test-support/photo-events.js';
import { as, buildTestApp } from './test-support/test-app.js';
import { openMigratedTestDatabase } from './test-support/test-database.js';

let app: ServiceApp;
let bus: EventBus;
let database: Database;
const seen: AlbumEvent[] = [];
const closing: Array<{ close(): Promise<unknown> }> = [];
const t0 = new Date('2026-09-01T10:00:00Z');

beforeAll(async () => {
  const opened = await openMigratedTestDatabase();
  closing.push(opened);
  database = opened.database;
  const built = await buildTestApp({ database: opened.database, url: opened.url, env: { LINK_SCRYPT_COST: '10' } });
  closing.push(built);
  ({ app, bus } = built);
  const spy = async (event: AlbumEvent) => void seen.push(event);
  await bus.subscribe({ group: 'share-link-events-spy', handlers: { 'share-link.created': spy, 'share-link.revoked': spy } });
});

afterAll(async () => {
  for (const thing of closing.splice(0).reverse()) await thing.close();
});

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const call = (method: Method, url: string, who: string, payload?: object) => app.inject({ method, url, headers: as(who), ...(payload ? { payload } : {}) });
/** A link holder's request: no account, at most the proof of the password. */
const hold = (method: Method, url: string, proof?: string, payload?: object) =>
  app.inject({ method, url, headers: proof ? { [LINK_PROOF_HEADER]: proof } : {}, ...(payload ? { payload } : {}) });

async function photosOf(ownerId: string, offsets: number[]): Promise<string[]> {
  const ids = offsets.map(() => newPhotoId());
  for (const [index, id] of ids.entries())
    await bus.publish(uploaded(id, ownerId, { uploadedAt: at(t0, offsets[index]!).toISOString(), filename: `${id}.jpg` }));
  await vi.waitFor(
    async () => {
      for (const id of ids) expect((await call('GET', `/photos/${id}`, ownerId)).statusCode).toBe(200);
    },
    { timeout: 10_000, interval: 50 },
  );
  return ids;
}

/** An album of two of the owner's photos (a third outside), shared with a viewer. */
async function sharedAlbum() {
  const tag = randomUUID().slice(0, 8);
  const who = { owner: `owner-${tag}`, viewer: `viewer-${tag}`, stranger: `stranger-${tag}` };
  const [inside1, inside2, outside] = await photosOf(who.owner, [1, 2, 3]);
  const album = (await call('POST', '/albums', who.owner, { name: 'Seaside' })).json<{ id: string }>().id;
  expect((await call('POST', `/albums/${album}/photos`, who.owner, { photoIds: [inside1, inside2] })).statusCode).toBe(200);
  expect((await call('PUT', `/albums/${album}/grants/${who.viewer}`, who.owner, { role: 'viewer' })).statusCode).toBe(204);
  return { ...who, album, inside: [inside1!, inside2!], outside: outside! };
}

interface Created {
  id: string;
  token: string;
  expiresAt: string | null;
  hasPassword: boolean;
  allowDownload: boolean;
  createdAt: string;
}

async function linkTo(path: string, owner: string, body: object = {}): Promise<Created> {
  const response = await call('POST', `${path}/links`, owner, body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Created>();
}

const problem = (response: { statusCode: number; json(): unknown }) => ({ status: response.statusCode, code: (response.json() as { code?: string }).code });

describe('share links: management', () => {
  it('1. only the owner makes, lists and revokes links of an album or a photo', async () => {
    const { album, inside, outside, owner, viewer, stranger } = await sharedAlbum();
    const link = await linkTo(`/albums/${album}`, owner, { allowDownload: true });
    expect(link).toEqual({
      id: expect.any(String),
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: null,
      hasPassword: false,
      allowDownload: true,
      createdAt: expect.any(String),
    });
    // The token is stored only as its hash: the table holds no trace of it.
    const stored = await database.prisma.shareLink.findUniqueOrThrow({ where: { id: link.id } });
    expect(JSON.stringify(stored)).not.toContain(link.token);

    for (const [path, target] of [
      [`/albums/${album}`, 'album'],
      [`/photos/${inside[0]}`, 'photo'],
    ] as const) {
      expect((await call('POST', `${path}/links`, stranger, {})).statusCode, `${target} stranger`).toBe(404);
      expect((await call('POST', `${path}/links`, viewer, {})).statusCode, `${target} grantee`).toBe(403);
      expect((await call('GET', `${path}/links`, stranger)).statusCode).toBe(404);
      expect((await call('GET', `${path}/links`, viewer)).statusCode).toBe(403);
      expect((await call('DELETE', `${path}/links/${link.id}`, stranger)).statusCode).toBe(404);
      expect((await call('DELETE', `${path}/links/${link.id}`, viewer)).statusCode).toBe(403);
    }
    // A photo the grantee cannot see at all (outside the shared album) is 404, not 403.
    expect((await call('POST', `/photos/${outside}/links`, viewer, {})).statusCode).toBe(404);

    const list = await call('GET', `/albums/${album}/links`, owner);
    expect(list.json()).toEqual({ items: [{ id: link.id, expiresAt: null, hasPassword: false, allowDownload: true, createdAt: link.createdAt }] });
    expect(list.body).not.toContain(link.token);
    // A link revoked through another album or photo than its own is not found.
    expect((await call('DELETE', `/photos/${inside[0]}/links/${link.id}`, owner)).statusCode).toBe(404);
    expect((await hold('GET', `/links/${link.token}`)).statusCode).toBe(200);
  });

  it('refuses an expiry in the past or not a date, and a short password (400), storing nothing', async () => {
    const { album, owner } = await sharedAlbum();
    for (const body of [{ expiresAt: '2020-01-01T00:00:00Z' }, { password: 'abc' }, { expiresAt: 'tomorrow' }, { allowDownload: 'yes please' }]) {
      expect((await call('POST', `/albums/${album}/links`, owner, body)).statusCode, JSON.stringify(body)).toBe(400);
    }
    expect((await call('GET', `/albums/${album}/links`, owner)).json()).toEqual({ items: [] });
  });
});

describe('share links: holders', () => {
  it("2. the token alone opens the album and only its photos, newest first; never the owner's others", async () => {
    const { album, inside, outside, owner } = await sharedAlbum();
    const { token } = await linkTo(`/albums/${album}`, owner);
    const opened = await hold('GET', `/links/${token}`);
    expect(opened.statusCode).toBe(200);
    expect(opened.json()).toEqual({ kind: 'album', album: { id: album, title: 'Seaside', photoCount: 2 }, allowDownload: false, expiresAt: null });
    const first = await hold('GET', `/links/${token}/photos?limit=1`);
    const { items, nextCursor } = first.json<{ items: { id: string }[]; nextCursor: string }>();
    expect(items.map((photo) => photo.id)).toEqual([inside[1]]);
    const second = await hold('GET', `/links/${token}/photos?limit=1&cursor=${encodeURIComponent(nextCursor)}`);
    expect(second.json<{ items: { id: string }[] }>().items.map((photo) => photo.id)).toEqual([inside[0]]);
    for (const response of [opened, first, second]) {
      expect(response.body).not.toContain(outside);
      expect(response.body).not.toContain(owner);
      expect(response.body).not.toContain('originals/');
    }
    // A made-up or malformed token is 404, like a revoked one.
    for (const bad of ['A'.repeat(43), 'short', 'x'.repeat(99), 'not%20a%20token']) expect((await hold('GET', `/links/${bad}`)).statusCode, bad).toBe(404);
    // Photo pages and the single photo through the token never need nor use an account.
    expect((await hold('GET', `/links/${token}/photos?cursor=nope`)).statusCode).toBe(400);
  });

  it('3. a revoked link is 404 from the next request; an expired one is 410', async () => {
    const { album, owner, inside } = await sharedAlbum();
    const revoked = await linkTo(`/albums/${album}`, owner);
    expect((await hold('GET', `/links/${revoked.token}/photos`)).statusCode).toBe(200);
    expect((await call('DELETE', `/albums/${album}/links/${revoked.id}`, owner)).statusCode).toBe(204);
    for (const url of [`/links/${revoked.token}`, `/links/${revoked.token}/photos`, `/links/${revoked.token}/photos/${inside[0]}/original`]) {
      expect((await hold('GET', url)).statusCode, url).toBe(404);
    }
    expect((await hold('POST', `/links/${revoked.token}/unlock`, undefined, { password: 'whatever' })).statusCode).toBe(404);
    expect((await call('DELETE', `/albums/${album}/links/${revoked.id}`, owner)).statusCode).toBe(404);
    expect((await call('GET', `/albums/${album}/links`, owner)).json()).toEqual({ items: [] });

    const expiring = await linkTo(`/albums/${album}`, owner, { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await hold('GET', `/links/${expiring.token}`)).statusCode).toBe(200);
    // An hour later, as far as the link knows.
    await database.prisma.shareLink.update({ where: { id: expiring.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    for (const url of [`/links/${expiring.token}`, `/links/${expiring.token}/photos`]) {
      const response = await hold('GET', url);
      expect(problem(response), url).toEqual({ status: 410, code: 'link-expired' });
      expect(response.json<{ detail: string }>().detail).toMatch(/expired/);
      expect(response.body).not.toContain(inside[0]);
    }
  });

  it('4. a password-protected link is 401 until unlocked; wrong passwords are refused; a proof opens its own link only', async () => {
    const { album, owner, inside } = await sharedAlbum();
    const locked = await linkTo(`/albums/${album}`, owner, { password: 'sea and sand' });
    expect(locked.hasPassword).toBe(true);
    const stored = await database.prisma.shareLink.findUniqueOrThrow({ where: { id: locked.id } });
    expect(stored.passwordHash).toMatch(/^scrypt\$/);
    expect(stored.passwordHash).not.toContain('sea and sand');

    for (const url of [`/links/${locked.token}`, `/links/${locked.token}/photos`, `/links/${locked.token}/photos/${inside[0]}/original`]) {
      const response = await hold('GET', url);
      expect(problem(response), url).toEqual({ status: 401, code: 'link-password-required' });
      expect(response.body).not.toMatch(/\.jpg|originals\//);
    }
    expect(problem(await hold('POST', `/links/${locked.token}/unlock`, undefined, { password: 'sea and sun' }))).toEqual({
      status: 401,
      code: 'link-password-wrong',
    });
    const unlocked = await hold('POST', `/links/${locked.token}/unlock`, undefined, { password: 'sea and sand' });
    expect(unlocked.statusCode).toBe(200);
    const { proof, expiresAt } = unlocked.json<{ proof: string; expiresAt: string }>();
    expect(new Date(expiresAt).getTime() - Date.now()).toBeGreaterThan(11 * 3600_000);
    expect((await hold('GET', `/links/${locked.token}`, proof)).statusCode).toBe(200);
    expect((await hold('GET', `/links/${locked.token}/photos`, proof)).json<{ items: unknown[] }>().items).toHaveLength(2);

    // The proof is bound to its link: another locked link of the same owner stays locked; a forged one is refused.
    const other = await linkTo(`/albums/${album}`, owner, { password: 'sea and sand' });
    expect(problem(await hold('GET', `/links/${other.token}`, proof))).toEqual({ status: 401, code: 'link-password-required' });
    const [id, expires] = proof.split('.');
    for (const forged of [
      `${other.id}.${expires}.${proof.split('.')[2]}`,
      `${id}.${Number(expires) + 3600}.${proof.split('.')[2]}`,
      `${id}.${expires}.AAAA`,
      '',
    ]) {
      expect((await hold('GET', `/links/${locked.token}`, forged)).statusCode, forged).toBe(401);
    }
    // A platform access token is not a proof either.
    expect((await hold('GET', `/links/${locked.token}`, as(owner).authorization.slice(7))).statusCode).toBe(401);
  });

  it('5. originals: 403 when downloads are off, 404 for a photo the link does not open, the key when allowed', async () => {
    const { album, owner, inside, outside } = await sharedAlbum();
    const viewOnly = await linkTo(`/albums/${album}`, owner);
    const download = await linkTo(`/albums/${album}`, owner, { allowDownload: true });
    expect((await hold('GET', `/links/${viewOnly.token}/photos/${inside[0]}/original`)).statusCode).toBe(403);
    const allowed = await hold('GET', `/links/${download.token}/photos/${inside[0]}/original`);
    expect(allowed.json()).toEqual({ originalKey: `originals/${inside[0]}` });
    for (const token of [viewOnly.token, download.token]) {
      for (const photo of [outside, newPhotoId()]) {
        const response = await hold('GET', `/links/${token}/photos/${photo}/original`);
        expect(response.statusCode).toBe(404);
        expect(response.body).not.toContain('originals/');
      }
    }
  });

  it('6. a photo link opens that photo only', async () => {
    const { owner, inside, outside, album } = await sharedAlbum();
    const link = await linkTo(`/photos/${outside}`, owner, { allowDownload: true });
    const opened = await hold('GET', `/links/${link.token}`);
    expect(opened.json()).toMatchObject({ kind: 'photo', photo: { id: outside, filename: `${outside}.jpg` }, allowDownload: true });
    expect(opened.json()).not.toHaveProperty('album');
    expect(opened.body).not.toContain(album);
    expect((await hold('GET', `/links/${link.token}/photos`)).json<{ items: { id: string }[] }>().items.map((p) => p.id)).toEqual([outside]);
    expect((await hold('GET', `/links/${link.token}/photos/${outside}/original`)).statusCode).toBe(200);
    expect((await hold('GET', `/links/${link.token}/photos/${inside[0]}/original`)).statusCode).toBe(404);
  });

  it('7. deleting the album or the photo kills its links; creation and revocation are announced without the token', async () => {
    const { album, owner, inside } = await sharedAlbum();
    const albumLink = await linkTo(`/albums/${album}`, owner);
    const photoLink = await linkTo(`/photos/${inside[0]}`, owner);
    expect((await call('DELETE', `/albums/${album}/links/${albumLink.id}`, owner)).statusCode).toBe(204);
    const second = await linkTo(`/albums/${album}`, owner);
    expect((await call('DELETE', `/albums/${album}`, owner)).statusCode).toBe(204);
    expect((await hold('GET', `/links/${second.token}`)).statusCode).toBe(404);
    expect((await call('DELETE', `/photos/${inside[0]}`, owner)).statusCode).toBe(204);
    expect((await hold('GET', `/links/${photoLink.token}`)).statusCode).toBe(404);
    expect(await database.prisma.shareLink.count({ where: { id: { in: [albumLink.id, second.id, photoLink.id] } } })).toBe(0);

    await vi.waitFor(() => expect(seen.filter((event) => [albumLink.id, photoLink.id, second.id].includes(event.data.linkId as string))).toHaveLength(4));
    const mine = seen.filter((event) => [albumLink.id, photoLink.id, second.id].includes(event.data.linkId as string));
    expect(mine.map((event) => [event.type, event.subject])).toEqual([
      ['share-link.created.v1', album],
      ['share-link.created.v1', inside[0]],
      ['share-link.revoked.v1', album],
      ['share-link.created.v1', album],
    ]);
    for (const token of [albumLink.token, photoLink.token, second.token]) expect(JSON.stringify(seen)).not.toContain(token);
  });
});
