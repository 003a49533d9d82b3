/**
 * The BFF's OpenAPI document cannot drift from what it does: real requests against the running platform
 * (every public route, its success and its errors) and each answer checked against the document the
 * BFF serves (status, content type, documented headers, body), by a third-party validator
 * (test/support/openapi-contract.ts). A route or status the document lacks, or a body that does not fit
 * its schema, fails here.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPlatform } from '../../apps/embedded/src/embedded-platform.js';
import { openApiContract, type OpenApiContract } from '../support/openapi-contract.js';

let platform: Awaited<ReturnType<typeof startEmbeddedPlatform>>;
let dataDir: string;
let contract: OpenApiContract;

const MAX_UPLOAD_BYTES = 64_000;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'openapi-contract-'));
  platform = await startEmbeddedPlatform({
    dataDir,
    port: 0,
    host: '127.0.0.1',
    env: {
      LOG_LEVEL: 'warn',
      SCRYPT_COST: '12',
      MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
      MAX_PIXELS: '1000000',
      EVENT_STREAMS_PER_USER: '1',
      LOGIN_MAX_FAILURES: '2',
      LINK_UNLOCK_MAX_FAILURES: '2',
    },
  });
  contract = await openApiContract(await (await fetch(`${platform.url}/api/docs/json`)).json());
}, 60_000);

afterAll(async () => {
  await platform?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Sends a request and checks the answer against the document; streams are checked by their head only. */
async function call(method: string, path: string, init: RequestInit & { stream?: boolean } = {}) {
  const { stream, ...rest } = init;
  const response = await fetch(`${platform.url}${path}`, { method, redirect: 'manual', ...rest });
  const body = stream ? undefined : await response.text();
  const checked = contract.check(method, path, response, body);
  expect(checked.problems, `${method} ${path} -> ${response.status}`).toEqual([]);
  return { response, body, json: () => JSON.parse(body ?? 'null') as Record<string, unknown> };
}

const json = (value: unknown, headers: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(value),
});

/** A small real JPEG (noise, so that it does not compress to nothing). */
const jpeg = (size: number) =>
  sharp(Buffer.from(Array.from({ length: size * size * 3 }, (_, i) => (i * 7919) % 251)), { raw: { width: size, height: size, channels: 3 } })
    .jpeg({ quality: 95 })
    .toBuffer();

const form = (...files: { name: string; bytes: Buffer; field?: string }[]) => {
  const body = new FormData();
  for (const file of files) body.append(file.field ?? 'file', new Blob([new Uint8Array(file.bytes)]), file.name);
  return body;
};

/** The session cookies a login or refresh set, as a Cookie header, and the CSRF token among them. */
function cookiesOf(response: Response): { cookie: string; csrf: string } {
  const pairs = response.headers.getSetCookie().map((line) => line.split(';')[0]!);
  const csrf = pairs.find((pair) => /photos-csrf=/.test(pair))!.split('=')[1]!;
  return { cookie: pairs.join('; '), csrf };
}

