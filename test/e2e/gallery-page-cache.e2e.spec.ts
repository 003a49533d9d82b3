/**
 * The BFF's gallery page over a running metadata service, through the pages the BFF keeps for metadata's
 * 304s (adapters/gallery-page-cache.ts): a kept page is sent again only while metadata says the caller's
 * page is unchanged, so every change shows on the caller's next request (a new photo, its processing,
 * its deletion) and nobody is ever sent another's page. Real metadata (database, Redis cache, events
 * through its bus), real BFF, both listening on loopback.
 */
import { randomUUID } from 'node:crypto';
import { createTokenSigner, type ServiceApp } from '@photos/service-kit';
import type { Histogram } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBffApp } from '../../services/bff/src/app.js';
import { memoryBus, openBffTestBed, type BffTestBed } from '../../services/bff/src/test-support/bff-test-bed.js';
import { newPhotoId, processed, uploaded } from '../../services/metadata/src/test-support/photo-events.js';
import { buildTestApp } from '../../services/metadata/src/test-support/test-app.js';
import { openMigratedTestDatabase } from '../../services/metadata/src/test-support/test-database.js';

const JWT_SECRET = 'gallery-cache-secret-0123456789-0123456789';
const sign = createTokenSigner({ secret: JWT_SECRET, issuer: 'photo-platform', audience: 'photo-platform', expiresInSeconds: 600 });

let bed: BffTestBed;
let metadata: Awaited<ReturnType<typeof buildTestApp>>;
let closeDatabase: () => Promise<void>;
let bff: ServiceApp;
let bffUrl: string;
const closing: { close(): Promise<unknown> }[] = [];

beforeAll(async () => {
  const opened = await openMigratedTestDatabase();
  closeDatabase = opened.close;
  metadata = await buildTestApp({ database: opened.database, url: opened.url, env: { JWT_SECRET } });
  const metadataUrl = await metadata.app.listen({ port: 0, host: '127.0.0.1' });
  bed = await openBffTestBed('bff_gallery_cache');
  const bus = memoryBus();
  closing.push(bus);
  bff = await buildBffApp({ config: bed.config({ JWT_SECRET, METADATA_URL: metadataUrl }), ...(await bed.stores()), bus });
  bffUrl = await bff.listen({ port: 0, host: '127.0.0.1' });
}, 60_000);

afterAll(async () => {
  await bff?.close();
  for (const thing of closing) await thing.close();
  await bed?.close();
  await metadata?.close();
  await closeDatabase?.();
});

interface Page {
  items: { id: string; status: string; variants: { thumb?: { url: string } } }[];
  nextCursor: string | null;
}

const bearer = (sub: string) => ({ authorization: `Bearer ${sign({ sub })}` });

/** The gallery page through the BFF, as the caller's browser gets it. */
async function gallery(sub: string, query = 'limit=50'): Promise<{ text: string; page: Page }> {
  const response = await fetch(`${bffUrl}/api/photos?${query}`, { headers: bearer(sub) });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return { text, page: JSON.parse(text) as Page };
}

/** Waits until metadata itself (asked directly, without the BFF) lists `sub`'s photos as `expected` says. */
async function projected(sub: string, expected: (page: Page) => boolean): Promise<void> {
  await expect
    .poll(async () => expected((await metadata.app.inject({ method: 'GET', url: '/photos?limit=50', headers: bearer(sub) })).json() as Page), {
      timeout: 10_000,
      interval: 25,
    })
    .toBe(true);
}

/** Metadata's answers to GET /photos with status 304 so far. */
async function notModifiedAnswers(): Promise<number> {
  const metric = await (metadata.app.metrics.getSingleMetric('http_request_duration_seconds') as Histogram).get();
  return metric.values
    .filter(({ labels, metricName }) => metricName?.endsWith('_count') && labels['route'] === '/photos' && labels['status_code'] === '304')
    .reduce((sum, { value }) => sum + value, 0);
}

describe('gallery pages kept by the BFF', () => {
  it("sends a kept page only while metadata's is unchanged: a new, processed or deleted photo shows on the next request", async () => {
    const owner = `owner-${randomUUID()}`;
    const first = newPhotoId();
    await metadata.bus.publish(uploaded(first, owner));
    await metadata.bus.publish(processed(first, owner));
    await projected(owner, (page) => page.items[0]?.status === 'ready');

    const made = await gallery(owner);
    expect(made.page.items.map((photo) => photo.id)).toEqual([first]);
    expect(made.page.items[0]!.variants.thumb!.url).toMatch(/^\/media\/variants\//);
    const before = await notModifiedAnswers();
    // Unchanged: the same bytes, and metadata answered 304 (the kept page was sent).
    expect((await gallery(owner)).text).toBe(made.text);
    expect((await gallery(owner)).text).toBe(made.text);
    expect((await notModifiedAnswers()) - before).toBe(2);

    const second = newPhotoId();
    await metadata.bus.publish(uploaded(second, owner));
    await projected(owner, (page) => page.items.length === 2);
    const added = (await gallery(owner)).page;
    expect(added.items.map((photo) => [photo.id, photo.status])).toEqual([
      [second, 'processing'],
      [first, 'ready'],
    ]);

    await metadata.bus.publish(processed(second, owner));
    await projected(owner, (page) => page.items[0]?.status === 'ready');
    const ready = (await gallery(owner)).page;
    expect(ready.items[0]).toMatchObject({ id: second, status: 'ready', variants: { thumb: { url: expect.stringMatching(/^\/media\//) } } });

    const deleted = await fetch(`${bffUrl}/api/photos/${first}`, { method: 'DELETE', headers: bearer(owner) });
    expect(deleted.status).toBe(204);
    expect((await gallery(owner)).page.items.map((photo) => photo.id)).toEqual([second]);
  });

  it("never sends one caller's kept page to another, whatever the query", async () => {
    const [alice, bob] = [`alice-${randomUUID()}`, `bob-${randomUUID()}`];
    const [alicePhoto, bobPhoto] = [newPhotoId(), newPhotoId()];
    await metadata.bus.publish(uploaded(alicePhoto, alice));
    await metadata.bus.publish(uploaded(bobPhoto, bob));
    await projected(alice, (page) => page.items.length === 1);
    await projected(bob, (page) => page.items.length === 1);

    for (const query of ['limit=50', 'limit=50', 'limit=10&status=processing']) {
      expect((await gallery(alice, query)).page.items.map((photo) => photo.id)).toEqual([alicePhoto]);
      expect((await gallery(bob, query)).page.items.map((photo) => photo.id)).toEqual([bobPhoto]);
    }
    // A caller with no photos at all gets the empty page, not a kept one.
    expect((await gallery(`carol-${randomUUID()}`)).page).toEqual({ items: [], nextCursor: null });
  });
});
