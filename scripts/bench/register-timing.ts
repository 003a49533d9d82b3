/**
 * register-timing — does POST /api/auth/register take as long for a taken email as for a new one? The
 * answers are identical (see login.security.int.spec.ts); this measures the time, which a test cannot
 * assert on a shared machine. The real BFF (scrypt at its production cost, Postgres accounts), called
 * in-process, new and taken emails interleaved so machine noise falls on both alike.
 *   [SCRYPT_COST=10] npx tsx --conditions=@photos/source scripts/bench/register-timing.ts [rounds]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { photoCatalogue } from '@photos/contracts';
import { createMemoryBus, MemoryBroker } from '@photos/event-bus';
import { createFsObjectStore } from '@photos/object-store';
import { loadConfig } from '@photos/service-kit';
import { createSqlAccountStore } from '../../services/bff/src/adapters/account-store-sql.js';
import { createSqlClient } from '../../services/bff/src/adapters/sql-client.js';
import { buildBffApp } from '../../services/bff/src/app.js';
import { bffConfigSchema } from '../../services/bff/src/config.js';

const rounds = Number(process.argv[2] ?? 20);
const database = `bench_register_${randomUUID().slice(0, 8)}`;
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
const dir = mkdtempSync(join(tmpdir(), 'bench-register-'));
await admin.connect();
await admin.query(`CREATE DATABASE ${database}`);
const db = await createSqlClient({ url: `postgres://postgres@127.0.0.1:5432/${database}`, dataDir: '' });
const config = loadConfig(bffConfigSchema, {
  JWT_SECRET: 'bench-secret-0123456789-0123456789-0123456789',
  LOG_LEVEL: 'silent',
  DATA_DIR: dir,
  WEB_DIST_DIR: join(dir, 'none'),
  RATE_LIMIT_AUTH_PER_MINUTE: '100000',
  // SCRYPT_COST=10 leaves mostly the database's part: a row inserted against a conflict that inserts none.
  ...(process.env['SCRYPT_COST'] ? { SCRYPT_COST: process.env['SCRYPT_COST'] } : {}),
});
const bus = createMemoryBus({ broker: new MemoryBroker(), catalogue: photoCatalogue });
const app = await buildBffApp({
  config,
  accountStore: await createSqlAccountStore(db),
  originals: createFsObjectStore({ root: join(dir, 'originals') }),
  variants: createFsObjectStore({ root: join(dir, 'variants') }),
  bus,
});
await app.ready();

const taken = `taken-${randomUUID()}@example.com`;
const register = async (email: string) => {
  const started = process.hrtime.bigint();
  const response = await app.inject({ method: 'POST', url: '/api/auth/register', payload: { email, password: 'a benchmark password' } });
  if (response.statusCode !== 202) throw new Error(`register answered ${response.statusCode}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
};
await register(taken);
await register(`warm-${randomUUID()}@example.com`);
const times = { new: [] as number[], taken: [] as number[] };
for (let i = 0; i < rounds; i++) {
  // Alternate which goes first, so neither path always follows the other.
  const order = i % 2 === 0 ? (['new', 'taken'] as const) : (['taken', 'new'] as const);
  for (const kind of order) times[kind].push(await register(kind === 'new' ? `new-${randomUUID()}@example.com` : taken));
}

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;
const summary = (values: number[]) =>
  `median ${quantile(values, 0.5).toFixed(1)} ms, p10 ${quantile(values, 0.1).toFixed(1)}, p90 ${quantile(values, 0.9).toFixed(1)}, ` +
  `mean ${(values.reduce((a, b) => a + b, 0) / values.length).toFixed(1)}`;
console.log(`register, scrypt cost 2^${config.SCRYPT_COST}, ${rounds} rounds each, interleaved`);
console.log(`  new email:   ${summary(times.new)}`);
console.log(`  taken email: ${summary(times.taken)}`);
console.log(`  median taken / new: ${(quantile(times.taken, 0.5) / quantile(times.new, 0.5)).toFixed(3)}`);

await app.close();
await bus.close();
await db.close();
await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
await admin.end();
rmSync(dir, { recursive: true, force: true });
