import { randomUUID } from 'node:crypto';
import type { PhotoCatalogue } from '@photos/contracts';
import { createBusTelemetry, createEventBus, type BusTelemetry, type EventBus, type MemoryBroker, type Subscription } from '@photos/event-bus';
import { exitOnConfigError, loadConfig } from './config.js';
import { listenMetrics, type MetricsListener, type MetricsListenerOptions } from './metrics.js';
import type { ServiceApp } from './service-app.js';
import { handlersOf, undeclaredGroups, type FromConfig, type RunnableConfig, type ServiceDefinition, type ServiceLogger } from './service-definition.js';
import { startServer, type StartedServer } from './start-server.js';
import { startTracing } from './tracing.js';

/** Any service's definition (their config and adapter types differ). */
export type AnyServiceDefinition = ServiceDefinition<any, any>;

const valueOf = <C, T>(value: FromConfig<C, T> | undefined, config: C): T | undefined =>
  typeof value === 'function' ? (value as (config: C) => T)(config) : value;

/** The logger a definition's `open` gets: its lines are kept (the first 200) until the app's logger is attached. */
export interface EarlyLogger {
  readonly logger: ServiceLogger;
  attach(target: ServiceLogger): void;
}

function earlyLogger(): EarlyLogger {
  let target: ServiceLogger | undefined;
  let early: [keyof ServiceLogger, object | string, string | undefined][] = [];
  const write = (to: ServiceLogger, level: keyof ServiceLogger, objectOrMessage: object | string, message: string | undefined) =>
    message === undefined ? to[level](objectOrMessage) : to[level](objectOrMessage, message);
  const line = (level: keyof ServiceLogger) => (objectOrMessage: object | string, message?: string) => {
    if (target) write(target, level, objectOrMessage, message);
    else if (early.length < 200) early.push([level, objectOrMessage, message]);
  };
  return {
    logger: { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') },
    attach(real) {
      target = real;
      for (const [level, objectOrMessage, message] of early) write(real, level, objectOrMessage, message);
      early = [];
    },
  };
}

/**
 * Builds a service's app from adapters and a bus the caller gives (and closes): ready, with the readiness
 * checks of its definition (and the bus's) and the consumer groups of its definition subscribed. Closing the app stops them first (graceful: no new events, the
 * in-flight ones finish and are committed), then runs the app's own onClose hooks. Tests build services
 * this way; the runners below open the adapters and the bus first.
 */
export async function buildService<C extends RunnableConfig, A>(
  definition: ServiceDefinition<C, A>,
  deps: { config: C; adapters: A; bus: EventBus; telemetry?: BusTelemetry; adapterLogger?: EarlyLogger },
): Promise<ServiceApp> {
  const { config, adapters, bus } = deps;
  const app = await definition.build({ config, adapters, bus });
  const subscriptions: Subscription[] = [];
  try {
    deps.telemetry?.attach(app.log.child({ component: 'bus' }), app.metrics);
    deps.adapterLogger?.attach(app.log);
    const { ready, degradedBy = {} } = definition.checks({ config, adapters, bus });
    for (const [name, check] of Object.entries({ ...ready, bus: () => bus.isHealthy() })) app.health.addCheck(name, check);
    for (const [name, check] of Object.entries(degradedBy)) app.health.addCheck(name, check, { degrades: true });
    const undeclared = undeclaredGroups(app, definition.consumes);
    if (undeclared.length > 0) throw new Error(`${definition.name} handles events of groups its definition does not declare: ${undeclared.join(', ')}`);
    const consumers = definition.consumes.map((consumer) => ({ consumer, handlers: handlersOf(app, definition.name, consumer) }));
    // onClose hooks run last-registered first: this one runs before the app's own (relay, decoders, caches).
    app.addHook('onClose', async () => {
      await Promise.all(subscriptions.splice(0).map((subscription) => subscription.stop()));
    });
    await app.ready();
    for (const { consumer, handlers } of consumers) {
      const concurrency = valueOf(consumer.concurrency, config);
      const maxAttempts = valueOf(consumer.maxAttempts, config);
      subscriptions.push(
        await bus.subscribe({
          // A live group must be the replica's own: every replica pushes every event to its own clients.
          group: consumer.live ? `${consumer.group}-${randomUUID().slice(0, 8)}` : consumer.group,
          handlers,
          ...(consumer.live ? { live: true } : {}),
          ...(concurrency === undefined ? {} : { concurrency }),
          ...(maxAttempts === undefined ? {} : { maxAttempts }),
        }),
      );
    }
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}

/** Where and how {@link openService} finds what a service shares with the others of its process. */
export interface OpenServiceOptions {
  /** The variables to read the config from; default the process's. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The broker of the in-memory bus, shared by the services of one process. */
  memoryBroker?: MemoryBroker;
  /** The event catalogue (its channel name); tests give each run its own. */
  catalogue?: PhotoCatalogue;
  /** Wraps the service's bus, e.g. to note which groups subscribe. */
  wrapBus?: (bus: EventBus) => EventBus;
}

/** A service built in this process, with what it opened. */
export interface OpenedService {
  name: string;
  app: ServiceApp;
  bus: EventBus;
  /** After the app has closed: the bus, then the adapters. */
  closeResources(): Promise<void>;
}

/** Runs each step whatever the earlier ones did; rejects with every failure at the end. */
async function runAll(steps: readonly (readonly [string, () => Promise<unknown> | unknown])[]): Promise<void> {
  const failures: Error[] = [];
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(new Error(`${name} failed`, { cause: error }));
    }
  }
  if (failures.length > 1) throw new AggregateError(failures, failures.map((f) => f.message).join('; '));
  if (failures.length === 1) throw failures[0];
}

