import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { photoCatalogue, type PhotoDeleted } from '@photos/contracts';
import { createMemoryBus, eventBusConfigSchema, MemoryBroker, type EventBus, type SubscribeOptions } from '@photos/event-bus';
import Type from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { baseConfigSchema, loadConfig } from './config.js';
import { createServiceApp } from './service-app.js';
import { defineService, handleEvents, type ServiceChecks } from './service-definition.js';
import { buildService, openService, startServices } from './service-runner.js';

const schema = Type.Object({ ...baseConfigSchema.properties, ...eventBusConfigSchema.properties, DELETE_CONCURRENCY: Type.Integer({ default: 3 }) });
const deleted = (photoId = randomUUID()): PhotoDeleted =>
  photoCatalogue.create('photo.deleted', photoId, { photoId, ownerId: 'alice', deletedAt: new Date().toISOString() }, { source: '/test' });

/** A service that records what it handles and when its parts close; `handles` are the event families its app gives handlers for. */
function recordingService(
  name: string,
  log: string[],
  options: { handles?: ('photo.deleted' | 'photo.uploaded')[]; live?: boolean; checks?: ServiceChecks } = {},
) {
  const seen: string[] = [];
  const definition = defineService({
    name,
    configSchema: schema,
    open: async () => ({ adapters: { seen }, close: async () => void log.push(`${name}: adapters closed`) }),
    build: async ({ adapters, bus }) => {
      const app = await createServiceApp({ name, logLevel: 'silent' });
      const handlers = Object.fromEntries(
        (options.handles ?? ['photo.deleted']).map((family) => [family, async (event: { subject?: string }) => void adapters.seen.push(event.subject!)]),
      );
      handleEvents(app, name, handlers);
      app.addHook('onClose', async () => void log.push(`${name}: app's own onClose`));
      app.post('/delete', async () => {
        await bus.publish(deleted());
        return {};
      });
      return app;
    },
    checks: () => options.checks ?? { ready: {} },
    consumes: [{ group: name, events: ['photo.deleted'], concurrency: (config) => config.DELETE_CONCURRENCY, ...(options.live ? { live: true } : {}) }],
    produces: ['photo.deleted'],
  });
  return { definition, seen };
}

