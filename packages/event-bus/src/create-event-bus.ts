import { photoCatalogue, type PhotoCatalogue } from '@photos/contracts';
import type { Registry } from 'prom-client';
import Type, { type Static } from 'typebox';
import { createKafkaBus } from './adapters/kafka-bus.js';
import { createMemoryBus, MemoryBroker } from './adapters/memory-bus.js';
import { createRabbitMqBus } from './adapters/rabbitmq-bus.js';
import { BusMetrics } from './bus-metrics.js';
import type { RetryPolicy } from './delivery.js';
import type { EventBus } from './event-bus.js';
import { silentLogger, type BusLogger } from './logger.js';

/**
 * The variables that choose the transport: KAFKA_BROKERS selects Kafka, else AMQP_URL selects RabbitMQ,
 * else the in-memory bus (the embedded single-process mode). Spread into a service's config schema.
 */
export const eventBusConfigSchema = Type.Object({
  KAFKA_BROKERS: Type.Optional(Type.String({ minLength: 1, description: 'Comma-separated host:port list; selects Kafka.' })),
  KAFKA_CLIENT_ID: Type.Optional(Type.String({ minLength: 1, description: 'Kafka client id (default photo-platform).' })),
  KAFKA_SESSION_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: 10_000, description: 'Consumer session timeout (Kafka).' }),
  AMQP_URL: Type.Optional(Type.String({ minLength: 1, description: 'amqp://user:pass@host:5672/vhost; selects RabbitMQ.' })),
  BUS_PARTITIONS: Type.Integer({ minimum: 1, maximum: 256, default: 8, description: 'Partitions per group of the in-memory bus.' }),
  BUS_RETRY_HORIZON_MS: Type.Integer({
    minimum: 0,
    default: 3_600_000,
    description: 'How long an event whose handler fails because a dependency is down (database, network) is retried before it is dead-lettered.',
  }),
  BUS_RETRY_MAX_DELAY_MS: Type.Integer({ minimum: 1, default: 30_000, description: 'The longest wait between two such retries.' }),
});

export type EventBusConfig = Static<typeof eventBusConfigSchema>;

/** The transport a config selects. */
export function transportOf(config: EventBusConfig): 'kafka' | 'rabbitmq' | 'memory' {
  if (config.KAFKA_BROKERS) return 'kafka';
  if (config.AMQP_URL) return 'rabbitmq';
  return 'memory';
}

/** What {@link createEventBus} takes besides the config. */
export interface CreateEventBusOptions {
  /** Where retries, dead letters and reconnections are logged (a pino logger fits). Default: nowhere. */
  logger?: BusLogger;
  /** The bus's counters (see BusMetrics), or a registry to put them in. Default: not exported. */
  metrics?: BusMetrics | Registry;
  catalogue?: PhotoCatalogue;
  memoryBroker?: MemoryBroker;
  clientId?: string;
}

/** The retry policy defaults a config sets for every subscription. */
export function retryDefaultsOf(config: EventBusConfig): Partial<RetryPolicy> {
  return { horizonMs: config.BUS_RETRY_HORIZON_MS, transientMaxDelayMs: config.BUS_RETRY_MAX_DELAY_MS };
}

/**
 * The bus a config selects. The memory transport only connects services of one process: pass the
 * shared `memoryBroker` for that. A service passes its logger and metrics (see createBusTelemetry).
 */
export async function createEventBus(config: EventBusConfig, options: CreateEventBusOptions = {}): Promise<EventBus> {
  const catalogue = options.catalogue ?? photoCatalogue;
  const logger = options.logger ?? silentLogger;
  const metrics = options.metrics instanceof BusMetrics || options.metrics === undefined ? options.metrics : new BusMetrics(options.metrics);
  const retry = retryDefaultsOf(config);
  switch (transportOf(config)) {
    case 'kafka':
      return createKafkaBus({
        brokers: config.KAFKA_BROKERS!.split(',').map((b) => b.trim()),
        clientId: config.KAFKA_CLIENT_ID ?? options.clientId ?? 'photo-platform',
        catalogue,
        logger,
        sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
        ...(metrics ? { metrics } : {}),
        retry,
      });
    case 'rabbitmq':
      return createRabbitMqBus({
        url: config.AMQP_URL!,
        catalogue,
        logger,
        ...(metrics ? { metrics } : {}),
        retry,
      });
    case 'memory': {
      const broker = options.memoryBroker ?? new MemoryBroker(config.BUS_PARTITIONS);
      return createMemoryBus({ broker, catalogue, logger, ...(metrics ? { metrics } : {}), retry });
    }
  }
}
