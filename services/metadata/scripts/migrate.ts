/**
 * Migrations of the metadata database, in Prisma's folder format (prisma/migrations/).
 *
 *   tsx scripts/migrate.ts deploy          apply pending migrations to DATABASE_URL: the service's own runner
 *                                          (src/adapters/sql-migrations.ts), same as `prisma migrate deploy`
 *   tsx scripts/migrate.ts create <name>   write prisma/migrations/<timestamp>_<name>/ from the schema diff
 *   tsx scripts/migrate.ts check           exit 1 when schema.prisma and the migrations disagree
 *
 * `create` and `check` are development tools on Prisma's WebAssembly engine (scripts/prisma-wasm-engine.ts,
 * an internal API) for machines where the native engine cannot be downloaded; with it, use
 * `prisma migrate dev --create-only --name <name>` (README, "Migrations").
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withPgSession } from '../src/adapters/migration-sessions.js';
import { prismaPaths } from '../src/adapters/migrations-folder.js';
import { applyMigrations } from '../src/adapters/sql-migrations.js';

const [command, name] = process.argv.slice(2);

// Loaded on demand: `deploy` must work where the development dependencies are not installed (images).
const schemaDiff = async () => (await import('./prisma-wasm-engine.js')).diffMigrationsToSchema(prismaPaths.schema, prismaPaths.migrations);

const timestamp = (date: Date) => date.toISOString().replace(/\D/g, '').slice(0, 14);

switch (command) {
  case 'create': {
    if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error('usage: migrate create <name> (lower-case letters, digits, _)');
    const sql = await schemaDiff();
    if (sql === '') {
      console.log('schema.prisma and the migrations agree: nothing to create.');
      break;
    }
    const folder = join(prismaPaths.migrations, `${timestamp(new Date())}_${name}`);
    await mkdir(folder);
    await writeFile(join(folder, 'migration.sql'), sql);
    console.log(`wrote ${folder}/migration.sql:\n\n${sql}`);
    break;
  }
  case 'check': {
    const sql = await schemaDiff();
    if (sql !== '') {
      console.error(`schema.prisma is ahead of the migrations; run "migrate create <name>". Missing:\n\n${sql}`);
      process.exitCode = 1;
    } else console.log('schema.prisma and the migrations agree.');
    break;
  }
  case 'deploy': {
    const url = process.env['DATABASE_URL'];
    if (!url) throw new Error('DATABASE_URL is required');
    const applied = await withPgSession(url, 10_000, (session) => applyMigrations(session, prismaPaths.migrations));
    console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'no pending migrations.');
    break;
  }
  default:
    console.error('usage: migrate deploy | create <name> | check');
    process.exitCode = 2;
}
