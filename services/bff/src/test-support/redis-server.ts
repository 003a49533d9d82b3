import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** A redis-server of the test's own, which it may stop, restart and freeze without touching the shared one. */
export interface OwnRedis {
  readonly url: string;
  /** Stops the server (SIGTERM, nothing saved): clients see their connection close, then refusals. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /** SIGSTOP: connections stay open but nothing answers, as with a hung server. */
  freeze(): void;
  thaw(): void;
  /** A plain client of this server, for assertions; disconnected by `close()`. */
  admin(): Redis;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Starts `redis-server` (on PATH) on a free port, in memory only. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const admins: Redis[] = [];
  let child: ChildProcess | undefined;

  const start = async () => {
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    child = server;
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      for (let attempt = 0; ; attempt++) {
        if (server.exitCode !== null) throw new Error(`redis-server exited with ${server.exitCode}`);
        const pong = await probe.connect().then(
          () => probe.ping(),
          () => undefined,
        );
        if (pong === 'PONG') return;
        if (attempt > 100) throw new Error('redis-server did not start');
        probe.disconnect();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      probe.disconnect();
    }
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    running.kill('SIGCONT');
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };

  await start();
  return {
    url,
    stop,
    start,
    freeze: () => void child?.kill('SIGSTOP'),
    thaw: () => void child?.kill('SIGCONT'),
    admin() {
      const client = new Redis(url, { maxRetriesPerRequest: 0 });
      client.on('error', () => undefined);
      admins.push(client);
      return client;
    },
    async close() {
      for (const client of admins) client.disconnect();
      await stop();
    },
  };
}
