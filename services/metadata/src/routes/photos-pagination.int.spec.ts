import { PrismaPg } from '@prisma/adapter-pg';
import type { EventBus } from '@photos/event-bus';
import type { ServiceApp } from '@photos/service-kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../adapters/database.js';
import { createPhotoQueries } from '../adapters/photo-queries.js';
import { decodeCursor } from '../domain/page-cursor.js';
import { PrismaClient } from '../generated/prisma/client.js';
import { newPhotoId, processed, uploaded } from '../test-support/photo-events.js';
import { as, buildTestApp } from '../test-support/test-app.js';
import { openMigratedTestDatabase } from '../test-support/test-database.js';

const OWNER = 'walker';
const EXISTING = 10_000;
const base = Date.parse('2026-01-01T00:00:00.000Z');

describe('pagination while photos arrive', () => {
  let database: Database;
  let url: string;
  let closeDatabase: () => Promise<void>;
  let app: ServiceApp;
  let bus: EventBus;
  let closeApp: () => Promise<void>;
  const existing: string[] = [];

  beforeAll(async () => {
    ({ database, url, close: closeDatabase } = await openMigratedTestDatabase());
    ({ app, bus, close: closeApp } = await buildTestApp({ database, url }));
    // In SQL, as a bulk import would: Prisma's createMany takes seconds for this. Three photos per
    // millisecond: ties on uploadedAt, so the id must break them. Other owners' photos interleave.
    const bulkInsert = (owner: string, count: number) => database.prisma.$executeRaw`
      INSERT INTO photos (id, owner_id, status, filename, content_type, bytes, sha256, uploaded_at, updated_at)
      SELECT gen_random_uuid(), ${owner}, 'processing', 'p' || i || '.jpg', 'image/jpeg', 1000, repeat('b', 64),
             ${new Date(base)}::timestamptz + (i / 3) * interval '1 millisecond', now()
      FROM generate_series(0, ${count - 1}) AS i`;
    await bulkInsert(OWNER, EXISTING);
    for (let i = 0; i < 5; i++) await bulkInsert(`other-${i}`, 100);
    existing.push(...(await database.prisma.photo.findMany({ where: { ownerId: OWNER }, select: { id: true } })).map((row) => row.id));
    await database.prisma.$executeRaw`ANALYZE photos`;
  });
  afterAll(async () => {
    await closeApp();
    await closeDatabase();
  });

  it('walks 10 000 photos page by page while new ones arrive and old ones change: each seen exactly once, in order', async () => {
    let arriving = true;
    let arrived = 0;
    // New uploads (newest, and late ones in the middle of the range) and status changes, all through the bus.
    const traffic = (async () => {
      while (arriving) {
        const newest = uploaded(newPhotoId(), OWNER, { uploadedAt: new Date().toISOString() });
        const late = uploaded(newPhotoId(), OWNER, { uploadedAt: new Date(base + Math.floor(Math.random() * (EXISTING / 3))).toISOString() });
        const changed = existing[Math.floor(Math.random() * EXISTING)]!;
        await Promise.all([bus.publish(newest), bus.publish(late), bus.publish(processed(changed, OWNER))]);
        arrived += 2;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    const seen: { id: string; uploadedAt: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await app.inject({ method: 'GET', url: `/photos?limit=100${cursor ? `&cursor=${cursor}` : ''}`, headers: as(OWNER) });
      expect(response.statusCode).toBe(200);
      const page = response.json() as { items: { id: string; uploadedAt: string }[]; nextCursor: string | null };
      seen.push(...page.items.map(({ id, uploadedAt }) => ({ id, uploadedAt })));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    arriving = false;
    await traffic;

    expect(arrived).toBeGreaterThan(0);
    expect(pages).toBeGreaterThanOrEqual(EXISTING / 100);
    const ids = seen.map((photo) => photo.id);
    expect(new Set(ids).size).toBe(ids.length);
    const seenIds = new Set(ids);
    expect(existing.filter((id) => !seenIds.has(id))).toEqual([]);
    // Strictly newest first by (uploadedAt, id): what makes the cursor a stable position.
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      expect(a.uploadedAt > b.uploadedAt || (a.uploadedAt === b.uploadedAt && a.id > b.id), `order at ${i}`).toBe(true);
    }
  });

  it('reads a page deep in the walk as an index range scan, without sorting', async () => {
    const logged: { query: string; params: string }[] = [];
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }), log: [{ emit: 'event', level: 'query' }] });
    prisma.$on('query', (event) => logged.push(event));
    const middle = await database.prisma.photo.findFirst({ where: { ownerId: OWNER }, orderBy: [{ uploadedAt: 'asc' }], skip: EXISTING / 2 });
    const cursor = decodeCursor(Buffer.from(JSON.stringify([middle!.uploadedAt!.toISOString(), middle!.id])).toString('base64url'))!;
    await createPhotoQueries(prisma).page(OWNER, { limit: 50, after: cursor });
    await prisma.$disconnect();

    const { query, params } = logged.find((entry) => entry.query.includes('"photos"'))!;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${query}`, JSON.parse(params) as unknown[]);
      const plan = JSON.stringify(rows[0]['QUERY PLAN']);
      expect(plan).toMatch(/"Index Name":"photos_owner_uploaded_idx"/);
      expect(plan).toMatch(/"Index Cond":"[^"]*uploaded_at <=/);
      expect(plan).not.toMatch(/"Node Type":"Sort"/);
    } finally {
      await client.end();
    }
  });
});
