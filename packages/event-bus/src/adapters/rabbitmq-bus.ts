import type { CloudEvent, EventCatalogue } from '@photos/contracts';
import type { Channel, ChannelModel, GetMessage } from 'amqplib';
import type { BusMetrics } from '../bus-metrics.js';
import { toBinary } from '../cloudevents-binary.js';
import { originalHeaders, parseDeadLetter } from '../dead-letter.js';
import type { RetryPolicy } from '../delivery.js';
import type { DeadLetter, EventBus, SubscribeOptions, Subscription } from '../event-bus.js';
import { silentLogger, type BusLogger } from '../logger.js';
import { partitionOf } from '../partition.js';
import { RabbitMqConnection } from './rabbitmq-connection.js';
import { AMQP_PREFIX, RabbitMqSubscription } from './rabbitmq-subscription.js';
import { closeQuietly, checkDeadLetterQueue, headersOf, partitionQueue, ROUTING_KEY_HEADER, routingKeyOf, toAmqp } from './rabbitmq-topology.js';

export interface RabbitMqBusOptions {
  /** e.g. amqp://user:pass@host:5672/vhost */
  url: string;
  catalogue: EventCatalogue;
  logger?: BusLogger;
  /** Partition queues per group; every publisher and consumer of a channel must agree. Default 8. */
  partitions?: number;
  /** How often replicas recount each other and rebalance partitions. Default 500 ms. */
  rebalanceMs?: number;
  metrics?: BusMetrics;
  /** Defaults of every subscription's retry policy (see SubscribeOptions). */
  retry?: Partial<RetryPolicy>;
}

/**
 * The RabbitMQ adapter (amqplib, RabbitMQ 3.10, no plugins), with Kafka's semantics: per-subject order
 * through partition queues, consumer groups through exclusive consumers (see PartitionClaims).
 * Resolves after the first connection attempt, successful or not: while the broker is down the bus
 * reconnects in the background, publish() rejects and isHealthy() is false.
 */
export async function createRabbitMqBus(options: RabbitMqBusOptions): Promise<EventBus> {
  const { url, catalogue, logger = silentLogger, partitions = 8, rebalanceMs = 500, metrics, retry = {} } = options;
  const channel = catalogue.channel;
  const subscriptions = new Set<RabbitMqSubscription>();
  let closed = false;

  const connection: RabbitMqConnection = new RabbitMqConnection(
    url,
    channel,
    {
      async connected(model) {
        for (const subscription of subscriptions) {
          await subscription.attach(model).catch((err: unknown) => logger.error({ err }, 'cannot resume a subscription on the new connection'));
        }
      },
      disconnected() {
        for (const subscription of subscriptions) subscription.detach();
      },
    },
    logger,
  );
  await connection.start();

  function connected(): ChannelModel {
    const model = connection.ready;
    if (!model) throw new Error('not connected to RabbitMQ');
    return model;
  }

  /**
   * Runs `work` on a fresh channel; closing it returns every message got and not acked to its queue, in
   * place. A group that never subscribed has no dead letters: `none`, and no queue is created.
   */
  async function withDeadLetterQueue<T>(group: string, none: T, work: (ch: Channel, queue: string) => Promise<T>): Promise<T> {
    const ch = await connected().createChannel();
    ch.on('error', (err: Error) => logger.debug({ err, group }, 'RabbitMQ dead-letter channel closed'));
    try {
      const queue = await checkDeadLetterQueue(ch, channel, group);
      return queue === undefined ? none : await work(ch, queue);
    } finally {
      await closeQuietly(ch);
    }
  }

  /** The dead letter's headers without the routing key kept for replay, and that key. */
  function splitDeadLetter(message: GetMessage): { headers: Record<string, string>; routedAs: string | undefined } {
    const { [ROUTING_KEY_HEADER]: routedAs, ...headers } = headersOf(message);
    return { headers, routedAs };
  }

  async function subscribe(subscribeOptions: SubscribeOptions): Promise<Subscription> {
    if (closed) throw new Error('the event bus is closed');
    const subscription = new RabbitMqSubscription(subscribeOptions, { catalogue, connection, partitions, rebalanceMs, logger, metrics, retry });
    subscriptions.add(subscription);
    const stop = async () => {
      await subscription.stop();
      subscriptions.delete(subscription);
    };
    const model = connection.ready;
    if (!model) {
      logger.warn({ group: subscribeOptions.group }, 'RabbitMQ is down; the subscription starts when it is back');
      return { stop };
    }
    try {
      await subscription.attach(model);
    } catch (err) {
      // Lost with the connection: the reconnect resumes it. On a live connection it is a real error.
      if (connection.ready === model) {
        await stop();
        throw err;
      }
      logger.warn({ err, group: subscribeOptions.group }, 'connection lost while subscribing; resuming on reconnect');
    }
    return { stop };
  }

  return {
    async publish(event: CloudEvent) {
      catalogue.assertValid(event);
      const { key, headers, body } = toBinary(event, AMQP_PREFIX);
      await connection.publish(channel, routingKeyOf(partitionOf(key, partitions)), body, toAmqp(headers, event.id));
      metrics?.published(event.type);
    },

    subscribe,

    deadLetters(group, limit = 100) {
      return withDeadLetterQueue(group, [], async (ch, queue) => {
        const letters: DeadLetter[] = [];
        for (let message: GetMessage | false; letters.length < limit && (message = await ch.get(queue, { noAck: false })); ) {
          letters.push(parseDeadLetter(splitDeadLetter(message).headers, message.content, AMQP_PREFIX, catalogue));
        }
        return letters;
      });
    },

    replayDeadLetters(group, limit = Number.POSITIVE_INFINITY) {
      return withDeadLetterQueue(group, 0, async (ch, queue) => {
        let replayed = 0;
        for (let message: GetMessage | false; replayed < limit && (message = await ch.get(queue, { noAck: false })); replayed++) {
          const { headers, routedAs } = splitDeadLetter(message);
          const original = originalHeaders(headers);
          // Straight into the group's own partition queue (default exchange), so no other group sees it again.
          // Same partition as the first publish: the subject is the key; keyless (invalid) messages go back where they came from.
          const subject = original[`${AMQP_PREFIX}subject`];
          const routed = /^p(\d+)$/.exec(routedAs ?? '')?.[1];
          const partition = subject !== undefined ? partitionOf(subject, partitions) : Math.min(Number(routed ?? 0), partitions - 1);
          await connection.publish('', partitionQueue(channel, group, partition), message.content, toAmqp(original, message.properties.messageId));
          ch.ack(message);
        }
        metrics?.replayed(group, replayed);
        return replayed;
      });
    },

    async isHealthy() {
      return connection.healthy;
    },

    async close() {
      closed = true;
      await Promise.all([...subscriptions].map((subscription) => subscription.stop()));
      subscriptions.clear();
      await connection.close();
    },
  };
}