/**
 * Reads a service's config, opens its adapters (its definition's `open`, logging into the app once built) and its bus (`createEventBus`:
 * the transport the config selects, logging and counting into the app), then builds it with
 * {@link buildService}. What was opened is closed again when a later step fails.
 */
export async function openService<C extends RunnableConfig, A>(definition: ServiceDefinition<C, A>, options: OpenServiceOptions = {}): Promise<OpenedService> {
  const config = loadConfig(definition.configSchema, options.env ?? process.env) as C;
  const adapterLogger = earlyLogger();
  const opened = await definition.open(config, { logger: adapterLogger.logger });
  const closeAdapters = async () => void (await opened.close?.());
  const telemetry = createBusTelemetry();
  let bus: EventBus;
  try {
    const created = await createEventBus(config, {
      logger: telemetry.logger,
      metrics: telemetry.metrics,
      ...(options.catalogue ? { catalogue: options.catalogue } : {}),
      ...(options.memoryBroker ? { memoryBroker: options.memoryBroker } : {}),
    });
    bus = options.wrapBus ? options.wrapBus(created) : created;
  } catch (error) {
    await closeAdapters().catch(() => undefined);
    throw error;
  }
  const closeResources = () =>
    runAll([
      [`closing the bus of ${definition.name}`, () => bus.close()],
      [`closing the adapters of ${definition.name}`, closeAdapters],
    ]);
  try {
    const app = await buildService(definition, { config, adapters: opened.adapters, bus, telemetry, adapterLogger });
    return { name: definition.name, app, bus, closeResources };
  } catch (error) {
    await closeResources().catch(() => undefined);
    throw error;
  }
}

/**
 * A service as its own process (its `server.ts`): config from the environment (exits with a clear line
 * when it is invalid), adapters, bus, app, then {@link startServer}: listen, the metrics listener, and on
 * a signal the graceful shutdown (not ready, HTTP drained, consumers stopped, app hooks, bus, adapters).
 */
