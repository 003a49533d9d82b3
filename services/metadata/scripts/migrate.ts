/**
 * Migrations of the metadata database without Prisma's native schema engine (which this machine cannot
 * download); same folder format and same `_prisma_migrations` bookkeeping as `prisma migrate`.
 *
 *   tsx scripts/migrate.ts create <name>   write prisma/migrations/<timestamp>_<name>/ from the schema diff
 *   tsx scripts/migrate.ts check           exit 1 when schema.prisma and the migrations disagree
 *   tsx scripts/migrate.ts deploy          apply pending migrations to DATABASE_URL
 *
 * Where the native engine is available, `prisma migrate deploy` does the same as `deploy`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { prismaPaths } from '../src/adapters/migrations-folder.js';
import { applyMigrations, diffMigrationsToSchema } from '../src/adapters/schema-engine.js';

const [command, name] = process.argv.slice(2);

const timestamp = (date: Date) => date.toISOString().replace(/\D/g, '').slice(0, 14);

switch (command) {
  case 'create': {
    if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error('usage: migrate create <name> (lower-case letters, digits, _)');
    const sql = await diffMigrationsToSchema(prismaPaths.schema, prismaPaths.migrations);
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
    const sql = await diffMigrationsToSchema(prismaPaths.schema, prismaPaths.migrations);
    if (sql !== '') {
      console.error(`schema.prisma is ahead of the migrations; run "migrate create <name>". Missing:\n\n${sql}`);
      process.exitCode = 1;
    } else console.log('schema.prisma and the migrations agree.');
    break;
  }
  case 'deploy': {
    const url = process.env['DATABASE_URL'];
    if (!url) throw new Error('DATABASE_URL is required');
    const applied = await applyMigrations(new PrismaPg({ connectionString: url }), prismaPaths.migrations);
    console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'no pending migrations.');
    break;
  }
  default:
    console.error('usage: migrate create <name> | check | deploy');
    process.exitCode = 2;
}
