/**
 * An album of 10,000 photos, walked page by page by a grantee with the keyset cursor while its owner adds
 * photos (newest, and late ones in the middle of the range) and takes photos out, through the album routes.
 * Each photo is seen at most once, every photo that stayed in the album for the whole walk is seen, and the
 * order is strictly newest first by (uploadedAt, id).
 *
 * The same walk over two broken pagers (OFFSET paging, and a keyset on uploadedAt alone, which is not
 * unique: three photos share each millisecond) must be caught by the same checks, so this test cannot pass
 * on a cursor that loses or repeats photos.
 */
import { randomUUID } from 'node:crypto';
import type { ServiceApp } from '@photos/service-kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../adapters/database.js';
import { as, buildTestApp } from '../test-support/test-app.js';
import { openMigratedTestDatabase } from '../test-support/test-database.js';

const OWNER = 'album-owner';
const VIEWER = 'album-viewer';
const SEEDED = 10_000;
/** Seeded photos the traffic may take out (and put back): not required to be seen. */
const CHURN = 1_000;
const PAGE = 100;
const base = Date.parse('2026-01-01T00:00:00.000Z');

interface Item {
  id: string;
  uploadedAt: string;
}
type Pager = (cursor: string | null) => Promise<{ items: Item[]; nextCursor: string | null }>;