/** A memory bus that notes every subscription's options and when it stops. */
function spyingBus(log: string[]): { bus: EventBus; subscribed: SubscribeOptions[] } {
  const bus = createMemoryBus({ broker: new MemoryBroker(), catalogue: photoCatalogue });
  const subscribed: SubscribeOptions[] = [];
  return {
    subscribed,
    bus: {
      ...bus,
      subscribe: async (options) => {
        subscribed.push(options);
        const subscription = await bus.subscribe(options);
        return { stop: async () => (await subscription.stop(), void log.push(`${options.group}: subscription stopped`)) };
      },
    },
  };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('buildService', () => {
  it('subscribes the declared group once the app is ready, and stops it before the app closes its own parts', async () => {
    const log: string[] = [];
    const { definition, seen } = recordingService('alpha', log);
    const { bus, subscribed } = spyingBus(log);
    cleanups.push(() => bus.close());
    const config = loadConfig(schema, { DELETE_CONCURRENCY: '5' });
    const app = await buildService(definition, { config, adapters: { seen }, bus });
    expect(subscribed).toMatchObject([{ group: 'alpha', concurrency: 5 }]);
    expect(subscribed[0]!.live).toBeUndefined();

    const event = deleted();
    await bus.publish(event);
    await expect.poll(() => seen).toEqual([event.subject]);
    await app.close();
    expect(log).toEqual(['alpha: subscription stopped', "alpha: app's own onClose"]);
  });

  it("adds its definition's readiness checks and the bus's to /health/ready, the degrading ones as such", async () => {
    let cache = true;
    const { definition, seen } = recordingService('alpha', [], {
      checks: { ready: { database: async () => true }, degradedBy: { cache: async () => cache } },
    });
    let busUp = true;
    const { bus } = spyingBus([]);
    const app = await buildService(definition, { config: loadConfig(schema, {}), adapters: { seen }, bus: { ...bus, isHealthy: async () => busUp } });
    cleanups.push(
      () => bus.close(),
      () => app.close(),
    );
    const ready = async () => {
      const response = await app.inject({ method: 'GET', url: '/health/ready' });
      return { status: response.statusCode, body: response.json() as unknown };
    };
    expect(await ready()).toEqual({ status: 200, body: { status: 'ok', checks: { database: 'ok', bus: 'ok', cache: 'ok' } } });
    cache = false;
    expect(await ready()).toEqual({ status: 200, body: { status: 'degraded', checks: { database: 'ok', bus: 'ok', cache: 'failing' } } });
    busUp = false;
    expect(await ready()).toMatchObject({ status: 503, body: { status: 'unavailable', checks: { bus: 'failing' } } });
  });

  it('gives a live group a name of the replica', async () => {
    const { definition, seen } = recordingService('alpha', [], { live: true });
    const { bus, subscribed } = spyingBus([]);
    cleanups.push(() => bus.close());
    const app = await buildService(definition, { config: loadConfig(schema, {}), adapters: { seen }, bus });
    cleanups.push(() => app.close());
    expect(subscribed).toMatchObject([{ live: true, group: expect.stringMatching(/^alpha-[0-9a-f]{8}$/) }]);
  });

  it('refuses an app whose handlers are not the events its definition declares, and closes it', async () => {
    const log: string[] = [];
    const { definition, seen } = recordingService('alpha', log, { handles: ['photo.deleted', 'photo.uploaded'] });
    const { bus, subscribed } = spyingBus(log);
    cleanups.push(() => bus.close());
    await expect(buildService(definition, { config: loadConfig(schema, {}), adapters: { seen }, bus })).rejects.toThrow(
      /alpha, group alpha: declares photo\.deleted but handles photo\.deleted, photo\.uploaded/,
    );
    expect(subscribed).toEqual([]);
    expect(log).toEqual(["alpha: app's own onClose"]);
  });
});

describe('openService', () => {
  it("logs what its adapters log into its app's log, the lines written before the app was built too", async () => {
    const lines: { level: string; msg: string; service: string }[] = [];
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    let adapterLog: { warn(message: string): void } | undefined;
    const definition = defineService({
      name: 'gamma',
      configSchema: schema,
      open: async (_config, { logger }) => {
        logger.info({ step: 'open' }, 'opening');
        adapterLog = logger;
        return { adapters: {} };
      },
      build: async () => createServiceApp({ name: 'gamma', logLevel: 'info', logStream }),
      checks: () => ({ ready: {} }),
      consumes: [],
      produces: [],
    });
    const service = await openService(definition, { env: {}, memoryBroker: new MemoryBroker() });
    cleanups.push(async () => (await service.app.close(), await service.closeResources()));
    adapterLog!.warn('later');
    await expect
      .poll(() => lines.map((l) => [l.level, l.msg, l.service]))
      .toEqual(
        expect.arrayContaining([
          ['info', 'opening', 'gamma'],
          ['warn', 'later', 'gamma'],
        ]),
      );
  });
});

describe('startServices', () => {
  it('runs services on one memory broker and one metrics listener, and stops them from the last started', async () => {
    const log: string[] = [];
    const alpha = recordingService('alpha', log);
    const beta = recordingService('beta', log);
    const started = await startServices(
      [
        { definition: alpha.definition, listen: { port: 0, host: '127.0.0.1' } },
        { definition: beta.definition, env: (urls) => ({ LOG_LEVEL: urls['alpha'] ? 'silent' : 'nonsense' }) },
      ],
      { env: { LOG_LEVEL: 'silent' }, memoryBroker: new MemoryBroker(), metrics: { port: 0, host: '127.0.0.1' } },
    );
    let stopped = false;
    cleanups.push(() => (stopped ? Promise.resolve() : started.stop()));
    // alpha publishes over HTTP; both groups get the event through the shared broker.
    expect((await fetch(`${started.services['alpha']!.url}/delete`, { method: 'POST' })).status).toBe(200);
    await expect.poll(() => [alpha.seen.length, beta.seen.length]).toEqual([1, 1]);
    for (const name of ['alpha', 'beta']) expect((await fetch(`${started.metricsUrl}/metrics/${name}`)).status).toBe(200);

    await started.stop(() => void log.push('between'));
    stopped = true;
    expect(log).toEqual(["beta: app's own onClose", "alpha: app's own onClose", 'between', 'beta: adapters closed', 'alpha: adapters closed']);
    await expect(fetch(`${started.metricsUrl}/metrics/alpha`)).rejects.toThrow();
  });

  it('stops what did start when a later service fails to start', async () => {
    const log: string[] = [];
    const alpha = recordingService('alpha', log);
    const broken = recordingService('broken', log, { handles: ['photo.uploaded'] });
    await expect(startServices([{ definition: alpha.definition }, { definition: broken.definition }], { env: { LOG_LEVEL: 'silent' } })).rejects.toThrow(
      /broken, group broken/,
    );
    expect(log).toEqual(["broken: app's own onClose", 'broken: adapters closed', "alpha: app's own onClose", 'alpha: adapters closed']);
  });
});
