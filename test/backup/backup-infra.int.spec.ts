/**
 * scripts/backup-infra.sh on the local PostgreSQL (databases of its own; the bucket mirror needs mc and an
 * S3 endpoint, not here: the script warns and skips it). A backup verifies and restores into new, empty
 * databases with every row; a corrupted dump fails verify and restores nothing; prune keeps only backups
 * within the retention.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../services/metadata/src/test-support/test-database.js';

const script = join(import.meta.dirname, '..', '..', 'scripts', 'backup-infra.sh');
const scratch = mkdtempSync(join(tmpdir(), 'backup-infra-'));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops) await drop().catch(() => undefined);
  rmSync(scratch, { recursive: true, force: true });
});

async function database(setup?: string) {
  const db = await createTestDatabase();
  drops.push(db.drop);
  if (setup) await sql(db.url, setup);
  return db.url;
}

async function sql(url: string, text: string): Promise<unknown[][]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query({ text, rowMode: 'array' });
    return (Array.isArray(result) ? result.at(-1) : result).rows as unknown[][];
  } finally {
    await client.end();
  }
}

async function run(args: string[], env: Record<string, string>) {
  return promisify(execFile)('sh', [script, ...args], { env: { ...process.env, BACKUP_S3_ALIAS: '', ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe('backup-infra.sh (PostgreSQL part)', () => {
  it('backs up both databases, verifies, restores every row into empty databases; a corrupted dump is caught', { timeout: 60_000 }, async () => {
    const source = {
      METADATA_DATABASE_URL: await database(
        `CREATE TABLE photos (id text PRIMARY KEY, status text NOT NULL, exif jsonb);
         INSERT INTO photos SELECT 'p' || i, CASE WHEN i % 7 = 0 THEN 'failed' ELSE 'ready' END, jsonb_build_object('n', i) FROM generate_series(1, 120) i;
         CREATE TABLE photo_tombstones (id text PRIMARY KEY); INSERT INTO photo_tombstones VALUES ('gone');`,
      ),
      ACCOUNTS_DATABASE_URL: await database(
        `CREATE TABLE accounts (id text PRIMARY KEY, email text); INSERT INTO accounts VALUES ('a1', 'a@x'), ('a2', 'b@x');`,
      ),
    };
    const dir = join(scratch, 'backup-1');
    const backup = await run(['backup', dir], source);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stderr).toContain('the buckets are NOT in this backup');
    expect(readFileSync(join(dir, 'counts.txt'), 'utf8').split('\n').filter(Boolean).sort()).toEqual([
      'accounts public.accounts 2 2',
      'metadata public.photo_tombstones 1 1',
      'metadata public.photos 120 120',
    ]);
    expect(existsSync(`${dir}.partial`)).toBe(false);
    const verified = await run(['verify', dir], source);
    expect(verified.code, verified.stderr).toBe(0);

    const target = { METADATA_DATABASE_URL: await database(), ACCOUNTS_DATABASE_URL: await database() };
    const restored = await run(['restore', dir], target);
    expect(restored.code, restored.stderr).toBe(0);
    const photos = `SELECT id, status, exif FROM photos ORDER BY id`;
    expect(await sql(target.METADATA_DATABASE_URL, photos)).toEqual(await sql(source.METADATA_DATABASE_URL, photos));
    expect(await sql(target.ACCOUNTS_DATABASE_URL, 'SELECT * FROM accounts ORDER BY id')).toEqual([
      ['a1', 'a@x'],
      ['a2', 'b@x'],
    ]);

    // One byte of the metadata dump changed: verify fails, restore refuses and leaves the database as it was.
    const dump = readFileSync(join(dir, 'metadata.dump'));
    dump[dump.length >> 1]! ^= 0xff;
    writeFileSync(join(dir, 'metadata.dump'), dump);
    const bad = await run(['verify', dir], source);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('checksums differ');
    const fresh = { METADATA_DATABASE_URL: await database(), ACCOUNTS_DATABASE_URL: await database() };
    expect((await run(['restore', dir], fresh)).code).toBe(1);
    expect(await sql(fresh.ACCOUNTS_DATABASE_URL, `SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public'`)).toEqual([[0]]);

    // A backup that is still there but would restore fewer rows than were backed up: verify says so.
    const short = join(scratch, 'backup-2');
    expect((await run(['backup', short], source)).code).toBe(0);
    writeFileSync(join(short, 'counts.txt'), readFileSync(join(short, 'counts.txt'), 'utf8').replace('photos 120 120', 'photos 121 121'));
    await promisify(execFile)('sh', ['-c', `cd ${short} && find . -type f ! -name SHA256SUMS | sort | xargs sha256sum > SHA256SUMS`]);
    const mismatch = await run(['verify', short], source);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain('public.photos: 121-121 rows at backup, 120 restored');
  });

  it('prune removes the backups older than the retention and keeps the others', async () => {
    const root = join(scratch, 'pruned');
    for (const [name, days] of [
      ['old', 20],
      ['recent', 2],
    ] as const) {
      mkdirSync(join(root, name), { recursive: true });
      const when = new Date(Date.now() - days * 86_400_000);
      utimesSync(join(root, name), when, when);
    }
    expect((await run(['prune', root], { BACKUP_RETENTION_DAYS: '14' })).code).toBe(0);
    expect([existsSync(join(root, 'old')), existsSync(join(root, 'recent'))]).toEqual([false, true]);
  });
});
