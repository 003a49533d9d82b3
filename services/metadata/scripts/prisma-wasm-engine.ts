/**
 * DEVELOPMENT ONLY, never imported at run time (the service applies migrations with
 * src/adapters/sql-migrations.ts). Prisma's schema engine compiled to WebAssembly
 * (`@prisma/schema-engine-wasm`, a devDependency), driven through a driver adapter, for what only the
 * engine can do on a machine where the native engine cannot be downloaded:
 * - `diffMigrationsToSchema`: the SQL of a new migration (`npm run migrate -- create|check`), and the test
 *   that fails when schema.prisma is ahead of the migrations;
 * - `applyMigrations`: the engine's own deploy, the reference the runner's tests compare against.
 * With the native engine online, `prisma migrate dev --create-only` and `prisma migrate diff` do the same.
 *
 * The engine's JS API is internal to Prisma: this file is the only one that touches it. Its version must
 * equal `@prisma/engines-version` of the installed `prisma`.
 */
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { bindMigrationAwareSqlAdapterFactory, type SqlDriverAdapter, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import * as engineGlue from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { MigrationDirectory, MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { PrismaPGlite } from 'pglite-prisma-adapter';

const require = createRequire(import.meta.url);

// Node's global, which lib ES2023 and @types/node 20 do not declare; only what is used here.
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: Record<string, object>): Promise<{ instance: { exports: Record<string, unknown> } }>;
};
const noFilter = { externalTables: [], externalEnums: [] };

let instantiated: Promise<void> | undefined;

/** Instantiates the engine's WebAssembly once per process (the package's own entry needs a bundler). */
function instantiateEngine(): Promise<void> {
  instantiated ??= (async () => {
    // The .wasm is not in the package's exports: find it beside the glue module.
    const bytes = await readFile(join(dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': engineGlue });
    engineGlue.__wbg_set_wasm(instance.exports);
    (instance.exports['__wbindgen_start'] as () => void)();
  })();
  return instantiated;
}

/** Opens the engine on a database reached through `adapter`; free it with `engine.free()`. */
async function openEngine(adapter: SqlMigrationAwareDriverAdapterFactory): Promise<SchemaEngine> {
  await instantiateEngine();
  return engineGlue.SchemaEngine.new({ datamodels: undefined }, () => undefined, bindMigrationAwareSqlAdapterFactory(adapter));
}

/**
 * Runs `use` with an engine on `adapter`, then frees it and disposes of every connection it opened:
 * freeing the engine does not, and a pooled connection left open keeps holding the migration advisory
 * lock, so that the next migration waits 10 s for it.
 */
async function withEngine<T>(adapter: SqlMigrationAwareDriverAdapterFactory, use: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const opened: SqlDriverAdapter[] = [];
  const tracked = async (connection: Promise<SqlDriverAdapter>) => {
    opened.push(await connection);
    return opened.at(-1)!;
  };
  const engine = await openEngine({
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    connect: () => tracked(adapter.connect()),
    connectToShadowDb: () => tracked(adapter.connectToShadowDb()),
  });
  try {
    return await use(engine);
  } finally {
    engine.free();
    await Promise.all(opened.map((connection) => connection.dispose()));
  }
}

/** Reads a Prisma migrations folder (`<timestamp>_<name>/migration.sql` + `migration_lock.toml`). */
export async function readMigrations(migrationsDir: string): Promise<MigrationList> {
  const baseDir = resolve(migrationsDir);
  const entries = await readdir(baseDir, { withFileTypes: true });
  const folders = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const migrationDirectories = await Promise.all(
    folders.map(async (path): Promise<MigrationDirectory> => {
      const content = await readFile(join(baseDir, path, 'migration.sql'), 'utf8').then(
        (sql) => ({ tag: 'ok' as const, value: sql }),
        (error: Error) => ({ tag: 'error' as const, value: error.message }),
      );
      return { path, migrationFile: { path: 'migration.sql', content } };
    }),
  );
  const lockfile = await readFile(join(baseDir, 'migration_lock.toml'), 'utf8').catch(() => null);
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: lockfile },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

/**
 * Applies the migrations of `migrationsDir` not yet applied to the database behind `adapter` (like
 * `prisma migrate deploy`); resolves with the names it applied.
 */
export async function applyMigrations(adapter: SqlMigrationAwareDriverAdapterFactory, migrationsDir: string): Promise<string[]> {
  const migrationsList = await readMigrations(migrationsDir);
  return withEngine(adapter, async (engine) => {
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: noFilter });
    return appliedMigrationNames;
  });
}

/**
 * The SQL that takes a database from what the migrations build to what `schemaPath` describes, or ''
 * when they agree. The migrations run on a throwaway in-memory PGlite (the shadow database).
 */
export async function diffMigrationsToSchema(schemaPath: string, migrationsDir: string): Promise<string> {
  const migrationsList = await readMigrations(migrationsDir);
  const schema = { path: resolve(schemaPath), content: await readFile(schemaPath, 'utf8') };
  // One fresh in-memory database serves as both the engine's main and its shadow database: starting
  // PGlite takes seconds, and the adapter's own shadow instance would never be closed.
  const scratch = new PGlite();
  const pglite = new PrismaPGlite(scratch);
  const scratchOnly: SqlMigrationAwareDriverAdapterFactory = {
    provider: pglite.provider,
    adapterName: pglite.adapterName,
    connect: () => pglite.connect(),
    connectToShadowDb: () => pglite.connect(),
  };
  try {
    return await withEngine(scratchOnly, async (engine) => {
      const { stdout } = await engine.diff({
        from: { tag: 'migrations', ...migrationsList },
        to: { tag: 'schemaDatamodel', files: [schema] },
        script: true,
        exitCode: null,
        filters: noFilter,
      });
      const sql = (stdout ?? '').trim();
      return sql === '' || sql === '-- This is an empty migration.' ? '' : `${sql}\n`;
    });
  } finally {
    await scratch.close();
  }
}
