export type { DeadLetter, DeliveryContext, EventBus, EventHandler, EventHandlers, SubscribeOptions, Subscription } from './event-bus.js';
export { createRabbitMqBus } from './adapters/rabbitmq-bus.js';
export { PermanentFailure } from './permanent-failure.js';
export type { BusLogger } from './logger.js';
export { createMemoryBus, MemoryBroker } from './adapters/memory-bus.js';
export type { MemoryBusOptions } from './adapters/memory-bus.js';
export { createKafkaBus } from './adapters/kafka-bus.js';
export { createEventBus, eventBusConfigSchema, transportOf } from './create-event-bus.js';
export type { EventBusConfig } from './create-event-bus.js';