export async function runService<C extends RunnableConfig, A>(definition: ServiceDefinition<C, A>): Promise<StartedServer> {
  const config = exitOnConfigError(() => loadConfig(definition.configSchema)) as C;
  // Before the app is built: its logger and its request hooks look whether tracing is on.
  const tracing = await startTracing(process.env, definition.name);
  const service = await openService(definition, { env: process.env }).catch(async (error: unknown) => {
    await tracing?.shutdown().catch(() => undefined);
    throw error;
  });
  return startServer(service.app, {
    port: config.PORT,
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    metrics: { port: config.METRICS_PORT, host: config.METRICS_HOST },
    // Last: the spans of the shutdown itself are flushed too.
    onShutdown: () =>
      runAll([
        ['closing what the service opened', () => service.closeResources()],
        ['flushing traces', () => tracing?.shutdown()],
      ]),
  });
}

/** One service of {@link startServices}. */
export interface ServiceEntry {
  definition: AnyServiceDefinition;
  /** Its own variables over the shared ones; a function gets the URLs of the services started before it. */
  env?: Readonly<Record<string, string | undefined>> | ((urls: Readonly<Record<string, string>>) => Readonly<Record<string, string | undefined>>);
  /** Where its app listens; absent: it does not (a consumer only, or `app.inject`). */
  listen?: { port: number; host: string };
}

export interface StartServicesOptions extends Omit<OpenServiceOptions, 'env'> {
  /** Variables every service reads. */
  env: Readonly<Record<string, string | undefined>>;
  /** One internal listener for every app, at `/metrics/<name>`; absent: none. */
  metrics?: MetricsListenerOptions;
}

/** Services running in this process. */
export interface StartedServices {
  /** By name: the app and, when it listens, its URL. */
  services: Record<string, { app: ServiceApp; url?: string }>;
  metricsUrl?: string;
  /**
   * Closes the apps in the reverse order of their start (each: no new requests nor events, the work under
   * way finished), runs `afterApps`, then closes their buses and adapters and the metrics listener.
   * Every step runs whatever the earlier ones did; rejects with every failure at the end.
   */
  stop(afterApps?: () => unknown): Promise<void>;
}

/**
 * Several services in one process, in the order given (a later one may call an earlier one over HTTP:
 * its `env` function gets their URLs): the embedded platform and the tests. They share what one process
 * may share: the in-memory broker (`memoryBroker`), one metrics listener.
 */
export async function startServices(entries: readonly ServiceEntry[], options: StartServicesOptions): Promise<StartedServices> {
  const started: (OpenedService & { url?: string })[] = [];
  let metrics: MetricsListener | undefined;
  // One provider for the process: its spans tell the services apart by their tracer (instrumentation scope).
  let tracing = await startTracing(options.env, 'photos');
  const stop = async (afterApps?: () => unknown) => {
    const running = started.splice(0).reverse();
    const listener = metrics;
    const traces = tracing;
    metrics = tracing = undefined;
    await runAll([
      ...running.map((s) => [`stopping ${s.name}`, () => s.app.close()] as const),
      ...(afterApps ? [['after the apps stopped', afterApps] as const] : []),
      ...running.map((s) => [`closing what ${s.name} opened`, () => s.closeResources()] as const),
      ...(listener ? [['closing the metrics listener', () => listener.close()] as const] : []),
      ...(traces ? [['flushing traces', () => traces.shutdown()] as const] : []),
    ]);
  };
  try {
    const urls: Record<string, string> = {};
    for (const entry of entries) {
      const own = typeof entry.env === 'function' ? entry.env(urls) : (entry.env ?? {});
      const service = await openService(entry.definition, { ...options, env: { ...options.env, ...own } });
      const running: OpenedService & { url?: string } = service;
      started.push(running);
      if (entry.listen) running.url = urls[service.name] = await service.app.listen(entry.listen);
    }
    if (options.metrics) metrics = await listenMetrics(Object.fromEntries(started.map((s) => [`/metrics/${s.name}`, s.app.metrics])), options.metrics);
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return {
    services: Object.fromEntries(started.map((s) => [s.name, { app: s.app, ...(s.url === undefined ? {} : { url: s.url }) }])),
    ...(metrics ? { metricsUrl: metrics.url } : {}),
    stop,
  };
}
