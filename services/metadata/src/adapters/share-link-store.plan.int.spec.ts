/**
 * The share link reads as PostgreSQL plans them, on enough rows that a scan would be chosen if an index
 * were missing: a holder's request finds its link by share_links_token_hash_key, the owner's list reads
 * share_links_album_idx / share_links_photo_idx, and a photo of a linked album is checked by keys only.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryPlans } from '../test-support/query-plans.js';
import { openMigratedTestDatabase } from '../test-support/test-database.js';
import { createShareLinkStore, type ShareLinkStore } from './share-link-store.js';

const LINKS = 20_000;
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ url, close } = await openMigratedTestDatabase());
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // 2,000 photos in 200 albums; 20,000 links, half to albums, half to photos.
    await client.query(`INSERT INTO photos (id, owner_id, status, filename, content_type, bytes, sha256, uploaded_at, updated_at)
      SELECT md5('p' || i)::uuid, 'owner', 'ready', 'f.jpg', 'image/jpeg', 1, repeat('a', 64), now() - i * interval '1 minute', now()
      FROM generate_series(1, 2000) i`);
    await client.query(`INSERT INTO albums (id, owner_id, name, created_at, updated_at)
      SELECT md5('a' || i)::uuid, 'owner', 'A', now(), now() FROM generate_series(1, 200) i`);
    await client.query(`INSERT INTO album_photos (album_id, photo_id, photo_uploaded_at, added_by, added_at)
      SELECT md5('a' || (i % 200 + 1))::uuid, md5('p' || i)::uuid, now(), 'owner', now() FROM generate_series(1, 2000) i`);
    await client.query(`INSERT INTO share_links (id, token_hash, album_id, photo_id, owner_id, allow_download, created_at)
      SELECT md5('l' || i)::uuid, encode(sha256(('t' || i)::bytea), 'hex'),
        CASE WHEN i % 2 = 0 THEN md5('a' || (i % 200 + 1))::uuid END, CASE WHEN i % 2 = 1 THEN md5('p' || (i % 2000 + 1))::uuid END,
        'owner', false, now() - i * interval '1 second'
      FROM generate_series(1, ${LINKS}) i`);
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}, 60_000);

afterAll(() => close());

/** Every statement the store sends for `read`, with its plan as JSON text. */
const plansOf = async (read: (store: ShareLinkStore) => Promise<unknown>) =>
  (await queryPlans(url, (prisma) => read(createShareLinkStore(prisma)))).map(({ plan }) => plan).join('\n');

const NO_SCAN = /"Node Type":"Seq Scan"[^{}]*"Relation Name":"(share_links|album_photos|photos)"/;

describe('share link reads, as planned', () => {
  it("finds a holder's link by its token hash (the unique index), never by a scan", async () => {
    const plans = await plansOf((store) => store.byTokenHash('0'.repeat(64)));
    expect(plans).toMatch(/"Index Name":"share_links_token_hash_key"/);
    expect(plans).not.toMatch(NO_SCAN);
  });

  it("lists an album's and a photo's links from their indexes", async () => {
    const album = await plansOf((store) => store.listOf({ albumId: '00000000-0000-4000-8000-000000000001' }));
    expect(album).toMatch(/"Index Name":"share_links_album_idx"/);
    const photo = await plansOf((store) => store.listOf({ photoId: '00000000-0000-4000-8000-000000000001' }));
    expect(photo).toMatch(/"Index Name":"share_links_photo_idx"/);
    expect(`${album}\n${photo}`).not.toMatch(NO_SCAN);
  });

  it('checks a photo against the linked album by keys only', async () => {
    const plans = await plansOf((store) => store.photo('00000000-0000-4000-8000-000000000002', ['00000000-0000-4000-8000-000000000003']));
    expect(plans).toMatch(/"Index Name":"photos_pkey"/);
    expect(plans).not.toMatch(NO_SCAN);
  });
});
