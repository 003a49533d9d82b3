/**
 * The whole platform as production runs it, for tests that kill and restart parts of it: every service
 * its own process (as in multi-process.e2e.spec.ts), on real PostgreSQL (databases of its own), Redis
 * (a key prefix of its own), an S3 server (s3rver) and the broker the caller's environment selects.
 * Every process it ever started stays listed, so the output of a killed one is still shown on failure.
 */
import { randomUUID } from 'node:crypto';
import { createObjectStore, type ObjectStore } from '@photos/object-store';
import { startS3rver } from '@photos/object-store/test-support/s3rver';
import pg from 'pg';
import { startService, startServiceProcesses, type ServiceName, type ServiceProcess } from './processes.js';

const POSTGRES = 'postgres://postgres@127.0.0.1:5432';

export class ProcessPlatform {
  private readonly suffix = randomUUID().slice(0, 8);
  private readonly databases = { metadata: `metadata_${this.suffix}`, accounts: `accounts_${this.suffix}` };
  private readonly admin = new pg.Client({ connectionString: `${POSTGRES}/postgres` });
  private s3: Awaited<ReturnType<typeof startS3rver>> | undefined;
  private adminConnected = false;
  private readonly databasesCreated: string[] = [];
  /** Running processes by name. */
  private readonly running = new Map<string, ServiceProcess>();
  /** Every process started, running or not, for the logs. */
  private readonly started: ServiceProcess[] = [];
  env: Record<string, string> = {};

  /** @param busEnv AMQP_URL or KAFKA_BROKERS (and friends): the broker every service uses. */
  constructor(private readonly busEnv: Record<string, string>) {}

  /**
   * Starts metadata, upload, `processors` processors and the BFF ({@link startServiceProcesses}). On failure what
   * did start stays listed, so `stop()` (in afterAll) still stops it.
   */
  async start(processors = 2): Promise<void> {
    this.s3 = await startS3rver();
    await this.admin.connect();
    this.adminConnected = true;
    for (const name of Object.values(this.databases)) {
      await this.admin.query(`CREATE DATABASE ${name}`);
      this.databasesCreated.push(name);
    }
    this.env = {
      JWT_SECRET: 'fault-tests-secret-0123456789-0123456789',
      LOG_LEVEL: process.env['FAULT_LOG_LEVEL'] ?? 'warn', // e.g. FAULT_LOG_LEVEL=info to see the bus at work
      S3_ENDPOINT: this.s3.endpoint,
      S3_ACCESS_KEY: 'S3RVER',
      S3_SECRET_KEY: 'S3RVER',
      ORIGINALS_BUCKET: `originals-${this.suffix}`,
      VARIANTS_BUCKET: `variants-${this.suffix}`,
      REDIS_URL: 'redis://127.0.0.1:6379',
      CACHE_PREFIX: `faults-${this.suffix}:`,
      OUTBOX_INTERVAL_MS: '500',
      ...this.busEnv,
    };
    await startServiceProcesses({
      env: this.env,
      databases: { metadata: this.databaseUrl('metadata'), accounts: this.databaseUrl('accounts') },
      own: {
        bff: {
          SCRYPT_COST: '12',
          // All tests of a run come from 127.0.0.1, and these counters live in the shared Redis.
          RATE_LIMIT_AUTH_PER_MINUTE: '1000',
          RATE_LIMIT_UPLOADS_PER_MINUTE: '1000',
          RATE_LIMIT_LINKS_PER_MINUTE: '1000',
        },
      },
      processors,
      start: (name, service, env) => this.startService(name, service, env),
    });
  }

  /** Starts a service process; `port` gives a restarted service its old URL (the BFF keeps calling it). */
  async startService(name: string, service: ServiceName, env: Record<string, string> = {}, port?: number): Promise<ServiceProcess> {
    if (this.running.has(name)) throw new Error(`${name} is already running`);
    const process = await startService(name, service, { ...this.env, ...env }, port === undefined ? {} : { port });
    this.running.set(name, process);
    this.started.push(process);
    return process;
  }

  service(name: string): ServiceProcess {
    const found = this.running.get(name);
    if (!found) throw new Error(`${name} is not running`);
    return found;
  }

  get bff(): ServiceProcess {
    return this.service('bff');
  }

  /** Names of the running processes whose name starts with `prefix`. */
  names(prefix: string): string[] {
    return [...this.running.keys()].filter((name) => name.startsWith(prefix));
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed, as when a machine or container dies. */
  async kill(name: string): Promise<void> {
    const process = this.service(name);
    this.running.delete(name);
    await process.stop('SIGKILL');
  }

  /** The URL of a service's own database, for a test that seeds or inspects it directly. */
  databaseUrl(which: 'metadata' | 'accounts'): string {
    return `${POSTGRES}/${this.databases[which]}`;
  }

  /** The bucket of originals or variants, as a test reads it. */
  bucket(which: 'ORIGINALS_BUCKET' | 'VARIANTS_BUCKET'): ObjectStore {
    return createObjectStore(this.env as never, this.env[which]!);
  }

  /** The recent output of every process started, killed ones included. */
  logs(): string {
    return this.started
      .map((s) => {
        const exit = s.child.exitCode ?? s.child.signalCode;
        return `--- ${s.name}${exit === null ? '' : ` (exited: ${exit})`}\n${s.output().slice(-3000)}`;
      })
      .join('\n');
  }

  /** Stops every running process (SIGTERM), then removes the databases and the S3 server; returns the exit codes by name. */
  async stop(): Promise<Record<string, number | null>> {
    const stopping = [...this.running.values()];
    this.running.clear();
    const codes = await Promise.all(stopping.map((s) => s.stop()));
    try {
      await this.s3?.close();
    } finally {
      if (this.adminConnected) {
        for (const name of this.databasesCreated) await this.admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await this.admin.end();
      }
    }
    return Object.fromEntries(stopping.map((s, i) => [s.name, codes[i]!]));
  }
}
