import { afterEach, describe, expect, it } from 'vitest';
import type { ReadinessCheck } from './health.js';
import { createServiceApp, type ServiceApp } from './service-app.js';

let app: ServiceApp;

async function buildApp(readiness: Record<string, ReadinessCheck>, checkTimeoutMs = 2_000): Promise<ServiceApp> {
  app = await createServiceApp({ name: 'test', logLevel: 'silent', readiness, checkTimeoutMs });
  return app;
}

afterEach(async () => app.close());

describe('health', () => {
  it('is live while the process runs, even when shutting down', async () => {
    await buildApp({});
    expect((await app.inject('/health/live')).json()).toEqual({ status: 'ok' });
    app.health.beginShutdown();
    const live = await app.inject('/health/live');
    expect(live.statusCode).toBe(200);
  });

  it('is ready while every check passes, and 503 naming the check that fails', async () => {
    let busUp = true;
    await buildApp({ bus: async () => busUp, database: async () => true });

    const ready = await app.inject('/health/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok', checks: { bus: 'ok', database: 'ok' } });

    busUp = false;
    const notReady = await app.inject('/health/ready');
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toEqual({ status: 'unavailable', checks: { bus: 'failing', database: 'ok' } });
  });

  it('stays ready but says degraded when only a dependency it can partly work without fails', async () => {
    let metadataUp = true;
    app = await createServiceApp({ name: 'test', logLevel: 'silent', readiness: { bus: async () => true }, degradedBy: { metadata: async () => metadataUp } });

    expect((await app.inject('/health/ready')).json()).toEqual({ status: 'ok', checks: { bus: 'ok', metadata: 'ok' } });
    metadataUp = false;
    const degraded = await app.inject('/health/ready');
    expect(degraded.statusCode).toBe(200);
    expect(degraded.json()).toEqual({ status: 'degraded', checks: { bus: 'ok', metadata: 'failing' } });
  });

  it('counts a check that times out or throws as failing', async () => {
    await buildApp(
      {
        slow: () => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 1_000)),
        broken: async () => {
          throw new Error('connection refused');
        },
      },
      50,
    );
    const started = Date.now();
    const response = await app.inject('/health/ready');
    expect(Date.now() - started).toBeLessThan(900);
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'unavailable', checks: { slow: 'timed out', broken: 'error' } });
  });

  it('runs checks added after registration', async () => {
    await buildApp({});
    app.health.addCheck('cache', async () => false);
    expect(() => app.health.addCheck('cache', async () => true)).toThrow(/already registered/);
    expect((await app.inject('/health/ready')).json()).toEqual({ status: 'unavailable', checks: { cache: 'failing' } });
  });

  it('is not ready once shutdown has begun', async () => {
    await buildApp({ bus: async () => true });
    expect(app.health.shuttingDown).toBe(false);
    app.health.beginShutdown();
    const response = await app.inject('/health/ready');
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'shutting down' });
  });

  it('marks itself not ready when the app closes', async () => {
    await buildApp({});
    await app.close();
    expect(app.health.shuttingDown).toBe(true);
  });
});
