/**
 * The two topologies bench:soak drives, each a set of OS processes whose memory it reads:
 * - multi-process: upload, processor, metadata and BFF each `node … src/server.ts` (as `npm start -w` runs
 *   them; test/support/processes.ts starts and wires them), over RabbitMQ (a vhost of its own), Postgres (databases of its own), Redis (a key prefix of its
 *   own, metadata's cache only) and s3rver in a child process;
 * - embedded: `npm start` itself (apps/embedded: the four services in one process, PGlite, files, memory bus).
 * Both expose the BFF's public API, which the benchmark drives as a browser would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestVhost } from '../../../packages/event-bus/src/test-support/rabbitmq-vhost.js';
import { allocatorEnv, findJemalloc } from '../../../apps/embedded/allocator.mjs';
import { deleteCacheKeys } from '../../../services/metadata/src/test-support/test-app.js';
import { ROOT } from './bench-kit.js';
import { startService, startServiceProcesses, type ServiceProcess as RunningService } from '../../../test/support/processes.js';
import { firstJsonLine, freePort, spawnTs, stopChild } from './processes.js';

/** One OS process of a platform, named as the report prints it. */
export interface ServiceProcess {
  name: string;
  pid: number;
  /** Its Prometheus endpoint (prom-client's process and heap figures), when it has one. */
  metricsUrl: string;
}

export interface Platform {
  /** The BFF's public base URL. */
  url: string;
  /** The memory allocator its processes run with. */
  allocator: string;
  processes: ServiceProcess[];
  stop(): Promise<void>;
}

export const JWT_SECRET = 'bench-soak-secret-0123456789-0123456789-0123456789';

/**
 * `image`: the allocator the platform's own launchers choose (the Docker image's jemalloc for the services,
 * `npm start`'s choice for the embedded process); `system`: glibc's defaults.
 */
export type AllocatorChoice = 'image' | 'system';

/** Variables every service gets: no broker, database or S3 of the caller's shell; limits a soak does not test. */
function baseEnv(): Record<string, string> {
  const infrastructure = /^(KAFKA_|AMQP_|S3_|DATABASE_URL|REDIS_URL|ACCOUNTS_DATABASE_URL)/;
  const inherited = Object.entries(process.env).filter(([name]) => !infrastructure.test(name));
  return {
    ...(Object.fromEntries(inherited) as Record<string, string>),
    JWT_SECRET,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    SCRYPT_COST: '12',
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    RATE_LIMIT_UPLOADS_PER_MINUTE: '100000',
  };
}

export async function startMultiProcess(allocator: AllocatorChoice): Promise<Platform> {
  const suffix = randomUUID().slice(0, 8);
  const databases = { metadata: `soak_metadata_${suffix}`, accounts: `soak_accounts_${suffix}` };
  const cachePrefix = `soak-${suffix}:`;
  const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  const children: ChildProcess[] = [];
  const running: RunningService[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const service of [...running].reverse()) await service.stop();
    for (const child of [...children].reverse()) await stopChild(child);
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error('cleanup failed:', error));
  };
  try {
    for (const name of Object.values(databases)) {
      await admin.query(`CREATE DATABASE ${name}`);
      cleanups.push(() => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    }
    cleanups.unshift(() => admin.end());
    const vhost = await createTestVhost('soak');
    cleanups.push(() => vhost.remove());
    cleanups.push(() => deleteCacheKeys(cachePrefix, redisUrl));
    const s3rver = spawnTs('scripts/bench/lib/s3rver-child.ts');
    children.push(s3rver);
    const { endpoint } = await firstJsonLine<{ endpoint: string }>(s3rver);

    // As the Docker image runs them (Dockerfile: LD_PRELOAD of jemalloc), when this machine has jemalloc.
    const jemalloc = allocator === 'image' ? findJemalloc() : undefined;
    const env = {
      ...baseEnv(),
      ...(jemalloc ? { LD_PRELOAD: jemalloc } : {}),
      S3_ENDPOINT: endpoint,
      S3_ACCESS_KEY: 'S3RVER',
      S3_SECRET_KEY: 'S3RVER',
      ORIGINALS_BUCKET: `originals-${suffix}`,
      VARIANTS_BUCKET: `variants-${suffix}`,
      AMQP_URL: vhost.url,
    };
    const { bff } = await startServiceProcesses({
      env,
      databases: {
        metadata: `postgres://postgres@127.0.0.1:5432/${databases.metadata}`,
        accounts: `postgres://postgres@127.0.0.1:5432/${databases.accounts}`,
      },
      // No REDIS_URL for the BFF: its rate-limit counters in a shared Redis would be other runs' counters too.
      own: { metadata: { REDIS_URL: redisUrl, CACHE_PREFIX: cachePrefix }, bff: { WEB_DIST_DIR: join(ROOT, '.cache', 'no-web-app') } },
      start: async (name, service, serviceEnv) => {
        const started = await startService(name, service, serviceEnv, { onOutput: (text) => process.stderr.write(text.replace(/^(?=.)/gm, `[${name}] `)) });
        running.push(started);
        return started;
      },
    });
    const processes = running.map((p) => ({ name: p.name, pid: p.child.pid!, metricsUrl: `${p.metricsUrl}/metrics` }));
    const url = bff.url;
    return { url, processes, stop, allocator: jemalloc ? `jemalloc (${jemalloc})` : 'glibc defaults' };
  } catch (error) {
    await stop();
    throw error;
  }
}

