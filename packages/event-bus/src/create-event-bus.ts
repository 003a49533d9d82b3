import { photoCatalogue, type PhotoCatalogue } from '@photos/contracts';
import Type, { type Static } from 'typebox';
import { createKafkaBus } from './adapters/kafka-bus.js';
import { createMemoryBus, MemoryBroker } from './adapters/memory-bus.js';
import { createRabbitMqBus } from './adapters/rabbitmq-bus.js';
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
  BUS_PARTITIONS: Type.Integer({ minimum: 1, maximum: 256, default: 8, description: 'Partitions per group (RabbitMQ, memory).' }),
});

export type EventBusConfig = Static<typeof eventBusConfigSchema>;

/** The transport a config selects. */
export function transportOf(config: EventBusConfig): 'kafka' | 'rabbitmq' | 'memory' {
  if (config.KAFKA_BROKERS) return 'kafka';
  if (config.AMQP_URL) return 'rabbitmq';
  return 'memory';
}

/**
 * The bus a config selects. The memory transport only connects services of one process: pass the
 * shared `memoryBroker` for that.
 */
export async function createEventBus(
  config: EventBusConfig,
  options: { logger?: BusLogger; catalogue?: PhotoCatalogue; memoryBroker?: MemoryBroker; clientId?: string } = {},
): Promise<EventBus> {
  const catalogue = options.catalogue ?? photoCatalogue;
  const logger = options.logger ?? silentLogger;
  switch (transportOf(config)) {
    case 'kafka':
      return createKafkaBus({
        brokers: config.KAFKA_BROKERS!.split(',').map((b) => b.trim()),
        clientId: config.KAFKA_CLIENT_ID ?? options.clientId ?? 'photo-platform',
        catalogue,
        logger,
        sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      });
    case 'rabbitmq':
      return createRabbitMqBus({ url: config.AMQP_URL!, catalogue, logger, partitions: config.BUS_PARTITIONS });
    case 'memory':
      return createMemoryBus({ broker: options.memoryBroker ?? new MemoryBroker(config.BUS_PARTITIONS), catalogue, logger });
  }
}
