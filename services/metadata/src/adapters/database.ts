import { createHash } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client.js';
import { pgliteSession, withPgSession } from './migration-sessions.js';
import { prismaPaths } from './migrations-folder.js';
import { applyMigrations } from './sql-migrations.js';

/** Where the metadata lives: a PostgreSQL server (`DATABASE_URL`) or an embedded PGlite instance. */
export type DatabaseSource = { url: string; poolSize?: number; connectTimeoutMs?: number } | { pglite: PGlite };

/** The service's database: a Prisma client on one driver adapter, and what else is done with it. */
export interface Database {
  prisma: PrismaClient;
  /**
   * Applies the pending migrations of prisma/migrations (as `prisma migrate deploy` would, see
   * sql-migrations.ts); resolves with the names applied.
   */
  migrate(): Promise<string[]>;
  /** True when a trivial query (`SELECT 1`) succeeds, for /health/ready (which bounds its time). */
  isHealthy(): Promise<boolean>;
  /** Closes the client and its pool (a PGlite instance stays open: its owner closes it). */
  close(): Promise<void>;
}

/** Statement names from the SQL text, so `pg` prepares each distinct query once per connection. */
const statementName = ({ sql }: { sql: string }) => `m${createHash('sha1').update(sql).digest('base64url')}`;

/**
 * Opens the database of `source` with the Prisma client: `@prisma/adapter-pg` over a `pg` pool for a
 * URL, `pglite-prisma-adapter` for a PGlite instance. Nothing connects until the first query.
 */
export function openDatabase(source: DatabaseSource): Database {
  const adapter =
    'pglite' in source
      ? new PrismaPGlite(source.pglite)
      : new PrismaPg(
          // A connection not had within connectTimeoutMs (a server gone without a reset, or a pool busy
          // that long) fails then, not after the operating system's minutes: the caller retries later.
          { connectionString: source.url, max: source.poolSize ?? 10, connectionTimeoutMillis: source.connectTimeoutMs ?? 5_000 },
          { statementNameGenerator: statementName },
        );
  const prisma = new PrismaClient({ adapter });
  return {
    prisma,
    migrate: () =>
      'pglite' in source
        ? applyMigrations(pgliteSession(source.pglite), prismaPaths.migrations)
        : withPgSession(source.url, source.connectTimeoutMs ?? 5_000, (session) => applyMigrations(session, prismaPaths.migrations)),
    isHealthy: async () => {
      await prisma.$queryRaw`SELECT 1`;
      return true;
    },
    close: () => prisma.$disconnect(),
  };
}