function pick(env: Record<string, string | undefined>, names: string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((name) => (env[name] ? [[name, env[name]]] : [])));
}

/** Direct children of every process, from /proc/<pid>/stat (field 4 is the parent). */
function childrenOf(): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      map.set(ppid, [...(map.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  return map;
}

/** The descendant of `root` one of whose arguments is `file` (a path to it): the Node process, not a shell running it. */
function findDescendant(root: number, file: string): number | undefined {
  const tree = childrenOf();
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (args.some((arg) => arg === file || arg.endsWith(`/${file}`))) return pid;
    } catch {
      // gone meanwhile
    }
    queue.push(...(tree.get(pid) ?? []));
  }
  return undefined;
}

/**
 * `npm start` on a fresh data directory, as a new user runs it; its Node process is the one measured.
 * With `entry`, `node --import tsx <entry>` instead (another version of apps/embedded/src/main.ts).
 */
export async function startEmbedded(allocator: AllocatorChoice, entry?: string): Promise<Platform & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-soak-embedded-'));
  const [port, metricsPort] = [await freePort(), await freePort()];
  // An empty GLIBC_TUNABLES makes the launcher leave glibc's defaults (apps/embedded/allocator.mjs).
  const env = { ...baseEnv(), ...(allocator === 'system' ? { GLIBC_TUNABLES: '' } : {}) };
  const chosen = entry ? {} : allocatorEnv(env);
  const [command, args] = entry ? [process.execPath, ['--conditions=@photos/source', '--import', 'tsx', entry]] : ['npm', ['start']];
  const npm = spawn(command, args, {
    cwd: ROOT,
    env: { ...env, PORT: String(port), DATA_DIR: dataDir, METRICS_PORT: String(metricsPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: stopped as Ctrl-C in a terminal stops it
  });
  let output = '';
  npm.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr!.on('data', (chunk: Buffer) => process.stderr.write(`[embedded] ${chunk.toString()}`));
  const exited = new Promise((resolve) => npm.once('exit', resolve));
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-npm.pid!, signal);
    } catch {
      // already gone
    }
  };
  process.once('exit', () => kill('SIGKILL'));
  const stop = async () => {
    kill('SIGINT');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  };
  for (const deadline = Date.now() + 180_000; !/running at (http:\/\/\S+)/.test(output); await new Promise((r) => setTimeout(r, 100))) {
    if (npm.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`npm start did not come up:\n${output}`);
    }
  }
  const url = /running at (http:\/\/\S+)/.exec(output)![1]!;
  const pid = findDescendant(npm.pid!, entry ?? 'apps/embedded/src/main.ts');
  if (pid === undefined) {
    await stop();
    throw new Error('npm start is up but its Node process was not found');
  }
  const given = Object.entries({ ...pick(env, ['LD_PRELOAD', 'MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_']), ...chosen });
  const described = given.length > 0 ? given.map(([name, value]) => `${name}=${value}`).join(' ') : 'glibc defaults';
  return { url, dataDir, allocator: described, processes: [{ name: 'embedded', pid, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics/bff` }], stop };
}
