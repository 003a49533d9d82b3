/**
 * The album reads as PostgreSQL plans them, on enough rows that a scan would be chosen if an index were
 * missing: an album page is a range scan of album_photos_album_uploaded_idx with no sort at any depth;
 * "shared with me" and a grantee's photo check read indexes only.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryPlans } from '../test-support/query-plans.js';
import { openMigratedTestDatabase } from '../test-support/test-database.js';
import { createAlbumStore } from './album-store.js';
import type { Database } from './database.js';

const ALBUM = '00000000-0000-4000-8000-00000000a1b0';
const PHOTOS = 5_000;
let database: Database;
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ database, url, close } = await openMigratedTestDatabase());
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // 5,000 photos of one owner in one album; 500 other albums each shared with 20 accounts; one grantee.
    await client.query(`INSERT INTO photos (id, owner_id, status, filename, content_type, bytes, sha256, uploaded_at, updated_at)
      SELECT md5('p' || i)::uuid, 'owner', 'ready', 'f.jpg', 'image/jpeg', 1, repeat('a', 64), now() - i * interval '1 minute', now()
      FROM generate_series(1, ${PHOTOS}) i`);
    await client.query(`INSERT INTO albums (id, owner_id, name, created_at, updated_at)
      SELECT CASE WHEN i = 0 THEN '${ALBUM}'::uuid ELSE md5('a' || i)::uuid END, 'owner-' || (i % 50), 'A', now(), now() FROM generate_series(0, 500) i`);
    await client.query(`INSERT INTO album_photos (album_id, photo_id, photo_uploaded_at, added_by, added_at)
      SELECT '${ALBUM}', p.id, p.uploaded_at, 'owner', now() FROM photos p`);
    await client.query(`INSERT INTO album_photos (album_id, photo_id, photo_uploaded_at, added_by, added_at)
      SELECT md5('a' || (i % 500 + 1))::uuid, md5('p' || i)::uuid, now(), 'owner', now() FROM generate_series(1, ${PHOTOS}) i`);
    await client.query(`INSERT INTO album_grants (album_id, grantee_id, role, created_at)
      SELECT md5('a' || a)::uuid, 'user-' || g, 'viewer', now() FROM generate_series(1, 500) a, generate_series(1, 20) g`);
    await client.query(`INSERT INTO album_grants (album_id, grantee_id, role, created_at) VALUES ('${ALBUM}', 'grantee', 'viewer', now())`);
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}, 60_000);

afterAll(() => close());

/** The SQL the store sends for `read`, each statement with its plan as JSON text. */
const plansOf = (read: (store: ReturnType<typeof createAlbumStore>) => Promise<unknown>) => queryPlans(url, (prisma) => read(createAlbumStore(prisma)));

describe('album reads, as planned', () => {
  it('pages an album deep in as a range scan of album_photos_album_uploaded_idx, without sorting', async () => {
    const middle = await database.prisma.albumPhoto.findFirst({ where: { albumId: ALBUM }, orderBy: [{ photoUploadedAt: 'asc' }], skip: PHOTOS / 2 });
    const plans = await plansOf((store) => store.page(ALBUM, { limit: 50, after: { uploadedAt: middle!.photoUploadedAt, id: middle!.photoId } }));
    const page = plans.find(({ query }) => query.includes('"album_photos"'))!;
    expect(page.plan).toMatch(/"Index Name":"album_photos_album_uploaded_idx"/);
    expect(page.plan).toMatch(/"Index Cond":"[^"]*photo_uploaded_at <=/);
    expect(page.plan).not.toMatch(/"Node Type":"Sort"/);
    expect(page.plan).not.toMatch(/"Node Type":"Seq Scan"/);
  });

  it("reads a grantee's albums from album_grants_grantee_idx", async () => {
    const plans = await plansOf((store) => store.sharedWith('user-7'));
    const grants = plans.find(({ query }) => query.includes('"album_grants"'))!;
    expect(grants.plan).toMatch(/"Index Name":"album_grants_grantee_idx"/);
    expect(plans.map(({ plan }) => plan).join('\n')).not.toMatch(/"Node Type":"Seq Scan"[^{}]*"Relation Name":"album_grants"/);
  });

  it("decides a grantee's photo from indexes only (the grantee's grants, the photo's key), no scan", async () => {
    const [{ id } = { id: '' }] = await database.prisma.photo.findMany({ take: 1, select: { id: true } });
    // As the route reads it: the grantee's visible-album set (cached in production), then the photo in those albums.
    const plans = await plansOf(async (store) => store.sharedPhoto('grantee', id, await store.grantsOf('grantee')));
    const all = plans.map(({ plan }) => plan).join('\n');
    // The planner starts from whichever side is smaller (here the grantee's one grant); either is an index.
    expect(all).toMatch(/"Index Name":"album_grants_grantee_idx"/);
    expect(all).toMatch(/"Index Name":"photos_pkey"/);
    expect(all).toMatch(/"Index Name":"album_photos_(pkey|photo_idx)"/);
    expect(all).not.toMatch(/"Node Type":"Seq Scan"[^{}]*"Relation Name":"(album_photos|album_grants|photos)"/);
  });
});
