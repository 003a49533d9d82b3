/**
 * Services as separate Node processes, exactly as `npm start -w <service>` runs them (their `server.ts`:
 * `runService` of the service's definition), ready once /health/ready answers 200. The one place where a
 * process gets its listeners' variables and where the services are wired to each other (tests, benchmarks).
 * Their output is kept and printed when a test fails, so a crash is never silent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A service of `services/`. */
export type ServiceName = 'upload' | 'processor' | 'metadata' | 'bff';

export interface ServiceProcess {
  name: string;
  url: string;
  /** Its internal metrics listener (METRICS_PORT): Prometheus' text at `${metricsUrl}/metrics`. */
  metricsUrl: string;
  child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartServiceOptions {
  /** Reuses a port: a restarted service keeps its URL. */
  port?: number;
  /** Also gets the output as it comes (a benchmark relays it), besides `output()`. */
  onOutput?: (text: string) => void;
}

/** Starts `services/<service>` as a process named `name`, listening on loopback, with `env` over the caller's. */
export async function startService(
  name: string,
  service: ServiceName,
  env: Record<string, string>,
  options: StartServiceOptions = {},
): Promise<ServiceProcess> {
  const port = options.port ?? (await freePort());
  const metricsPort = await freePort();
  const child = spawn(process.execPath, ['--conditions=@photos/source', '--import', 'tsx', join(root, 'services', service, 'src', 'server.ts')], {
    cwd: root,
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      METRICS_PORT: String(metricsPort),
      METRICS_HOST: '127.0.0.1',
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      output += text;
      options.onOutput?.(text);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output.slice(-4000)}`);
    const ready = await fetch(`${url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL'); // never left running behind a failed start
      throw new Error(`${name} not ready after 90 s:\n${output.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    name,
    url,
    metricsUrl: `http://127.0.0.1:${metricsPort}`,
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

/** What {@link startServiceProcesses} wires the services with. */
export interface ServiceProcessesOptions {
  /** Variables of every service: broker, S3 and buckets, log level, secrets. */
  env: Record<string, string>;
  /** PostgreSQL URLs of metadata's database (migrated at start) and of the BFF's accounts. */
  databases: { metadata: string; accounts: string };
  /** Each service's own variables, over `env`. */
  own?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Default 1. Named `processor-1`, `processor-2`... */
  processors?: number;
  /** Starts one process; default {@link startService}. A caller that lists its processes passes its own. */
  start?: (name: string, service: ServiceName, env: Record<string, string>) => Promise<ServiceProcess>;
}

/**
 * The four services as processes, wired as compose wires them: metadata on its database (migrated at
 * start) and upload first, then the processors and the BFF (calling upload and metadata) together, so
 * Kafka processors join their group in one rebalance. Waits for every start to settle before throwing:
 * a process still starting when another failed is then known to `start`'s caller, who stops it.
 */
export async function startServiceProcesses({ env, databases, own = {}, processors = 1, start = startService }: ServiceProcessesOptions) {
  const envOf = (service: ServiceName, extra: Record<string, string> = {}) => ({ ...env, ...own[service], ...extra });
  const [metadata, upload] = await settleAll([
    start('metadata', 'metadata', envOf('metadata', { DATABASE_URL: databases.metadata, MIGRATE_ON_START: 'true' })),
    start('upload', 'upload', envOf('upload')),
  ]);
  const started = await settleAll([
    start('bff', 'bff', envOf('bff', { UPLOAD_URL: upload!.url, METADATA_URL: metadata!.url, ACCOUNTS_DATABASE_URL: databases.accounts })),
    ...Array.from({ length: processors }, (_, n) => start(`processor-${n + 1}`, 'processor', envOf('processor'))),
  ]);
  return { metadata: metadata!, upload: upload!, bff: started[0]!, processors: started.slice(1) };
}

/** Like Promise.all, but waits for every promise to settle before throwing the first failure. */
async function settleAll<T>(starts: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(starts);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
