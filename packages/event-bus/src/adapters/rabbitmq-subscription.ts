import type { EventCatalogue } from '@photos/contracts';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { BusMetrics } from '../bus-metrics.js';
import { deadLetterHeaders } from '../dead-letter.js';
import { deliver, retryPolicyOf, type Outcome, type RetryPolicy } from '../delivery.js';
import type { SubscribeOptions } from '../event-bus.js';
import type { BusLogger } from '../logger.js';
import { deadLetterQueue, declareGroup, declareLiveQueue, headersOf, toAmqp } from './rabbitmq-topology.js';

export const AMQP_PREFIX = 'cloudEvents:';

export interface SubscriptionContext {
  catalogue: EventCatalogue;
  logger: BusLogger;
  metrics?: BusMetrics | undefined;
  retry: Partial<RetryPolicy>;
  /** Publishes on the bus's confirm channel (the default exchange reaches a queue by name). */
  publish(exchange: string, routingKey: string, body: Buffer, options: ReturnType<typeof toAmqp>): Promise<void>;
  /** The bus's connection while it is up: a channel lost on it is opened again, one lost with it is not. */
  current(): ChannelModel | undefined;
}

/** How many cut-short retry streaks a subscription remembers (see `retryingSince`). */
const REMEMBERED_STREAKS = 10_000;
const REATTACH_DELAY_MS = 500;

/**
 * One `subscribe()` call: a consumer of the group's queue with prefetch = concurrency, so the broker
 * shares the group's events among replicas and never hands one more than it handles at once. It
 * outlives connections and channels: the bus attaches it to every new connection.
 */
export class RabbitMqSubscription {
  private readonly abort = new AbortController();
  private readonly running = new Set<Promise<void>>();
  private attached: { model: ChannelModel; ready: Promise<{ ch: Channel; tag: string }> } | undefined;
  private stopping: Promise<void> | undefined;
  /**
   * When the transient failures of a message began, by message id, for messages whose delivery was cut
   * short while retrying: RabbitMQ closes a channel that holds a message unacked past its consumer_timeout
   * (30 min by default), and a lost connection does the same. When the message comes back to this
   * replica it keeps its retry horizon instead of starting a new one.
   */
  private readonly retryingSince = new Map<string, number>();

  constructor(
    private readonly options: SubscribeOptions,
    private readonly context: SubscriptionContext,
  ) {}

  /** Declares the queue and starts consuming on `model`; idempotent per connection. */
  attach(model: ChannelModel): Promise<unknown> {
    if (this.stopping) return Promise.resolve();
    if (this.attached?.model !== model) this.attached = { model, ready: this.consume(model) };
    return this.attached.ready;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const consumer = await this.attached?.ready.catch(() => undefined);
      await consumer?.ch.cancel(consumer.tag).catch(() => undefined);
      // Handlers in retry give up ('abandon': requeued); running ones finish and are acked.
      this.abort.abort();
      await Promise.all(this.running);
      await consumer?.ch.close().catch(() => undefined);
    })();
    return this.stopping;
  }

  private async consume(model: ChannelModel): Promise<{ ch: Channel; tag: string }> {
    const { catalogue, logger } = this.context;
    const { group, live = false, concurrency = 1 } = this.options;
    const ch = await model.createChannel();
    const lost = new AbortController();
    let consuming = false;
    ch.on('error', (err: Error) => logger.warn({ err, group }, 'RabbitMQ consumer channel error'));
    ch.on('close', () => {
      lost.abort(); // its unacked messages are back in the queue: acking is moot
      // A consuming channel closed on a live connection (consumer_timeout, the queue deleted): open another.
      setTimeout(() => {
        if (consuming && !this.stopping && this.attached?.model === model && this.context.current() === model) {
          this.attached = undefined;
          this.attach(model).catch((err: unknown) => logger.error({ err, group }, 'cannot consume again after the channel closed'));
        }
      }, REATTACH_DELAY_MS);
    });
    await ch.prefetch(Math.max(1, concurrency));
    const queue = live ? await declareLiveQueue(ch, catalogue.channel) : await declareGroup(model, ch, catalogue.channel, group);
    const { consumerTag } = await ch.consume(queue, (message) => {
      // null: the broker cancelled the consumer; closing the channel makes it start over.
      if (!message) return void ch.close().catch(() => undefined);
      const run = this.handle(ch, message, lost.signal)
        .catch((err: unknown) => logger.error({ err, group }, 'unexpected error while handling a message'))
        .finally(() => this.running.delete(run));
      this.running.add(run);
    });
    consuming = true;
    return { ch, tag: consumerTag };
  }

  private async handle(ch: Channel, message: ConsumeMessage, lost: AbortSignal): Promise<void> {
    const headers = headersOf(message);
    const messageId = typeof message.properties.messageId === 'string' ? message.properties.messageId : undefined;
    const retryingSince = messageId === undefined ? undefined : this.retryingSince.get(messageId);
    if (messageId !== undefined) this.retryingSince.delete(messageId);
    const outcome = await deliver(headers, message.content, {
      catalogue: this.context.catalogue,
      prefix: AMQP_PREFIX,
      messagingSystem: 'rabbitmq',
      group: this.options.group,
      handlers: this.options.handlers,
      ...retryPolicyOf(this.options, this.context.retry),
      signal: AbortSignal.any([this.abort.signal, lost]),
      logger: this.context.logger,
      metrics: this.context.metrics,
      retryingSince,
    });
    if (outcome.kind === 'abandon' && outcome.retryingSince !== undefined && messageId !== undefined) {
      if (this.retryingSince.size >= REMEMBERED_STREAKS) this.retryingSince.delete(this.retryingSince.keys().next().value!);
      this.retryingSince.set(messageId, outcome.retryingSince);
    }
    await this.settle(ch, message, headers, outcome);
  }

  private async settle(ch: Channel, message: ConsumeMessage, headers: Record<string, string>, outcome: Outcome): Promise<void> {
    const { catalogue, logger, metrics } = this.context;
    const { group, live } = this.options;
    let requeue = outcome.kind === 'abandon';
    if (outcome.kind === 'dead-letter' && live) {
      logger.error({ group, reason: outcome.reason }, 'a live subscription has no dead-letter queue; the message is dropped');
    } else if (outcome.kind === 'dead-letter') {
      // Published by us rather than rejected to the queue's dead-letter exchange, to carry the reason.
      const annotated = deadLetterHeaders(headers, group, outcome.reason, outcome.attempts);
      try {
        await this.context.publish('', deadLetterQueue(catalogue.channel, group), message.content, toAmqp(annotated, message.properties.messageId));
      } catch (err) {
        logger.error({ err, group }, 'cannot dead-letter a message; it goes back to its queue');
        requeue = true;
      }
    }
    try {
      // nack, not reject: RabbitMQ 4.3 does not count it as a failed delivery toward the delivery limit.
      if (requeue) ch.nack(message, false, true);
      else ch.ack(message);
      if (outcome.kind !== 'abandon' && !requeue) metrics?.consumed(group, outcome.type, outcome.kind);
    } catch (err) {
      // Its channel died: the broker already requeued the message.
      logger.warn({ err, group }, 'cannot settle a message; it will be redelivered');
    }
  }
}
