/**
 * The BFF's readiness reports the metadata service's readiness (its database, its bus), not only that
 * the metadata process answers: a metadata that cannot reach its database answers no query. The BFF
 * stays in rotation ("degraded", 200) meanwhile, because uploads do not need metadata.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { photoCatalogue } from '@photos/contracts';
import { createMemoryBus, MemoryBroker, type EventBus } from '@photos/event-bus';
import { createFsObjectStore } from '@photos/object-store';
import { buildService, loadConfig, type ServiceApp } from '@photos/service-kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlAccountStore } from './adapters/account-store-sql.js';
import { createSqlClient, type SqlClient } from './adapters/sql-client.js';
import { bffConfigSchema } from './config.js';
import { bffService } from './service.js';

const database = `bff_ready_${randomUUID().slice(0, 8)}`;
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });

describe('BFF readiness', () => {
  let db: SqlClient;
  let dir: string;
  let metadata: Server;
  let app: ServiceApp;
  let bus: EventBus;
  /** How the stand-in metadata service answers /health/ready: always live, ready or not, or no answer at all. */
  let metadataReadiness: 'ready' | 'unavailable' | 'hung' = 'ready';

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    db = await createSqlClient({ url: `postgres://postgres@127.0.0.1:5432/${database}`, dataDir: '' });
    dir = mkdtempSync(join(tmpdir(), 'bff-ready-'));
    metadata = createServer((request, response) => {
      if (request.url === '/health/live') return response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      if (request.url !== '/health/ready') return response.writeHead(404).end();
      if (metadataReadiness === 'hung') return; // never answers
      const ready = metadataReadiness === 'ready';
      response.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
      response.end(JSON.stringify(ready ? { status: 'ok', checks: { database: 'ok' } } : { status: 'unavailable', checks: { database: 'error' } }));
    });
    await new Promise<void>((resolve) => metadata.listen(0, '127.0.0.1', resolve));
    const config = loadConfig(bffConfigSchema, {
      JWT_SECRET: 'bff-test-secret-0123456789-0123456789',
      LOG_LEVEL: 'silent',
      DATA_DIR: dir,
      METADATA_URL: `http://127.0.0.1:${(metadata.address() as { port: number }).port}`,
      UPLOAD_URL: 'http://127.0.0.1:1',
      WEB_DIST_DIR: join(dir, 'no-web'),
    });
    bus = createMemoryBus({ broker: new MemoryBroker(), catalogue: photoCatalogue });
    // Built as the runner builds it: with the readiness checks its definition declares.
    app = await buildService(bffService, {
      config,
      adapters: {
        accountStore: await createSqlAccountStore(db),
        originals: createFsObjectStore({ root: join(dir, 'originals') }),
        variants: createFsObjectStore({ root: join(dir, 'variants') }),
      },
      bus,
    });
  });

  afterAll(async () => {
    await app?.close();
    await bus?.close();
    metadata?.closeAllConnections();
    await new Promise((resolve) => metadata?.close(resolve));
    await db?.close();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  const ready = async () => {
    const response = await app.inject({ method: 'GET', url: '/health/ready' });
    const body = response.json() as { status: string; checks: Record<string, string> };
    return { status: response.statusCode, state: body.status, metadata: body.checks['metadata'] };
  };

  it('is ok while metadata is ready, degraded while metadata is live but not ready, and ok again after', async () => {
    metadataReadiness = 'ready';
    expect(await ready()).toEqual({ status: 200, state: 'ok', metadata: 'ok' });
    metadataReadiness = 'unavailable';
    expect(await ready()).toEqual({ status: 200, state: 'degraded', metadata: 'failing' });
    metadataReadiness = 'ready';
    expect(await ready()).toEqual({ status: 200, state: 'ok', metadata: 'ok' });
  });

  it('counts a metadata that does not answer its readiness as failing, within the check budget', async () => {
    metadataReadiness = 'hung';
    expect(await ready()).toEqual({ status: 200, state: 'degraded', metadata: 'failing' });
    metadataReadiness = 'ready';
  });
});
