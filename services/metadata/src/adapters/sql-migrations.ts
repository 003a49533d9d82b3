/**
 * Applies a Prisma migrations folder (`<timestamp>_<name>/migration.sql` + `migration_lock.toml`) to
 * PostgreSQL or PGlite with plain SQL, keeping Prisma's own `_prisma_migrations` bookkeeping: the same
 * table, the same rows, the same advisory lock. A database migrated here is up to date for
 * `prisma migrate deploy`, and one migrated by Prisma is up to date here; either can take over.
 *
 * Why not drive Prisma: its migrate commands need the native schema engine, which is downloaded at
 * install time (not possible on every machine, and not in the embedded PGlite mode), and the engine's
 * JavaScript/WebAssembly API is internal to Prisma. What `prisma migrate deploy` does is small and
 * documented by its table (schema-engine `apply_migrations.rs`); this file does that, and a little more:
 * - each migration, with its bookkeeping row, runs in one transaction: a failing migration leaves nothing
 *   of itself behind (the WebAssembly engine used before kept the statements ahead of the failing one)
 *   and a row saying it was rolled back, so the next run tries it again; a crash leaves no "started" row
 *   to resolve by hand. A statement Postgres refuses in a transaction block (`CREATE INDEX CONCURRENTLY`:
 *   SQLSTATE 25001) makes the runner apply that migration as Prisma does, and a failure there is
 *   resolved as with Prisma;
 * - an applied migration whose file has changed stops the run, naming it (Prisma's deploy goes on).
 *
 * No driver is imported: the caller passes one session (see `MigrationSession`), so the BFF's accounts
 * database could use this file as it is.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * One database session: `pg.Client` or a PGlite instance, never a pool, since the advisory lock and the
 * transactions belong to the session.
 */
export interface MigrationSession {
  query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
  /** Sends a script of one or more statements as it is (simple query protocol). */
  exec(script: string): Promise<void>;
}

/** A migration of the folder: the folder's name and its migration.sql. */
interface MigrationFile {
  name: string;
  script: string;
  /** sha256 hex of migration.sql, as `_prisma_migrations.checksum` stores it. */
  checksum: string;
}

/** The run stops without applying anything: the database's history and the folder disagree. */
export class MigrationHistoryError extends Error {
  override name = 'MigrationHistoryError';
}

/** A migration failed (and was rolled back when it ran in a transaction); its row holds the error. */
export class MigrationFailedError extends Error {
  override name = 'MigrationFailedError';
}

/** The key of `pg_advisory_lock` Prisma's schema engine takes, so it and this runner exclude each other. */
export const PRISMA_MIGRATION_LOCK = 72707369;

/** The table exactly as Prisma's schema engine creates it. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | string | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | string | null;
  started_at: Date | string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Whether `script` is the one `checksum` was taken of. Like Prisma, a file whose line endings git changed
 * (CRLF on Windows) still matches.
 */
function scriptMatchesChecksum(script: string, checksum: string): boolean {
  return [script, script.replaceAll('\r\n', '\n'), script.replaceAll(/\r?\n/g, '\r\n')].some((variant) => sha256(variant) === checksum);
}

/** Reads the folder's migrations in name order (the timestamp prefix), as Prisma lists them. */
async function readMigrationFolder(folder: string): Promise<MigrationFile[]> {
  const dir = resolve(folder);
  const lockfile = await readFile(join(dir, 'migration_lock.toml'), 'utf8').catch(() => undefined);
  const provider = lockfile?.match(/^\s*provider\s*=\s*"([^"]*)"/m)?.[1];
  if (provider !== undefined && provider !== 'postgresql') {
    throw new MigrationHistoryError(`${dir}/migration_lock.toml: the migrations are for "${provider}", not postgresql`);
  }
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const script = await readFile(join(dir, name, 'migration.sql'), 'utf8');
      return { name, script, checksum: sha256(script) };
    }),
  );
}

const errorCode = (error: unknown) => (error as { code?: unknown }).code;

/** What `logs` holds for a failed migration, in the shape of Prisma's P3018 message. */
function failureLog(name: string, error: unknown): string {
  const code = errorCode(error);
  return `Migration name: ${name}\n\n${typeof code === 'string' ? `Database error code: ${code}\n\n` : ''}Database error:\nERROR: ${(error as Error).message}`;
}

/**
 * Refuses to go on while the database holds a failed migration (as Prisma does: P3009) or an applied
 * migration whose file has changed since; says which, and what to do.
 */
