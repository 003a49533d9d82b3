import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../test-support/test-database.js';
import { newPhotoId } from '../test-support/photo-events.js';
import { openDatabase, type Database } from './database.js';
import { prismaPaths } from './migrations-folder.js';
import { diffMigrationsToSchema, readMigrations } from './schema-engine.js';

/** Writes and reads one row through the Prisma client: the schema the client expects is there. */
async function roundTrip(database: Database) {
  const id = newPhotoId();
  await database.prisma.photo.create({ data: { id, ownerId: 'alice', filename: 'a.jpg', uploadedAt: new Date(), exif: { iso: 64 } } });
  return database.prisma.photo.findUnique({ where: { id } });
}

describe('migrations', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('schema.prisma and the migrations agree (write a migration when this fails)', async () => {
    expect(await diffMigrationsToSchema(prismaPaths.schema, prismaPaths.migrations)).toBe('');
  });

  it('notices when schema.prisma is ahead of the migrations', async () => {
    const migrations = await readMigrations(prismaPaths.migrations);
    expect(migrations.migrationDirectories.length).toBeGreaterThan(0);
    const { tmpdir } = await import('node:os');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'schema-'));
    const schema = join(dir, 'schema.prisma');
    writeFileSync(schema, `${readFileSync(prismaPaths.schema, 'utf8')}\nmodel Extra {\n  id Int @id\n}\n`);
    expect(await diffMigrationsToSchema(schema, prismaPaths.migrations)).toMatch(/CREATE TABLE "Extra"/);
  });

  it('migrates a fresh PostgreSQL database from zero, like prisma migrate deploy, then the client works', async () => {
    const { url, drop } = await createTestDatabase();
    const database = openDatabase({ url });
    cleanups.push(drop, () => database.close());
    const applied = await database.migrate();
    const migrations = await readMigrations(prismaPaths.migrations);
    expect(applied).toEqual(migrations.migrationDirectories.map((m) => m.path));
    expect(await database.migrate()).toEqual([]);
    // The bookkeeping `prisma migrate deploy` reads: the same rows, checksum = sha256 of migration.sql.
    const rows = await database.prisma.$queryRaw<{ migration_name: string; checksum: string; finished_at: Date | null }[]>`
      SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name`;
    expect(rows.map((row) => row.migration_name)).toEqual(applied);
    for (const row of rows) {
      const sql = readFileSync(join(prismaPaths.migrations, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).toBeInstanceOf(Date);
    }
    expect(await roundTrip(database)).toMatchObject({ ownerId: 'alice', status: 'processing', exif: { iso: 64 } });
    expect(await database.isHealthy()).toBe(true);
  });

  it('migrates an embedded PGlite database too, and the client works on it', async () => {
    const pglite = new PGlite();
    const database = openDatabase({ pglite });
    cleanups.push(() => pglite.close(), () => database.close());
    expect((await database.migrate()).length).toBeGreaterThan(0);
    expect(await roundTrip(database)).toMatchObject({ ownerId: 'alice', filename: 'a.jpg' });
  });
});
