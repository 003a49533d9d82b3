import type { EventCatalogue } from '@photos/contracts';
import type { ChannelModel, ConsumeMessage } from 'amqplib';
import type { BusMetrics } from '../bus-metrics.js';
import { deadLetterHeaders } from '../dead-letter.js';
import { deliver, retryPolicyOf, type Outcome, type RetryPolicy } from '../delivery.js';
import type { SubscribeOptions } from '../event-bus.js';
import type { BusLogger } from '../logger.js';
import type { RabbitMqConnection } from './rabbitmq-connection.js';
import { PartitionClaims, type Claim } from './rabbitmq-partition-claims.js';
import { deadLetterQueue, headersOf, ROUTING_KEY_HEADER, toAmqp } from './rabbitmq-topology.js';

export const AMQP_PREFIX = 'cloudEvents:';

/** Caps handler runs across partitions; order within a partition comes from prefetch 1. */
class Semaphore {
  private readonly waiting: (() => void)[] = [];
  constructor(private free: number) {}

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

export interface SubscriptionContext {
  catalogue: EventCatalogue;
  connection: RabbitMqConnection;
  partitions: number;
  rebalanceMs: number;
  logger: BusLogger;
  metrics?: BusMetrics | undefined;
  retry: Partial<RetryPolicy>;
}

/** How many cut-short retry streaks a subscription remembers (see `retryingSince`). */
const REMEMBERED_STREAKS = 10_000;

/**
 * One `subscribe()` call. It outlives connections: on every (re)connect it attaches afresh (new claims);
 * messages unacked when a connection died were requeued by the broker and come back.
 */
export class RabbitMqSubscription {
  private readonly abort = new AbortController();
  private readonly slots: Semaphore;
  /** Running handlers by partition, whatever connection delivered them. */
  private readonly running = new Map<number, Promise<void>>();
  private attachment: { model: ChannelModel; claims: PartitionClaims; ready: Promise<void> } | undefined;
  private stopping: Promise<void> | undefined;
  /**
   * When the transient failures of a message began, by message id, for messages whose delivery was cut
   * short while retrying: RabbitMQ closes a channel that holds a message unacked past its consumer_timeout
   * (30 min by default), and a lost connection does the same. The message comes back (to this replica, if
   * it reclaims the partition) and keeps its retry horizon instead of starting a new one.
   */
  private readonly retryingSince = new Map<string, number>();

  constructor(
    private readonly options: SubscribeOptions,
    private readonly context: SubscriptionContext,
  ) {
    this.slots = new Semaphore(Math.max(1, options.concurrency ?? 1));
  }

  /** Joins the group on this connection; resolves after the first claim pass. Idempotent per connection. */
  attach(model: ChannelModel): Promise<void> {
    if (this.stopping) return Promise.resolve();
    if (this.attachment?.model === model) return this.attachment.ready;
    this.attachment?.claims.lose();
    const { catalogue, partitions, rebalanceMs, logger } = this.context;
    const claims = new PartitionClaims({
      model,
      channel: catalogue.channel,
      group: this.options.group,
      partitions,
      live: this.options.live ?? false,
      rebalanceMs,
      logger,
      isBusy: (partition) => this.running.has(partition),
      onDelivery: (claim, message) => this.onDelivery(claim, message),
    });
    const ready = claims.start();
    this.attachment = { model, claims, ready };
    return ready;
  }

  /** The connection is gone: its claims with it. */
  detach(): void {
    this.attachment?.claims.lose();
    this.attachment = undefined;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      // Aborting first makes handlers in retry give up ('abandon': requeued) instead of holding the stop.
      this.abort.abort();
      const attachment = this.attachment;
      await attachment?.ready.catch(() => undefined);
      await attachment?.claims.stop();
      await Promise.all(this.running.values());
    })();
    return this.stopping;
  }

  private onDelivery(claim: Claim, message: ConsumeMessage): void {
    // Left unacked: the broker requeues it, at its place, when the claim's channel closes.
    if (claim.releasing) return;
    const run: Promise<void> = this.handle(claim, message)
      .catch((err: unknown) => this.context.logger.error({ err, group: this.options.group }, 'unexpected error while handling a message'))
      .finally(() => {
        if (claim.inFlight === run) claim.inFlight = undefined;
        if (this.running.get(claim.partition) === run) this.running.delete(claim.partition);
      });
    claim.inFlight = run;
    this.running.set(claim.partition, run);
  }

  private async handle(claim: Claim, message: ConsumeMessage): Promise<void> {
    await this.slots.acquire();
    try {
      if (claim.releasing) return;
      const headers = headersOf(message);
      const messageId = typeof message.properties.messageId === 'string' ? message.properties.messageId : undefined;
      const retryingSince = messageId === undefined ? undefined : this.retryingSince.get(messageId);
      if (messageId !== undefined) this.retryingSince.delete(messageId);
      const outcome = await deliver(headers, message.content, {
        catalogue: this.context.catalogue,
        prefix: AMQP_PREFIX,
        group: this.options.group,
        handlers: this.options.handlers,
        ...retryPolicyOf(this.options, this.context.retry),
        signal: AbortSignal.any([this.abort.signal, claim.lost.signal]),
        logger: this.context.logger,
        metrics: this.context.metrics,
        retryingSince,
      });
      if (outcome.kind === 'abandon' && outcome.retryingSince !== undefined && messageId !== undefined) {
        this.rememberStreak(messageId, outcome.retryingSince);
      }
      await this.settle(claim, message, headers, outcome);
    } finally {
      this.slots.release();
    }
  }

  private rememberStreak(messageId: string, since: number): void {
    if (this.retryingSince.size >= REMEMBERED_STREAKS) this.retryingSince.delete(this.retryingSince.keys().next().value!);
    this.retryingSince.set(messageId, since);
  }

  private async settle(claim: Claim, message: ConsumeMessage, headers: Record<string, string>, outcome: Outcome): Promise<void> {
    const { connection, catalogue, logger } = this.context;
    const group = this.options.group;
    let requeue = outcome.kind === 'abandon';
    if (outcome.kind === 'dead-letter') {
      const annotated = { ...deadLetterHeaders(headers, group, outcome.reason, outcome.attempts), [ROUTING_KEY_HEADER]: message.fields.routingKey };
      try {
        await connection.publish('', deadLetterQueue(catalogue.channel, group), message.content, toAmqp(annotated, message.properties.messageId));
      } catch (err) {
        logger.error({ err, group, partition: claim.partition }, 'cannot dead-letter a message; it goes back to its queue');
        requeue = true;
      }
    }
    try {
      if (requeue) claim.channel.nack(message, false, true);
      else claim.channel.ack(message);
      if (!requeue && outcome.kind !== 'abandon') this.context.metrics?.consumed(group, outcome.type, outcome.kind);
    } catch (err) {
      // Its channel died with the connection: the broker already requeued the message.
      logger.warn({ err, group, partition: claim.partition }, 'cannot settle a message; it will be redelivered');
    }
  }
}