function checkHistory(rows: MigrationRow[], files: MigrationFile[]): void {
  const failed = rows.filter((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed.length > 0) {
    const list = failed.map((row) => `- ${row.migration_name} (started at ${new Date(row.started_at).toISOString()})${row.logs ? `:\n${row.logs}` : ''}`);
    throw new MigrationHistoryError(
      `Failed migrations in the database, no migration applied:\n${list.join('\n')}\n` +
        'Fix the database and the migration, mark it rolled back (`npx prisma migrate resolve --rolled-back <name>`, or ' +
        "`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '<name>' AND finished_at IS NULL`), then start again.",
    );
  }
  const byName = new Map(files.map((file) => [file.name, file]));
  const edited = rows.filter((row) => {
    const file = row.rolled_back_at === null ? byName.get(row.migration_name) : undefined;
    return file !== undefined && !scriptMatchesChecksum(file.script, row.checksum);
  });
  if (edited.length > 0) {
    const list = edited.map((row) => {
      return `- ${row.migration_name}: applied with checksum ${row.checksum}, the file now has ${byName.get(row.migration_name)!.checksum}`;
    });
    throw new MigrationHistoryError(
      `Migrations changed after they were applied, no migration applied:\n${list.join('\n')}\n` +
        'Restore their migration.sql as applied, and put the change in a new migration.',
    );
  }
}

/**
 * Applies one migration and its bookkeeping in one transaction. A statement Postgres will not run in a
 * transaction block sends it down Prisma's own path: record the start, run the script, record the end.
 */
async function applyOne(session: MigrationSession, file: MigrationFile): Promise<void> {
  const id = randomUUID();
  let startedAt = new Date();
  const recordStart = () =>
    session.query('INSERT INTO _prisma_migrations (id, checksum, started_at, migration_name) VALUES ($1, $2, $3, $4)', [
      id,
      file.checksum,
      startedAt,
      file.name,
    ]);
  const recordFinish = () =>
    session.query('UPDATE _prisma_migrations SET applied_steps_count = applied_steps_count + 1, finished_at = $2 WHERE id = $1', [id, new Date()]);
  // Outside a transaction, as Prisma leaves a failed migration: started, not finished, the error in `logs`;
  // later runs refuse until someone has looked and marked it rolled back. Best effort: the error that got
  // us here is the one to report.
  const recordFailure = (error: unknown) =>
    session.query('UPDATE _prisma_migrations SET logs = $2 WHERE id = $1', [id, failureLog(file.name, error)]).catch(() => undefined);

  await session.exec('BEGIN');
  try {
    await recordStart();
    await session.exec(file.script);
    await recordFinish();
    await session.exec('COMMIT');
    return;
  } catch (error) {
    const rolledBack = await session.exec('ROLLBACK').then(
      () => true,
      () => false,
    );
    if (!rolledBack) throw error;
    if (errorCode(error) !== '25001') {
      // Nothing of it is left, and the row says so (`rolled_back_at`, what `prisma migrate resolve
      // --rolled-back` writes): the next run applies the migration again, fixed or once the cause is gone.
      await session
        .query('INSERT INTO _prisma_migrations (id, checksum, started_at, migration_name, logs, rolled_back_at) VALUES ($1, $2, $3, $4, $5, $6)', [
          id,
          file.checksum,
          startedAt,
          file.name,
          failureLog(file.name, error),
          new Date(),
        ])
        .catch(() => undefined);
      throw new MigrationFailedError(`Migration ${file.name} failed and was rolled back: ${(error as Error).message}`, { cause: error });
    }
  }
  // SQLSTATE 25001: a statement of the script cannot run in a transaction block.
  startedAt = new Date();
  await recordStart();
  try {
    await session.exec(file.script);
  } catch (error) {
    await recordFailure(error);
    throw new MigrationFailedError(`Migration ${file.name} failed outside a transaction (check what it left behind): ${(error as Error).message}`, {
      cause: error,
    });
  }
  await recordFinish();
}

/**
 * Applies the migrations of `folder` the database does not have yet, in order, like `prisma migrate
 * deploy`; resolves with their names. Replicas starting together wait for each other on Prisma's
 * advisory lock, so each migration is applied once.
 */
export async function applyMigrations(session: MigrationSession, folder: string): Promise<string[]> {
  const files = await readMigrationFolder(folder);
  await session.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATION_LOCK]);
  try {
    await session.exec(CREATE_MIGRATIONS_TABLE);
    const { rows } = await session.query<MigrationRow>(
      'SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at FROM _prisma_migrations ORDER BY started_at',
    );
    checkHistory(rows, files);
    const applied = new Set(rows.filter((row) => row.rolled_back_at === null).map((row) => row.migration_name));
    const pending = files.filter((file) => !applied.has(file.name));
    for (const file of pending) await applyOne(session, file);
    return pending.map((file) => file.name);
  } finally {
    await session.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATION_LOCK]).catch(() => undefined);
  }
}
