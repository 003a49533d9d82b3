/**
 * The BFF's metadata client against metadata's own OpenAPI document: the client's real calls to a running
 * metadata service (real database, events through its bus), each answer checked against the document
 * metadata serves at /docs/json. The BFF relies on those answers being StoredPhoto and StoredPhotoPage
 * (@photos/api-contracts); a change on either side that breaks the other fails here.
 */
import { randomUUID } from 'node:crypto';
import type { ServiceApp } from '@photos/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { albumsClient } from '../../services/bff/src/adapters/albums-client.js';
import { metadataClient, UpstreamError, type CallerContext } from '../../services/bff/src/adapters/metadata-client.js';
import { shareLinksClient } from '../../services/bff/src/adapters/share-links-client.js';
import { newPhotoId, processed, processingFailed, uploaded } from '../../services/metadata/src/test-support/photo-events.js';
import { as, buildTestApp } from '../../services/metadata/src/test-support/test-app.js';
import { openMigratedTestDatabase } from '../../services/metadata/src/test-support/test-database.js';
import { openApiContract, type OpenApiContract } from '../support/openapi-contract.js';

let closeDatabase: () => Promise<void>;
let closeApp: () => Promise<void>;
let app: ServiceApp;
let baseUrl: string;
let contract: OpenApiContract;

beforeAll(async () => {
  const opened = await openMigratedTestDatabase();
  closeDatabase = opened.close;
  const built = await buildTestApp({ database: opened.database, url: opened.url });
  ({ app } = built);
  closeApp = built.close;
  baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  contract = await openApiContract(await (await fetch(`${baseUrl}/docs/json`)).json());

  const owner = 'contract-owner';
  await built.bus.publish(uploaded(ready, owner));
  await built.bus.publish(processed(ready, owner, { exif: { takenAt: '2026-08-14T18:02:11+02:00', iso: 64, cameraMake: 'Apple' } }));
  await built.bus.publish(uploaded(failed, owner));
  await built.bus.publish(processingFailed(failed, owner));
  await built.bus.publish(uploaded(waiting, owner));
  // Projected once all three are listed with their final status.
  for (let tries = 0; tries < 200; tries++) {
    const page = (await app.inject({ method: 'GET', url: '/photos', headers: as(owner) })).json() as { items: { status: string }[] };
    if (page.items.length === 3 && page.items.filter((photo) => photo.status !== 'processing').length === 2) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}, 60_000);

afterAll(async () => {
  await closeApp?.();
  await closeDatabase?.();
});

const ready = newPhotoId();
const failed = newPhotoId();
const waiting = newPhotoId();

/** The client as the BFF builds it, with a fetch that checks every answer against metadata's document. */
function checkedClient() {
  const problems: { call: string; problems: string[] }[] = [];
  const checkingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const method = init?.method ?? 'GET';
    const url = String(input);
    const checked = contract.check(method, url, response, await response.clone().text());
    if (checked.problems.length > 0) problems.push({ call: `${method} ${url} -> ${response.status}`, problems: checked.problems });
    return response;
  };
  return {
    client: metadataClient(baseUrl, checkingFetch),
    albums: albumsClient(baseUrl, checkingFetch),
    links: shareLinksClient(baseUrl, checkingFetch),
    problems,
  };
}

const caller = (sub: string): CallerContext => ({ authorization: as(sub).authorization, correlationId: randomUUID() });
const owner = caller('contract-owner');
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => (error instanceof UpstreamError ? error.statusCode : error),
  );