describe('the BFF answers as its OpenAPI document says', () => {
  const email = `contract-${Date.now()}@example.com`;
  const password = 'correct horse battery staple';
  let bearer: Record<string, string>;
  let session: { cookie: string; csrf: string };
  let photoId: string;

  it('documents a valid OpenAPI 3.1 document with named components and no def-N', () => {
    const names = Object.keys(contract.document.components?.schemas ?? {});
    expect(names).toEqual(
      expect.arrayContaining(['Photo', 'PhotoPage', 'Problem', 'UploadAnswer', 'Credentials', 'PhotoProcessedChange', 'Album', 'ShareAlbum']),
    );
    expect(names.filter((name) => /^def-\d+$/.test(name))).toEqual([]);
  });

  it('register, login, session, refresh', async () => {
    expect((await call('POST', '/api/auth/register', json({ email, password }))).response.status).toBe(202);
    expect((await call('POST', '/api/auth/register', json({ email: 'not an email', password }))).response.status).toBe(400);
    expect((await call('POST', '/api/auth/register', { headers: { 'content-type': 'application/xml' }, body: '<hello/>' })).response.status).toBe(415);
    expect((await call('POST', '/api/auth/register', json({ email, password: 'x'.repeat(20_000) }))).response.status).toBe(413);

    expect((await call('POST', '/api/auth/login', json({ email, password: 'wrong password' }))).response.status).toBe(401);
    const login = await call('POST', '/api/auth/login', json({ email, password }));
    expect(login.response.status).toBe(200);
    bearer = { authorization: `Bearer ${login.json()['accessToken'] as string}` };
    session = cookiesOf(login.response);

    expect((await call('GET', '/api/auth/session', { headers: bearer })).response.status).toBe(200);
    expect((await call('GET', '/api/auth/session', { headers: { cookie: session.cookie } })).response.status).toBe(200);
    expect((await call('GET', '/api/auth/session')).response.status).toBe(401);

    expect((await call('POST', '/api/auth/refresh', { headers: { cookie: session.cookie } })).response.status).toBe(403);
    expect((await call('POST', '/api/auth/refresh')).response.status).toBe(401);
    const refreshed = await call('POST', '/api/auth/refresh', { headers: { cookie: session.cookie, 'x-csrf-token': session.csrf } });
    expect(refreshed.response.status).toBe(200);
    session = cookiesOf(refreshed.response);
  });

  it('a login throttled after failures is 429', async () => {
    const other = `throttled-${Date.now()}@example.com`;
    await call('POST', '/api/auth/register', json({ email: other, password }));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call('POST', '/api/auth/login', json({ email: other, password: 'wrong password' }))).response.status);
    expect(statuses).toEqual([401, 401, 429]);
  });

  it('uploads, lists, gets, streams events, serves the original, deletes', async () => {
    const events = await fetch(`${platform.url}/api/events`, { headers: bearer });
    expect(contract.check('GET', '/api/events', events).problems).toEqual([]);
    expect(events.status).toBe(200);
    // EVENT_STREAMS_PER_USER is 1 here: a second stream is refused.
    expect((await call('GET', '/api/events', { headers: bearer })).response.status).toBe(429);
    expect((await call('GET', '/api/events')).response.status).toBe(401);

    const upload = await call('POST', '/api/photos', { headers: bearer, body: form({ name: 'small.jpg', bytes: await jpeg(64) }) });
    expect(upload.response.status).toBe(202);
    photoId = (upload.json()['photos'] as { id: string }[])[0]!.id;

    // Read the stream until this photo's photo.processed, and check its data against the document.
    const reader = events.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!new RegExp(`event: photo.processed\\ndata: [^\\n]*${photoId}`).test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended');
      text += decoder.decode(value, { stream: true });
    }
    await reader.cancel();
    const data = JSON.parse(new RegExp(`event: photo.processed\\ndata: ([^\\n]*${photoId}[^\\n]*)`).exec(text)![1]!);
    const eventTypes = (
      contract.document.paths['/api/events']!['get']!.responses['200']!.content!['text/event-stream']!.schema as {
        'x-events': Record<string, { $ref: string }>;
      }
    )['x-events'];
    expect(contract.checkComponent(eventTypes['photo.processed']!.$ref.split('/').at(-1)!, data)).toEqual([]);

    expect((await call('GET', '/api/photos', { headers: bearer })).response.status).toBe(200);
    expect((await call('GET', '/api/photos?limit=0', { headers: bearer })).response.status).toBe(400);
    expect((await call('GET', '/api/photos?limit=1&status=ready', { headers: { cookie: session.cookie } })).response.status).toBe(200);
    expect((await call('GET', '/api/photos')).response.status).toBe(401);

    const detail = await call('GET', `/api/photos/${photoId}`, { headers: bearer });
    expect(detail.response.status).toBe(200);
    expect(detail.json()).toMatchObject({ id: photoId, status: 'ready', originalUrl: expect.any(String) });
    expect((await call('GET', '/api/photos/not-a-uuid', { headers: bearer })).response.status).toBe(400);
    expect((await call('GET', '/api/photos/00000000-0000-4000-8000-000000000000', { headers: bearer })).response.status).toBe(404);

    const original = await call('GET', `/api/photos/${photoId}/original`, { headers: bearer });
    expect(original.response.status).toBe(302);
    const location = original.response.headers.get('location')!;
    expect((await call('GET', location, { stream: true })).response.status).toBe(200);
    expect((await call('GET', location.replace(/signature=[^&]+/, 'signature=short'))).response.status).toBe(400);
    expect((await call('GET', location.replace(/signature=[^&]+/, `signature=${'A'.repeat(43)}`))).response.status).toBe(404);
    expect((await call('GET', `/api/photos/00000000-0000-4000-8000-000000000000/original`, { headers: bearer })).response.status).toBe(404);

    const thumb = (detail.json()['variants'] as { thumb: { url: string } }).thumb.url;
    expect((await call('GET', thumb, { stream: true })).response.status).toBe(200);

    expect((await call('DELETE', `/api/photos/${photoId}`, { headers: { cookie: session.cookie } })).response.status).toBe(403);
    expect((await call('DELETE', `/api/photos/${photoId}`, { headers: { cookie: session.cookie, 'x-csrf-token': session.csrf } })).response.status).toBe(204);
    expect((await call('DELETE', `/api/photos/${photoId}`, { headers: bearer })).response.status).toBe(404);
    expect((await call('DELETE', `/api/photos/not-a-uuid`, { headers: bearer })).response.status).toBe(400);
  }, 60_000);

  it('refuses bad uploads with documented problems', async () => {
    const upload = (init: RequestInit) => call('POST', '/api/photos', init);
    expect((await upload({ body: form({ name: 'a.jpg', bytes: await jpeg(16) }) })).response.status).toBe(401);
    expect((await upload({ headers: { cookie: session.cookie }, body: form({ name: 'a.jpg', bytes: await jpeg(16) }) })).response.status).toBe(403);
    expect((await upload({ ...json({ photos: [] }, bearer) })).response.status).toBe(415);
    expect((await upload({ headers: bearer, body: form({ name: 'notes.jpg', bytes: Buffer.from('just some text, not a photo') }) })).response.status).toBe(415);
    expect((await upload({ headers: bearer, body: form({ name: 'a.jpg', bytes: await jpeg(16), field: 'picture' }) })).response.status).toBe(400);
    const big = await jpeg(400);
    expect(big.length).toBeGreaterThan(MAX_UPLOAD_BYTES);
    expect((await upload({ headers: bearer, body: form({ name: 'big.jpg', bytes: big }) })).response.status).toBe(413);
    const tooManyPixels = await sharp({ create: { width: 1200, height: 1000, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();
    expect((await upload({ headers: bearer, body: form({ name: 'wide.png', bytes: tooManyPixels }) })).response.status).toBe(422);
  });

  it('albums: create, add photos, share by email, shared with me, revoke, delete', async () => {
    const friendEmail = `friend-${Date.now()}@example.com`;
    await call('POST', '/api/auth/register', json({ email: friendEmail, password }));
    const friend = {
      authorization: `Bearer ${(await call('POST', '/api/auth/login', json({ email: friendEmail, password }))).json()['accessToken'] as string}`,
    };
    const upload = await call('POST', '/api/photos', { headers: bearer, body: form({ name: 'album.jpg', bytes: await jpeg(48) }) });
    const photo = (upload.json()['photos'] as { id: string }[])[0]!.id;
    await expect.poll(async () => (await call('GET', `/api/photos/${photo}`, { headers: bearer })).response.status, { timeout: 20_000 }).toBe(200);

    const created = await call('POST', '/api/albums', json({ name: 'Trip' }, bearer));
    expect(created.response.status).toBe(201);
    const album = created.json()['id'] as string;
    expect((await call('POST', '/api/albums', json({ name: '' }, bearer))).response.status).toBe(400);
    expect((await call('POST', '/api/albums', json({ name: 'Trip' }, { cookie: session.cookie }))).response.status).toBe(403);
    expect((await call('GET', '/api/albums', { headers: bearer })).json()['items']).toEqual([expect.objectContaining({ id: album, photoCount: 0 })]);
    expect((await call('GET', '/api/albums')).response.status).toBe(401);
    expect((await call('GET', `/api/albums/${album}`, { headers: bearer })).response.status).toBe(200);
    expect((await call('GET', '/api/albums/not-a-uuid', { headers: bearer })).response.status).toBe(400);

    expect((await call('POST', `/api/albums/${album}/photos`, json({ photoIds: [photo] }, bearer))).json()).toEqual({ added: [photo] });
    expect((await call('POST', `/api/albums/${album}/photos`, json({ photoIds: [photo] }, friend))).response.status).toBe(404);
    expect((await call('PATCH', `/api/albums/${album}`, json({ coverPhotoId: photo }, bearer))).json()).toMatchObject({ coverPhotoId: photo });
    expect((await call('PATCH', `/api/albums/${album}`, json({ name: 'Mine' }, friend))).response.status).toBe(404);

    const shared = await call('POST', `/api/albums/${album}/shares`, json({ email: friendEmail.toUpperCase(), role: 'viewer' }, bearer));
    expect(shared.response.status).toBe(200);
    const friendId = shared.json()['granteeId'] as string;
    expect((await call('POST', `/api/albums/${album}/shares`, json({ email: 'nobody@example.com', role: 'viewer' }, bearer))).response.status).toBe(404);
    expect((await call('GET', `/api/albums/${album}/shares`, { headers: bearer })).json()['items']).toEqual([
      expect.objectContaining({ userId: friendId, email: friendEmail, role: 'viewer' }),
    ]);
    expect((await call('GET', `/api/albums/${album}/shares`, { headers: friend })).response.status).toBe(403);
    expect((await call('GET', '/api/albums/shared', { headers: friend })).json()['items']).toEqual([expect.objectContaining({ id: album, access: 'viewer' })]);
    expect((await call('GET', '/api/albums/shared')).response.status).toBe(401);
    const page = await call('GET', `/api/albums/${album}/photos`, { headers: friend });
    expect((page.json()['items'] as { id: string; variants: object }[]).map((item) => item.id)).toEqual([photo]);
    expect((await call('GET', `/api/albums/${album}/photos?cursor=bogus`, { headers: friend })).response.status).toBe(400);
    expect((await call('GET', `/api/photos/${photo}`, { headers: friend })).response.status).toBe(200);
    expect((await call('POST', `/api/albums/${album}/photos/remove`, json({ photoIds: [photo] }, friend))).response.status).toBe(403);
    expect((await call('DELETE', `/api/albums/${album}/shares/${friendId}`, { headers: friend })).response.status).toBe(403);

    expect((await call('DELETE', `/api/albums/${album}/shares/${friendId}`, { headers: bearer })).response.status).toBe(204);
    expect((await call('GET', `/api/albums/${album}`, { headers: friend })).response.status).toBe(404);
    expect((await call('GET', `/api/photos/${photo}`, { headers: friend })).response.status).toBe(404);
    expect((await call('POST', `/api/albums/${album}/photos/remove`, json({ photoIds: [photo] }, bearer))).response.status).toBe(204);
    expect((await call('DELETE', `/api/albums/${album}`, { headers: friend })).response.status).toBe(404);
    expect((await call('DELETE', `/api/albums/${album}`, { headers: bearer })).response.status).toBe(204);
    expect((await call('GET', `/api/photos/${photo}`, { headers: bearer })).response.status).toBe(200);
  }, 60_000);

  it('share links: make, list, open without an account, unlock, page, download, revoke', async () => {
    const strangerEmail = `stranger-${Date.now()}@example.com`;
    await call('POST', '/api/auth/register', json({ email: strangerEmail, password }));
    const stranger = {
      authorization: `Bearer ${(await call('POST', '/api/auth/login', json({ email: strangerEmail, password }))).json()['accessToken'] as string}`,
    };
    const upload = await call('POST', '/api/photos', { headers: bearer, body: form({ name: 'linked.jpg', bytes: await jpeg(40) }) });
    const photo = (upload.json()['photos'] as { id: string }[])[0]!.id;
    await expect.poll(async () => (await call('GET', `/api/photos/${photo}`, { headers: bearer })).json()['status'], { timeout: 20_000 }).toBe('ready');
    const album = (await call('POST', '/api/albums', json({ name: 'Linked' }, bearer))).json()['id'] as string;
    await call('POST', `/api/albums/${album}/photos`, json({ photoIds: [photo] }, bearer));

    const created = await call('POST', `/api/albums/${album}/links`, json({ allowDownload: true }, bearer));
    expect(created.response.status).toBe(201);
    const { id: linkId, token, url } = created.json() as { id: string; token: string; url: string };
    expect(url).toBe(`/s/${token}`);
    expect((await call('POST', `/api/albums/${album}/links`, json({ password: 'abc' }, bearer))).response.status).toBe(400);
    expect((await call('POST', `/api/albums/${album}/links`, json({}, stranger))).response.status).toBe(404);
    expect((await call('GET', `/api/albums/${album}/links`, { headers: bearer })).json()['items']).toEqual([expect.objectContaining({ id: linkId })]);
    expect((await call('GET', `/api/albums/${album}/links`)).response.status).toBe(401);

    expect((await call('GET', `/api/links/${token}`)).json()).toMatchObject({ kind: 'album', album: { id: album, title: 'Linked', photoCount: 1 } });
    expect((await call('GET', `/api/links/${'x'.repeat(43)}`)).response.status).toBe(404);
    expect((await call('GET', `/api/links/${token}/photos?limit=1`)).json()['items']).toEqual([expect.objectContaining({ id: photo })]);
    expect((await call('GET', `/api/links/${token}/photos?cursor=bogus`)).response.status).toBe(400);
    expect((await call('GET', `/api/links/${token}/photos/${photo}/original`)).response.status).toBe(302);
    expect((await call('GET', `/api/links/${token}/photos/${randomUUID()}/original`)).response.status).toBe(404);

    const photoLink = await call('POST', `/api/photos/${photo}/links`, json({ password: 'open sesame' }, bearer));
    expect(photoLink.response.status).toBe(201);
    const locked = photoLink.json() as { id: string; token: string };
    expect((await call('POST', `/api/photos/${photo}/links`, json({}, stranger))).response.status).toBe(404);
    expect((await call('GET', `/api/photos/${photo}/links`, { headers: bearer })).json()['items']).toEqual([expect.objectContaining({ hasPassword: true })]);
    expect((await call('GET', `/api/photos/not-a-uuid/links`, { headers: bearer })).response.status).toBe(400);
    expect((await call('GET', `/api/links/${locked.token}`)).json()).toMatchObject({ code: 'link-password-required' });
    expect((await call('GET', `/api/links/${locked.token}/photos/${photo}/original`)).response.status).toBe(401);
    const unlocked = await call('POST', `/api/links/${locked.token}/unlock`, json({ password: 'open sesame' }));
    expect(unlocked.response.status).toBe(204);
    const proof = unlocked.response.headers.getSetCookie()[0]!.split(';')[0]!;
    expect((await call('GET', `/api/links/${locked.token}`, { headers: { cookie: proof } })).json()).toMatchObject({ kind: 'photo', photo: { id: photo } });
    expect((await call('GET', `/api/links/${locked.token}/photos/${photo}/original`, { headers: { cookie: proof } })).response.status).toBe(403);
    const guesses = [];
    for (let i = 0; i < 3; i++) guesses.push((await call('POST', `/api/links/${locked.token}/unlock`, json({ password: `guess ${i}` }))).response.status);
    expect(guesses).toEqual([401, 401, 429]);

    const expiring = await call('POST', `/api/albums/${album}/links`, json({ expiresAt: new Date(Date.now() + 1500).toISOString() }, bearer));
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect((await call('GET', `/api/links/${(expiring.json() as { token: string }).token}`)).response.status).toBe(410);

    expect((await call('DELETE', `/api/albums/${album}/links/${linkId}`, { headers: bearer })).response.status).toBe(204);
    expect((await call('DELETE', `/api/albums/${album}/links/${linkId}`, { headers: bearer })).response.status).toBe(404);
    expect((await call('GET', `/api/links/${token}`)).response.status).toBe(404);
    expect((await call('DELETE', `/api/photos/${photo}/links/${locked.id}`, { headers: stranger })).response.status).toBe(404);
    expect((await call('DELETE', `/api/photos/${photo}/links/${locked.id}`, { headers: bearer })).response.status).toBe(204);
  }, 60_000);

  it('logout', async () => {
    expect((await call('POST', '/api/auth/logout', { headers: { cookie: session.cookie } })).response.status).toBe(403);
    expect((await call('POST', '/api/auth/logout', { headers: { cookie: session.cookie, 'x-csrf-token': session.csrf } })).response.status).toBe(204);
  });

  it('covered every documented operation, with a success and an error each', () => {
    const documented = Object.entries(contract.document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const answered = (route: string, ok: boolean) => contract.seen.some((seen) => seen.route === route && seen.status < 400 === ok);
    expect(documented.filter((route) => !answered(route, true))).toEqual([]);
    expect(documented.filter((route) => !answered(route, false))).toEqual([]);
    expect(contract.seen.filter((seen) => seen.problems.length > 0)).toEqual([]);
  });
});
