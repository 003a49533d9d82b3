import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { afterAll, describe, expect, it } from 'vitest';
// The engine `prisma migrate deploy` runs, as WebAssembly: the reference the runner must agree with.
import { applyMigrations as applyWithPrismaEngine } from '../../scripts/prisma-wasm-engine.js';
import { newPhotoId } from '../test-support/photo-events.js';
import { createTestDatabase } from '../test-support/test-database.js';
import { openDatabase, type Database } from './database.js';
import { pgliteSession, withPgSession } from './migration-sessions.js';
import { prismaPaths } from './migrations-folder.js';
import { applyMigrations, MigrationFailedError, MigrationHistoryError, PRISMA_MIGRATION_LOCK } from './sql-migrations.js';

type Query = (sql: string) => Promise<Record<string, unknown>[]>;

const folderNames = readdirSync(prismaPaths.migrations, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A copy of the service's migrations plus `extra` ones (name -> SQL), in a folder of its own. */
function migrationsWith(extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(prismaPaths.migrations, dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

async function testDatabase(): Promise<{ url: string; query: Query }> {
  const { url, drop } = await createTestDatabase();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  cleanups.push(drop, () => client.end());
  return { url, query: async (sql) => (await client.query(sql)).rows };
}

const runner = (url: string, folder: string) => withPgSession(url, 5_000, (session) => applyMigrations(session, folder));

/** What the schema consists of, in a form two databases can be compared by. */
async function schemaOf(query: Query) {
  return {
    columns: await query(`SELECT table_name, column_name, ordinal_position, data_type, udt_name, is_nullable, column_default,
        character_maximum_length, numeric_precision, datetime_precision
      FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`),
    indexes: await query(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`),
    constraints: await query(`SELECT conrelid::regclass::text AS table_name, conname, contype, pg_get_constraintdef(oid) AS definition
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY conname`),
    enums: await query(`SELECT t.typname, e.enumlabel, e.enumsortorder FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
      ORDER BY t.typname, e.enumsortorder`),
  };
}

/** `_prisma_migrations` without what differs between any two runs (ids, times). */
const bookkeeping = (query: Query) =>
  query(`SELECT migration_name, checksum, logs, applied_steps_count, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back,
      started_at <= finished_at AS in_order, length(id) AS id_length FROM _prisma_migrations ORDER BY migration_name`);

const sha256Of = (name: string) =>
  createHash('sha256')
    .update(readFileSync(join(prismaPaths.migrations, name, 'migration.sql')))
    .digest('hex');

/** Writes and reads one row through the Prisma client: the schema the client expects is there. */
async function roundTrip(database: Database) {
  const id = newPhotoId();
  await database.prisma.photo.create({ data: { id, ownerId: 'alice', filename: 'a.jpg', uploadedAt: new Date(), exif: { iso: 64 } } });
  return database.prisma.photo.findUnique({ where: { id } });
}

describe('sql-migrations on PostgreSQL', () => {
  it("applies every migration like Prisma's engine: same schema, same _prisma_migrations rows; each accepts the other's database", async () => {
    const byPrisma = await testDatabase();
    const byRunner = await testDatabase();
    expect(await applyWithPrismaEngine(new PrismaPg({ connectionString: byPrisma.url }), prismaPaths.migrations)).toEqual(folderNames);
    const database = openDatabase({ url: byRunner.url });
    cleanups.push(() => database.close());
    expect(await database.migrate()).toEqual(folderNames);

    expect(await schemaOf(byRunner.query)).toEqual(await schemaOf(byPrisma.query));
    const rows = await bookkeeping(byRunner.query);
    expect(rows).toEqual(await bookkeeping(byPrisma.query));
    expect(rows).toEqual(
      folderNames.map((name) => ({
        migration_name: name,
        checksum: sha256Of(name),
        logs: null,
        applied_steps_count: 1,
        finished: true,
        rolled_back: false,
        in_order: true,
        id_length: 36,
      })),
    );
    expect(await roundTrip(database)).toMatchObject({ ownerId: 'alice', status: 'processing', exif: { iso: 64 } });

    // Up to date both ways, and a second run writes nothing.
    expect(await database.migrate()).toEqual([]);
    expect(await runner(byPrisma.url, prismaPaths.migrations)).toEqual([]);
    expect(await applyWithPrismaEngine(new PrismaPg({ connectionString: byRunner.url }), prismaPaths.migrations)).toEqual([]);
    expect(await byRunner.query('SELECT count(*)::int AS n FROM _prisma_migrations')).toEqual([{ n: folderNames.length }]);
    expect(await byPrisma.query('SELECT count(*)::int AS n FROM _prisma_migrations')).toEqual([{ n: folderNames.length }]);
  });

  it('refuses to run when an applied migration has changed, names it, and applies nothing; CRLF line endings are no change', async () => {
    const { url, query } = await testDatabase();
    const first = folderNames[0]!;
    await runner(url, migrationsWith());
    const edited = migrationsWith({ '29990101000000_later': 'CREATE TABLE later (id int);' });
    writeFileSync(join(edited, first, 'migration.sql'), `${readFileSync(join(edited, first, 'migration.sql'), 'utf8')}\n-- edited\n`);

    const refusal = runner(url, edited);
    await expect(refusal).rejects.toBeInstanceOf(MigrationHistoryError);
    await expect(refusal).rejects.toThrow(new RegExp(`changed after they were applied[^]*- ${first}: applied with checksum ${sha256Of(first)}`));
    expect(await query("SELECT to_regclass('later') AS later")).toEqual([{ later: null }]);

    const crlf = migrationsWith({ '29990101000000_later': 'CREATE TABLE later (id int);' });
    writeFileSync(join(crlf, first, 'migration.sql'), readFileSync(join(crlf, first, 'migration.sql'), 'utf8').replaceAll('\n', '\r\n'));
    expect(await runner(url, crlf)).toEqual(['29990101000000_later']);
  });

  it('a failing migration leaves nothing of itself, is recorded as rolled back, and is applied once fixed', async () => {
    const { url, query } = await testDatabase();
    const broken = migrationsWith({ '29990101000000_broken': 'CREATE TABLE half (id int);\nSELECT 1/0;\n' });
    const failure = runner(url, broken);
    await expect(failure).rejects.toBeInstanceOf(MigrationFailedError);
    await expect(failure).rejects.toThrow(/29990101000000_broken failed and was rolled back: division by zero/);
    expect(await query("SELECT to_regclass('half') AS half")).toEqual([{ half: null }]);
    const [row] = await query("SELECT * FROM _prisma_migrations WHERE migration_name = '29990101000000_broken'");
    expect(row).toMatchObject({ finished_at: null, applied_steps_count: 0, logs: expect.stringMatching(/Database error code: 22012[^]*division by zero/) });
    expect(row!['rolled_back_at']).toBeInstanceOf(Date);
    // Prisma's engine does not count it as a failed migration either: it tries it again (and fails again).
    await expect(applyWithPrismaEngine(new PrismaPg({ connectionString: url }), broken)).rejects.toThrow(/division by zero/);
    // (which leaves half of it behind, and a failed row: undo both)
    await query("DROP TABLE half; DELETE FROM _prisma_migrations WHERE migration_name = '29990101000000_broken' AND rolled_back_at IS NULL");

    writeFileSync(join(broken, '29990101000000_broken', 'migration.sql'), 'CREATE TABLE half (id int);\n');
    expect(await runner(url, broken)).toEqual(['29990101000000_broken']);
    expect(await query("SELECT to_regclass('half')::text AS half")).toEqual([{ half: 'half' }]);
  });

  it('applies outside a transaction what Postgres refuses in one; a failure there stops later runs until marked rolled back', async () => {
    const { url, query } = await testDatabase();
    const concurrently = migrationsWith({ '29990101000000_index': 'CREATE INDEX CONCURRENTLY photos_filename_idx ON photos (filename);' });
    expect(await runner(url, concurrently)).toEqual([...folderNames, '29990101000000_index']);
    expect(await query("SELECT indexname FROM pg_indexes WHERE indexname = 'photos_filename_idx'")).toHaveLength(1);

    const failing = migrationsWith({ '29990101000001_index': 'CREATE INDEX CONCURRENTLY nowhere_idx ON nowhere (id);' });
    await expect(runner(url, failing)).rejects.toThrow(/29990101000001_index failed outside a transaction/);
    const refusal = runner(url, failing);
    await expect(refusal).rejects.toBeInstanceOf(MigrationHistoryError);
    const named = /Failed migrations in the database[^]*- 29990101000001_index \(started at [^]*"nowhere" does not exist[^]*--rolled-back/;
    await expect(refusal).rejects.toThrow(named);
    // What `prisma migrate resolve --rolled-back` writes; the next run tries the migration again.
    await query("UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '29990101000001_index' AND finished_at IS NULL");
    await expect(runner(url, failing)).rejects.toThrow(/29990101000001_index failed outside a transaction/);
  });

  it("two runners starting together wait on Prisma's advisory lock: each migration is applied once", async () => {
    const { url, query } = await testDatabase();
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    cleanups.push(() => holder.end());
    await holder.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATION_LOCK]);

    const both = [runner(url, prismaPaths.migrations), runner(url, prismaPaths.migrations)];
    const waiting = `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = ${PRISMA_MIGRATION_LOCK} AND NOT granted`;
    for (let tries = 0; (await query(waiting))[0]!['n'] !== 2; tries++) {
      if (tries > 200) throw new Error('the two runners never waited for the lock');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(await query("SELECT to_regclass('_prisma_migrations') AS t")).toEqual([{ t: null }]);
    await holder.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATION_LOCK]);

    const results = await Promise.all(both);
    expect(results.map((names) => names.length).sort()).toEqual([0, folderNames.length]);
    const rows = await query('SELECT migration_name FROM _prisma_migrations ORDER BY migration_name');
    expect(rows).toEqual(folderNames.map((migration_name) => ({ migration_name })));
  });
});

describe('sql-migrations on PGlite', () => {
  it("applies every migration like Prisma's engine on PGlite, accepts its database, and rolls a failing migration back", async () => {
    const byPrisma = new PGlite();
    const byRunner = new PGlite();
    cleanups.push(
      () => byPrisma.close(),
      () => byRunner.close(),
    );
    const queryOf =
      (db: PGlite): Query =>
      async (sql) =>
        (await db.query<Record<string, unknown>>(sql)).rows;
    expect(await applyWithPrismaEngine(new PrismaPGlite(byPrisma), prismaPaths.migrations)).toEqual(folderNames);
    const database = openDatabase({ pglite: byRunner });
    cleanups.push(() => database.close());
    expect(await database.migrate()).toEqual(folderNames);

    expect(await schemaOf(queryOf(byRunner))).toEqual(await schemaOf(queryOf(byPrisma)));
    expect(await bookkeeping(queryOf(byRunner))).toEqual(await bookkeeping(queryOf(byPrisma)));
    expect(await database.migrate()).toEqual([]);
    expect(await applyMigrations(pgliteSession(byPrisma), prismaPaths.migrations)).toEqual([]);
    expect(await roundTrip(database)).toMatchObject({ ownerId: 'alice', filename: 'a.jpg' });

    const broken = migrationsWith({ '29990101000000_broken': 'CREATE TABLE half (id int);\nSELECT 1/0;\n' });
    await expect(applyMigrations(pgliteSession(byRunner), broken)).rejects.toThrow(/division by zero/);
    expect(await queryOf(byRunner)("SELECT to_regclass('half') AS half")).toEqual([{ half: null }]);
    // The lock was released: the instance is usable and a further run is not blocked.
    expect(await database.migrate()).toEqual([]);
  });
});
