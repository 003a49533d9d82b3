/**
 * The errors Prisma + @prisma/adapter-pg + pg really throw when PostgreSQL is unreachable or drops the
 * connection, and when it refuses a statement on its merits, classified by {@link isDatabaseUnavailable}.
 */
import { createServer, type Server } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPhotoId, uploaded } from '../test-support/photo-events.js';
import { openMigratedTestDatabase } from '../test-support/test-database.js';
import { isDatabaseUnavailable } from './database-errors.js';
import { openDatabase, type Database } from './database.js';
import { createPhotoProjectionStore } from './photo-projection-store.js';

const failure = (work: () => Promise<unknown>) =>
  work().then(
    () => expect.fail('expected a failure'),
    (error: unknown) => error,
  );

describe('database errors, for real', () => {
  let database: Database;
  let url: string;
  let close: () => Promise<void>;
  const admin = new pg.Client({ connectionString: process.env['TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres' });
  let blackHole: Server;

  beforeAll(async () => {
    ({ database, url, close } = await openMigratedTestDatabase());
    await admin.connect();
    // Accepts connections and never answers, as a server gone without a reset.
    blackHole = createServer(() => undefined);
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    blackHole.close();
    await admin.end();
    await close();
  });

  const at = (host: string) => {
    const other = new URL(url);
    other.host = host;
    return other.toString();
  };
  /** Terminates this test database's backends running `pattern`, a moment after being called. */
  const terminate = async (pattern: string) => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND query LIKE $2', [
      new URL(url).pathname.slice(1),
      pattern,
    ]);
  };

  it('unavailable: the server refuses connections (a projection, a raw query)', async () => {
    const refused = openDatabase({ url: at('127.0.0.1:1') });
    try {
      const projection = await failure(() => createPhotoProjectionStore(refused.prisma).apply(uploaded(newPhotoId(), 'alice')));
      expect(projection).toMatchObject({ code: 'P1001' });
      expect(isDatabaseUnavailable(projection)).toBe(true);
      expect(isDatabaseUnavailable(await failure(() => refused.prisma.$queryRaw`SELECT 1`))).toBe(true);
    } finally {
      await refused.close();
    }
  });

  it('unavailable: the server accepts but never answers (connect timeout)', async () => {
    const silent = openDatabase({ url: at(`127.0.0.1:${(blackHole.address() as { port: number }).port}`), connectTimeoutMs: 300 });
    try {
      const error = await failure(() => createPhotoProjectionStore(silent.prisma).apply(uploaded(newPhotoId(), 'alice')));
      expect(isDatabaseUnavailable(error)).toBe(true);
    } finally {
      await silent.close();
    }
  });

  it('unavailable: the backend is terminated during a query, and inside a transaction', async () => {
    const [outside] = await Promise.all([failure(() => database.prisma.$queryRaw`SELECT pg_sleep(3) AS outside`), terminate('%AS outside%')]);
    expect(outside).toMatchObject({ meta: { driverAdapterError: { cause: { originalCode: '57P01' } } } });
    expect(isDatabaseUnavailable(outside)).toBe(true);

    const [inside] = await Promise.all([
      failure(() =>
        database.prisma.$transaction(async (tx) => {
          await tx.$executeRaw`SELECT pg_sleep(3) AS inside`;
          await tx.photo.findMany();
        }),
      ),
      terminate('%AS inside%'),
    ]);
    expect(isDatabaseUnavailable(inside)).toBe(true);
    // The pool replaces the dead connections: the next projection goes through.
    await expect(createPhotoProjectionStore(database.prisma).apply(uploaded(newPhotoId(), 'alice'))).resolves.toMatchObject({ kind: 'save' });
  });

  it('not unavailable: what the database refuses on its merits, or a database that does not exist', async () => {
    const id = newPhotoId();
    const tombstone = { photoId: id, ownerId: 'alice', deletedAt: new Date() };
    await database.prisma.photoTombstone.create({ data: tombstone });
    const duplicate = await failure(() => database.prisma.photoTombstone.create({ data: tombstone }));
    expect(duplicate).toMatchObject({ code: 'P2002' });
    expect(isDatabaseUnavailable(duplicate)).toBe(false);
    expect(isDatabaseUnavailable(await failure(() => database.prisma.$executeRawUnsafe(`SELECT 'x'::int`)))).toBe(false);
    expect(isDatabaseUnavailable(await failure(() => database.prisma.$executeRawUnsafe('SELECT 1/0')))).toBe(false);

    const missing = new URL(url);
    missing.pathname = `${missing.pathname}_missing`;
    const nowhere = openDatabase({ url: missing.toString() });
    try {
      expect(isDatabaseUnavailable(await failure(() => nowhere.prisma.$queryRaw`SELECT 1`))).toBe(false);
    } finally {
      await nowhere.close();
    }
  });
});