describe("the BFF's metadata client and metadata's OpenAPI document", () => {
  it('metadata serves a valid document with named components', () => {
    expect(Object.keys(contract.document.components?.schemas ?? {})).toEqual(expect.arrayContaining(['StoredPhoto', 'StoredPhotoPage', 'Problem']));
  });

  it('every answer to the client fits the document, successes and errors alike', async () => {
    const { client, problems } = checkedClient();

    const page = await client.listPhotos(owner, new URLSearchParams({ limit: '2' }));
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toEqual(expect.any(String));
    const rest = await client.listPhotos(owner, new URLSearchParams({ limit: '2', cursor: page.nextCursor! }));
    expect(rest.items.map((photo) => photo.id)).toHaveLength(1);
    expect((await client.listPhotos(owner, new URLSearchParams({ status: 'failed' }))).items[0]).toMatchObject({
      id: failed,
      failure: { code: expect.any(String) },
    });
    expect(await refusal(client.listPhotos(owner, new URLSearchParams({ cursor: 'not-a-cursor' })))).toBe(400);
    expect(await refusal(client.listPhotos(owner, new URLSearchParams({ limit: '101' })))).toBe(400);

    const photo = await client.getPhoto(owner, ready);
    expect(photo).toMatchObject({ id: ready, status: 'ready', exif: { iso: 64 }, variants: { thumb: { key: expect.any(String) } } });
    expect(await client.getPhoto(owner, waiting)).toMatchObject({ status: 'processing', variants: null, exif: null });
    expect(await refusal(client.getPhoto(owner, 'not-a-uuid'))).toBe(400);
    expect(await refusal(client.getPhoto(owner, newPhotoId()))).toBe(404);
    expect(await refusal(client.getPhoto(caller('someone-else'), ready))).toBe(404);
    expect(await refusal(client.getPhoto({ authorization: 'Bearer not-a-token', correlationId: 'c' }, ready))).toBe(401);

    await client.deletePhoto(owner, waiting);
    expect(await refusal(client.deletePhoto(owner, waiting))).toBe(404);
    expect(await refusal(client.deletePhoto(owner, 'not-a-uuid'))).toBe(400);

    expect(problems).toEqual([]);
    const calls = new Set(contract.seen.map((seen) => `${seen.route} ${seen.status}`));
    expect([...calls].sort()).toEqual(
      expect.arrayContaining([
        'GET /photos 200',
        'GET /photos 400',
        'GET /photos/{id} 200',
        'GET /photos/{id} 400',
        'GET /photos/{id} 401',
        'GET /photos/{id} 404',
        'DELETE /photos/{id} 204',
        'DELETE /photos/{id} 404',
      ]),
    );
  });

  it("every answer to the BFF's album client fits the document", async () => {
    const { albums, problems } = checkedClient();
    const friend = caller('contract-friend');
    const album = await albums.create(owner, 'Contract');
    expect(album).toMatchObject({ name: 'Contract', access: 'owner', photoCount: 0 });
    expect(await albums.addPhotos(owner, album.id, [ready])).toEqual({ added: [ready] });
    expect(await refusal(albums.addPhotos(friend, album.id, [ready]))).toBe(404);
    expect(await albums.update(owner, album.id, { coverPhotoId: ready })).toMatchObject({ coverPhotoId: ready });
    await albums.share(owner, album.id, 'contract-friend', 'viewer');
    expect(await refusal(albums.share(owner, album.id, 'contract-owner', 'viewer'))).toBe(400);
    expect((await albums.grants(owner, album.id)).items).toEqual([expect.objectContaining({ granteeId: 'contract-friend', role: 'viewer' })]);
    expect(await refusal(albums.grants(friend, album.id))).toBe(403);
    expect((await albums.sharedWithMe(friend)).items.map((shared) => shared.id)).toEqual([album.id]);
    expect((await albums.owned(owner)).items.map((own) => own.id)).toEqual([album.id]);
    expect((await albums.get(friend, album.id)).access).toBe('viewer');
    expect((await albums.photos(friend, album.id, new URLSearchParams({ limit: '10' }))).items.map((photo) => photo.id)).toEqual([ready]);
    expect(await refusal(albums.photos(friend, album.id, new URLSearchParams({ cursor: 'bogus' })))).toBe(400);
    expect(await refusal(albums.removePhotos(friend, album.id, [ready]))).toBe(403);
    await albums.revoke(owner, album.id, 'contract-friend');
    expect(await refusal(albums.get(friend, album.id))).toBe(404);
    await albums.removePhotos(owner, album.id, [ready]);
    expect(await refusal(albums.delete(friend, album.id))).toBe(404);
    await albums.delete(owner, album.id);
    expect(await refusal(albums.get(owner, album.id))).toBe(404);
    expect(problems).toEqual([]);
  });

  it("every answer to the BFF's share link client fits the document", async () => {
    const { albums, links, problems } = checkedClient();
    const friend = caller('contract-friend');
    const album = await albums.create(owner, 'Linked');
    await albums.addPhotos(owner, album.id, [ready]);
    await albums.share(owner, album.id, 'contract-friend', 'viewer');
    const holder = { correlationId: randomUUID() };

    const open = await links.create(owner, 'albums', album.id, { allowDownload: true });
    expect(open).toMatchObject({ token: expect.any(String), hasPassword: false, allowDownload: true, expiresAt: null });
    expect(await refusal(links.create(friend, 'albums', album.id, {}))).toBe(403);
    expect(await refusal(links.create(caller('contract-stranger'), 'photos', ready, {}))).toBe(404);
    expect(await refusal(links.create(owner, 'albums', album.id, { expiresAt: '2001-01-01T00:00:00Z' }))).toBe(400);
    expect((await links.list(owner, 'albums', album.id)).items.map((link) => link.id)).toEqual([open.id]);
    expect(await refusal(links.list(friend, 'albums', album.id))).toBe(403);
    expect(await links.open(holder, open.token)).toEqual({
      kind: 'album',
      album: { id: album.id, title: 'Linked', photoCount: 1 },
      allowDownload: true,
      expiresAt: null,
    });
    expect(await refusal(links.open(holder, 'x'.repeat(43)))).toBe(404);
    expect((await links.photos(holder, open.token, new URLSearchParams({ limit: '5' }))).items.map((photo) => photo.id)).toEqual([ready]);
    expect(await refusal(links.photos(holder, open.token, new URLSearchParams({ cursor: 'bogus' })))).toBe(400);
    expect(await links.original(holder, open.token, ready)).toEqual({ originalKey: expect.any(String) });
    expect(await refusal(links.original(holder, open.token, failed))).toBe(404);

    const locked = await links.create(owner, 'photos', ready, { password: 'open sesame' });
    expect((await links.list(owner, 'photos', ready)).items).toEqual([expect.objectContaining({ id: locked.id, hasPassword: true })]);
    expect(await refusal(links.open(holder, locked.token))).toBe(401);
    expect(await refusal(links.unlock(holder, locked.token, 'wrong'))).toBe(401);
    const { proof } = await links.unlock(holder, locked.token, 'open sesame');
    expect(await links.open({ ...holder, proof }, locked.token)).toMatchObject({ kind: 'photo', photo: { id: ready } });
    expect(await refusal(links.original({ ...holder, proof }, locked.token, ready))).toBe(403);

    await links.revoke(owner, 'albums', album.id, open.id);
    expect(await refusal(links.revoke(owner, 'albums', album.id, open.id))).toBe(404);
    expect(await refusal(links.open(holder, open.token))).toBe(404);
    await links.revoke(owner, 'photos', ready, locked.id);
    await albums.delete(owner, album.id);
    expect(problems).toEqual([]);
  });
});
