/**
 * What the BFF's integration specs build an app on: a Postgres database and a data folder of the spec
 * file's own, the configuration a test BFF runs with (peers unreachable, no web app, a cheap scrypt), and
 * the stores over them. Each spec still builds its app itself, with the adapters its rules need.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { photoCatalogue } from '@photos/contracts';
import { createMemoryBus, MemoryBroker, type EventBus } from '@photos/event-bus';
import { createFsObjectStore } from '@photos/object-store';
import { loadConfig } from '@photos/service-kit';
import pg from 'pg';
import { createSqlAccountStore } from '../adapters/account-store-sql.js';
import { createSqlClient, type SqlClient } from '../adapters/sql-client.js';
import type { BffAppDeps } from '../app.js';
import { bffConfigSchema, type BffConfig } from '../config.js';

const POSTGRES = 'postgres://postgres@127.0.0.1:5432';

export interface BffTestBed {
  db: SqlClient;
  dir: string;
  /** The test BFF's configuration, `env` overriding the defaults. */
  config(env?: Record<string, string>): BffConfig;
  /** Accounts in the database, originals and variants in the data folder. */
  stores(): Promise<Pick<BffAppDeps, 'accountStore' | 'originals' | 'variants'>>;
  /** Drops the database (even with connections left open) and removes the folder. */
  close(): Promise<void>;
}

/** @param name prefixes the database and folder names, to tell the specs' leftovers apart */
export async function openBffTestBed(name: string): Promise<BffTestBed> {
  const database = `${name}_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: `${POSTGRES}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const db = await createSqlClient({ url: `${POSTGRES}/${database}`, dataDir: '' });
  const dir = mkdtempSync(join(tmpdir(), `${name.replaceAll('_', '-')}-`));
  return {
    db,
    dir,
    config: (env = {}) =>
      loadConfig(bffConfigSchema, {
        JWT_SECRET: 'bff-test-secret-0123456789-0123456789',
        LOG_LEVEL: 'silent',
        DATA_DIR: dir,
        METADATA_URL: 'http://127.0.0.1:1',
        UPLOAD_URL: 'http://127.0.0.1:1',
        WEB_DIST_DIR: join(dir, 'no-web'),
        SCRYPT_COST: '12',
        ...env,
      }),
    stores: async () => ({
      accountStore: await createSqlAccountStore(db),
      originals: createFsObjectStore({ root: join(dir, 'originals') }),
      variants: createFsObjectStore({ root: join(dir, 'variants') }),
    }),
    close: async () => {
      await db.close();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An in-process event bus with the platform's catalogue. */
export const memoryBus = (): EventBus => createMemoryBus({ broker: new MemoryBroker(), catalogue: photoCatalogue });
