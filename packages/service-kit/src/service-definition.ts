import type { PhotoEventName } from '@photos/contracts';
import type { EventBus, EventBusConfig, EventHandlers } from '@photos/event-bus';
import type { Static, TObject } from 'typebox';
import type { BaseConfig } from './config.js';
import type { ReadinessCheck } from './health.js';
import type { ServiceApp } from './service-app.js';

/** What the runner reads from every service's config: where to listen, the shutdown budget, the bus. */
export type RunnableConfig = BaseConfig & EventBusConfig;

/** A value of the definition, or one read from the service's config. */
export type FromConfig<C, T> = T | ((config: C) => T);

/**
 * One consumer group of a service: which event types it takes and how. The handlers come from the app
 * (`handleEvents` in app.ts, where what they need is built); the runner checks they match `events`.
 */
export interface ConsumerDefinition<C> {
  /** Replicas of the service share the group's work; different groups each get every event. */
  group: string;
  /** The event families (`photo.uploaded`) the group handles, exactly the keys of its handlers. */
  events: readonly PhotoEventName[];
  /** Only events published while the replica runs, nothing kept when it stops; the group gets a per-replica suffix. */
  live?: boolean;
  /** Events handled at once per replica. Default 1. */
  concurrency?: FromConfig<C, number>;
  /** Tries of a failing event before dead-letter. Default the bus's (5). */
  maxAttempts?: FromConfig<C, number>;
}

/** A service's adapters, opened from its config, and how to close them once its app has closed. */
export interface OpenedAdapters<A> {
  adapters: A;
  close?: () => Promise<void>;
}

/** What adapters opened before their app log through: the app's logger once it is built (kept until then). */
export interface ServiceLogger {
  debug(objectOrMessage: object | string, message?: string): void;
  info(objectOrMessage: object | string, message?: string): void;
  warn(objectOrMessage: object | string, message?: string): void;
  error(objectOrMessage: object | string, message?: string): void;
}

/** What a definition's `build` and `checks` are given: its config, its opened adapters and the bus. */
export interface ServiceDeps<C, A> {
  config: C;
  adapters: A;
  bus: EventBus;
}

/** The checks of GET /health/ready, besides the bus's (which the runner opens, and checks). */
export interface ServiceChecks {
  /** Any failing one makes the service unavailable (503): load balancers take the replica out of rotation. */
  ready: Readonly<Record<string, ReadinessCheck>>;
  /** Dependencies it partly works without: a failing one only makes it `degraded` (still 200). */
  degradedBy?: Readonly<Record<string, ReadinessCheck>>;
}

/** Every deployable service as data: `runService` runs one as a process, `startServices` several in one. */
export interface ServiceDefinition<C extends RunnableConfig = RunnableConfig, A = unknown> {
  /** Also the path of its metrics on a shared listener (`/metrics/<name>`). */
  name: string;
  /** Its variables (TypeBox), read from the environment. */
  configSchema: TObject;
  /**
   * Opens what the app is built from (stores, databases, caches): which adapter, as the config selects,
   * is decided here. Their log lines go to the app's log once it is built.
   */
  open(config: C, context: { logger: ServiceLogger }): Promise<OpenedAdapters<A>>;
  /** Builds the app (routes, the handlers of `consumes`); the bus is opened by the runner. */
  build(deps: ServiceDeps<C, A>): Promise<ServiceApp>;
  /** What its readiness depends on; the runner adds these to /health/ready, and `bus` itself. */
  checks(deps: ServiceDeps<C, A>): ServiceChecks;
  consumes: readonly ConsumerDefinition<C>[];
  /** The event families it publishes. */
  produces: readonly PhotoEventName[];
}

/** Keeps a definition's config type tied to its schema. */
export function defineService<S extends TObject, A>(
  definition: Omit<ServiceDefinition<Static<S> & RunnableConfig, A>, 'configSchema'> & { configSchema: S },
): ServiceDefinition<Static<S> & RunnableConfig, A> {
  return definition;
}

const provided = new WeakMap<ServiceApp, Map<string, EventHandlers>>();

/**
 * Hands the runner the handlers of one consumer group of `app` (named as in the service's definition).
 * The runner subscribes them once the app is ready and stops them when it closes, before its own onClose hooks.
 */
export function handleEvents(app: ServiceApp, group: string, handlers: EventHandlers): void {
  const groups = provided.get(app) ?? new Map<string, EventHandlers>();
  if (groups.has(group)) throw new Error(`handlers of group ${group} are already given`);
  provided.set(app, groups.set(group, handlers));
}

/** The handlers `app` gave for `group`, checked against what the definition declares. */
export function handlersOf(app: ServiceApp, service: string, consumer: ConsumerDefinition<never>): EventHandlers {
  const handlers = provided.get(app)?.get(consumer.group);
  if (!handlers) throw new Error(`${service} declares the consumer group ${consumer.group} but its app gives no handlers for it`);
  const given = Object.keys(handlers).sort();
  const declared = [...consumer.events].sort();
  if (given.join() !== declared.join()) {
    throw new Error(`${service}, group ${consumer.group}: declares ${declared.join(', ')} but handles ${given.join(', ')}`);
  }
  return handlers;
}

/** Groups of `app` that no consumer of its definition declares: handlers nobody would subscribe. */
export function undeclaredGroups(app: ServiceApp, consumers: readonly ConsumerDefinition<never>[]): string[] {
  const declared = new Set(consumers.map((c) => c.group));
  return [...(provided.get(app)?.keys() ?? [])].filter((group) => !declared.has(group));
}
