import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServiceApp, type ServiceApp } from './service-app.js';
import { shutDown } from './shutdown.js';
import { startServer } from './start-server.js';

let app: ServiceApp;

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** An app with a slow route whose requests finish when the test releases them. */
async function buildApp() {
  app = await createServiceApp({ name: 'test', logLevel: 'silent' });
  const released = deferred();
  const arrived = deferred();
  app.get('/slow', async () => {
    arrived.resolve();
    await released.promise;
    return { done: true };
  });
  return { release: released.resolve, arrival: arrived.promise };
}

afterEach(async () => {
  vi.restoreAllMocks();
  await app.close();
});

describe('shutDown', () => {
  it('marks not ready, lets in-flight requests finish, then runs the hooks in order', async () => {
    const { release, arrival } = await buildApp();
    const order: string[] = [];
    app.addHook('onClose', async () => void order.push('app closed'));
    const address = await app.listen({ port: 0, host: '127.0.0.1' });

    const inFlight = fetch(`${address}/slow`);
    await arrival;
    const shutdown = shutDown(app, {
      drainDelayMs: 200,
      onShutdown: [async () => void order.push('consumers stopped'), () => void order.push('bus closed')],
    });

    // During the drain delay the server still answers, but no longer as ready.
    const ready = await fetch(`${address}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'shutting down' });

    release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    await shutdown;
    expect(order).toEqual(['app closed', 'consumers stopped', 'bus closed']);
    await expect(fetch(`${address}/health/live`)).rejects.toThrow();
  });

  it('runs every hook even when one fails, then reports the failure', async () => {
    await buildApp();
    const ran: string[] = [];
    await expect(
      shutDown(app, {
        onShutdown: [
          () => {
            throw new Error('consumer stuck');
          },
          () => void ran.push('bus closed'),
        ],
      }),
    ).rejects.toThrow(AggregateError);
    expect(ran).toEqual(['bus closed']);
  });
});

describe('startServer', () => {
  const events = ['SIGTERM', 'SIGINT', 'uncaughtException', 'unhandledRejection', 'beforeExit'];
  const emitter: NodeJS.EventEmitter = process;

  it('serves metrics on their own port, shuts down gracefully on SIGTERM, closes both listeners and exits 0', async () => {
    await buildApp();
    // Keep the runner's own listeners out of the way, and remove what close-with-grace installs.
    const before = Object.fromEntries(events.map((event) => [event, emitter.listeners(event)]));
    const exited = new Promise<number | undefined>((resolve) => {
      vi.spyOn(process, 'exit').mockImplementation(((code?: number) => resolve(code)) as typeof process.exit);
    });
    const onShutdown = vi.fn();
    try {
      const metrics = { port: 0, host: '127.0.0.1' };
      const { url, metricsUrl } = await startServer(app, { port: 0, host: '127.0.0.1', shutdownTimeoutMs: 5_000, onShutdown, metrics });
      expect((await fetch(`${url}/health/ready`)).status).toBe(200);
      expect(metricsUrl).not.toBe(url);
      expect(await (await fetch(`${metricsUrl}/metrics`)).text()).toContain('process_cpu_user_seconds_total');
      expect((await fetch(`${url}/metrics`)).status).toBe(404);

      const runnerListeners = process.listeners('SIGTERM').filter((l) => before.SIGTERM?.includes(l));
      for (const listener of runnerListeners) process.removeListener('SIGTERM', listener);
      process.emit('SIGTERM');
      for (const listener of runnerListeners) process.on('SIGTERM', listener);

      expect(await exited).toBe(0);
      expect(onShutdown).toHaveBeenCalledOnce();
      await expect(fetch(`${metricsUrl}/metrics`)).rejects.toThrow();
      expect(app.health.shuttingDown).toBe(true);
    } finally {
      for (const event of events) {
        for (const listener of emitter.listeners(event)) {
          if (!before[event]?.includes(listener)) emitter.removeListener(event, listener as () => void);
        }
      }
    }
  });
});