/** What a walk got wrong: photos seen twice, stable photos never seen, and places where the order breaks. */
function problemsOf(seen: Item[], stable: readonly string[]) {
  const counts = new Map<string, number>();
  for (const { id } of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
  const duplicates = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  const missed = stable.filter((id) => !counts.has(id));
  const disorder: number[] = [];
  for (let i = 1; i < seen.length; i++) {
    const [a, b] = [seen[i - 1]!, seen[i]!];
    if (!(a.uploadedAt > b.uploadedAt || (a.uploadedAt === b.uploadedAt && a.id > b.id))) disorder.push(i);
  }
  return { duplicates, missed, disorder };
}

describe('album photos: keyset pages of a 10,000-photo album while photos are added and taken out', () => {
  let database: Database;
  let url: string;
  let closeDatabase: () => Promise<void>;
  let app: ServiceApp;
  let closeApp: () => Promise<void>;
  let sql: pg.Client;
  let album: string;
  const stable: string[] = [];
  const churn: string[] = [];

  const call = (method: 'GET' | 'POST' | 'PUT', path: string, who: string, payload?: object) =>
    app.inject({ method, url: path, headers: as(who), ...(payload ? { payload } : {}) });

  /** Inserts photos of OWNER in SQL (as a bulk import would): `uploadedAt` three per millisecond from `from`. */
  async function insertPhotos(count: number, from: Date, step = 1 / 3): Promise<Item[]> {
    const { rows } = await sql.query<{ id: string; uploaded_at: Date }>(
      `INSERT INTO photos (id, owner_id, status, filename, content_type, bytes, sha256, uploaded_at, updated_at)
       SELECT gen_random_uuid(), $1, 'processing', 'p' || i || '.jpg', 'image/jpeg', 1000, repeat('b', 64),
              $2::timestamptz + floor(i * $4::float8) * interval '1 millisecond', now()
       FROM generate_series(0, $3 - 1) AS i
       RETURNING id, uploaded_at`,
      [OWNER, from, count, step],
    );
    return rows.map((row) => ({ id: row.id, uploadedAt: row.uploaded_at.toISOString() }));
  }

  beforeAll(async () => {
    ({ database, url, close: closeDatabase } = await openMigratedTestDatabase());
    ({ app, close: closeApp } = await buildTestApp({ database, url }));
    sql = new pg.Client({ connectionString: url });
    await sql.connect();
    const created = await call('POST', '/albums', OWNER, { name: 'Ten thousand' });
    expect(created.statusCode).toBe(201);
    album = (created.json() as { id: string }).id;
    expect((await call('PUT', `/albums/${album}/grants/${VIEWER}`, OWNER, { role: 'viewer' })).statusCode).toBe(204);

    const seeded = await insertPhotos(SEEDED, new Date(base));
    // Memberships in SQL too; another album holding the same photos interleaves its rows in the index.
    const other = randomUUID();
    await sql.query(`INSERT INTO albums (id, owner_id, name, created_at, updated_at) VALUES ($1, $2, 'Other', now(), now())`, [other, OWNER]);
    for (const target of [album, other]) {
      await sql.query(
        `INSERT INTO album_photos (album_id, photo_id, photo_uploaded_at, added_by, added_at)
         SELECT $1, id, uploaded_at, owner_id, now() FROM photos WHERE owner_id = $2`,
        [target, OWNER],
      );
    }
    await sql.query('ANALYZE photos; ANALYZE album_photos');
    const shuffled = seeded.map((p) => p.id).sort(() => Math.random() - 0.5);
    churn.push(...shuffled.slice(0, CHURN));
    stable.push(...shuffled.slice(CHURN));
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await closeApp?.();
    await closeDatabase?.();
  });

  /**
   * Walks every page with `pager` while the owner adds and takes out photos through the routes; at least
   * one change lands between two pages, more may land during one.
   */
  async function walkWithTraffic(pager: Pager) {
    let running = true;
    let changes = 0;
    const out = [...churn];
    const inside = new Set<string>();
    const traffic = (async () => {
      while (running) {
        // A new photo (newest of all), a late one somewhere in the range already walked or not, then in the album.
        const [newest] = await insertPhotos(1, new Date());
        const [late] = await insertPhotos(1, new Date(base + Math.floor(Math.random() * (SEEDED / 3))));
        const added = await call('POST', `/albums/${album}/photos`, OWNER, { photoIds: [newest!.id, late!.id] });
        expect(added.statusCode, added.body).toBe(200);
        // Two churn photos out; one taken out earlier back in.
        const leaving = out.splice(Math.floor(Math.random() * (out.length - 2)), 2);
        const removed = await call('POST', `/albums/${album}/photos/remove`, OWNER, { photoIds: leaving });
        expect(removed.statusCode, removed.body).toBe(204);
        leaving.forEach((id) => inside.add(id));
        const back = [...inside][0];
        if (back && inside.size > 4) {
          inside.delete(back);
          out.push(back);
          expect((await call('POST', `/albums/${album}/photos`, OWNER, { photoIds: [back] })).statusCode).toBe(200);
        }
        changes++;
      }
    })();
    const seen: Item[] = [];
    let pages = 0;
    try {
      let cursor: string | null = null;
      do {
        const before = changes;
        const page = await pager(cursor);
        seen.push(...page.items);
        cursor = page.nextCursor;
        pages++;
        while (changes === before && running) await new Promise((resolve) => setTimeout(resolve, 1));
      } while (cursor);
    } finally {
      running = false;
      await traffic;
    }
    return { seen, pages, changes };
  }

  const routePager: Pager = async (cursor) => {
    const response = await call('GET', `/albums/${album}/photos?limit=${PAGE}${cursor ? `&cursor=${cursor}` : ''}`, VIEWER);
    expect(response.statusCode, response.body).toBe(200);
    const page = response.json() as { items: Item[]; nextCursor: string | null };
    return { items: page.items.map(({ id, uploadedAt }) => ({ id, uploadedAt })), nextCursor: page.nextCursor };
  };

  /** Reads a page of the album in SQL, in the album's order, after `where` (and `offset` rows). */
  const sqlPage = async (where: string, params: unknown[], offset = 0) => {
    const { rows } = await sql.query<{ photo_id: string; photo_uploaded_at: Date }>(
      `SELECT photo_id, photo_uploaded_at FROM album_photos WHERE album_id = $1 ${where}
       ORDER BY photo_uploaded_at DESC, photo_id DESC LIMIT ${PAGE + 1} OFFSET ${offset}`,
      [album, ...params],
    );
    return rows.map((row) => ({ id: row.photo_id, uploadedAt: row.photo_uploaded_at.toISOString() }));
  };

  it('the route: no photo twice, none of those that stayed missed, strictly newest first', async () => {
    const { seen, pages, changes } = await walkWithTraffic(routePager);
    expect(changes).toBeGreaterThanOrEqual(pages - 1);
    expect(pages).toBeGreaterThanOrEqual(SEEDED / PAGE - CHURN / PAGE);
    const problems = problemsOf(seen, stable);
    expect({ duplicates: problems.duplicates.length, missed: problems.missed.length, disorder: problems.disorder.slice(0, 5) }).toEqual({
      duplicates: 0,
      missed: 0,
      disorder: [],
    });
  }, 300_000);

  it('the same checks catch OFFSET paging (photos taken out before the position skip others, new ones repeat)', async () => {
    const offsetPager: Pager = async (cursor) => {
      const offset = cursor ? Number(cursor) : 0;
      const rows = await sqlPage('', [], offset);
      return { items: rows.slice(0, PAGE), nextCursor: rows.length > PAGE ? String(offset + PAGE) : null };
    };
    const problems = problemsOf((await walkWithTraffic(offsetPager)).seen, stable);
    expect(problems.duplicates.length + problems.missed.length).toBeGreaterThan(0);
  }, 300_000);

  it('the same checks catch a keyset on uploadedAt alone (ties across a page boundary are lost)', async () => {
    const timeOnlyPager: Pager = async (cursor) => {
      const rows = await sqlPage(cursor ? 'AND photo_uploaded_at < $2' : '', cursor ? [cursor] : []);
      const items = rows.slice(0, PAGE);
      return { items, nextCursor: rows.length > PAGE ? items.at(-1)!.uploadedAt : null };
    };
    const problems = problemsOf((await walkWithTraffic(timeOnlyPager)).seen, stable);
    expect(problems.missed.length).toBeGreaterThan(0);
  }, 300_000);
});
