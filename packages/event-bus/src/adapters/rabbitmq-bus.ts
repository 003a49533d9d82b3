import type { CloudEvent, EventCatalogue } from '@photos/contracts';
import { connect, type ChannelModel, type ConfirmChannel, type Options } from 'amqplib';
import type { BusMetrics } from '../bus-metrics.js';
import { toBinary } from '../cloudevents-binary.js';
import { publishTraced } from '../tracing.js';
import { originalHeaders, parseDeadLetter } from '../dead-letter.js';
import type { RetryPolicy } from '../delivery.js';
import type { DeadLetter, EventBus, SubscribeOptions, Subscription } from '../event-bus.js';
import { silentLogger, type BusLogger } from '../logger.js';
import { AMQP_PREFIX, RabbitMqSubscription } from './rabbitmq-subscription.js';
import { deadLetterQueue, declareExchange, exchangeOf, groupQueue, headersOf, queueExists, readQueue, toAmqp } from './rabbitmq-topology.js';

export interface RabbitMqBusOptions {
  /** e.g. amqp://user:pass@host:5672/vhost */
  url: string;
  catalogue: EventCatalogue;
  logger?: BusLogger;
  metrics?: BusMetrics;
  /** Defaults of every subscription's retry policy (see SubscribeOptions). */
  retry?: Partial<RetryPolicy>;
}

/**
 * The RabbitMQ adapter (amqplib, RabbitMQ 3.10 and 4.x, no plugins) on the broker's own mechanisms:
 * a quorum queue per consumer group, whose replicas are competing consumers; the queue's delivery
 * limit and dead-letter queue for events that kill their consumer; amqplib's connection recovery.
 * Events of one subject may be handled out of order or at once by two replicas: consumers must be
 * order-tolerant (see the conformance suite's `orderPerKey`). Resolves after the first connection
 * attempt, successful or not: while the broker is down publish() rejects and isHealthy() is false.
 */
export async function createRabbitMqBus(options: RabbitMqBusOptions): Promise<EventBus> {
  const { url, catalogue, logger = silentLogger, metrics, retry = {} } = options;
  const channel = catalogue.channel;
  const subscriptions = new Set<RabbitMqSubscription>();
  let current: ChannelModel | undefined;
  let publisher: ConfirmChannel | undefined;
  let closed = false;

  const connection = await connect(url, {
    timeout: 5_000,
    clientProperties: { connection_name: `event-bus ${channel}` },
    recovery: {
      waitForConnect: false,
      initialDelay: 100,
      maxDelay: 5_000,
      // Runs on every (re)connect, before the connection counts as up.
      async setup(model: ChannelModel) {
        const ch = await model.createConfirmChannel();
        ch.on('error', (err: Error) => logger.warn({ err }, 'RabbitMQ publish channel error'));
        // A channel error leaves the connection up; starting the connection over recovers everything.
        ch.on('close', () => publisher === ch && !closed && void model.close().catch(() => undefined));
        await declareExchange(ch, channel);
        [current, publisher] = [model, ch];
        // A Set's iteration also visits subscriptions added meanwhile.
        for (const subscription of subscriptions) {
          await subscription.attach(model).catch((err: unknown) => logger.error({ err }, 'cannot resume a subscription on the new connection'));
        }
      },
    },
  });
  connection.on('connect', () => logger.info({ exchange: exchangeOf(channel) }, 'connected to RabbitMQ'));
  connection.on('connect-failed', (err: Error) => logger.warn({ err }, 'cannot connect to RabbitMQ; will retry'));
  connection.on('error', (err: Error) => logger.warn({ err }, 'RabbitMQ connection error'));
  connection.on('disconnect', (err: Error) => {
    current = publisher = undefined;
    logger.warn({ err }, 'RabbitMQ connection lost; reconnecting');
  });
  await new Promise((resolve) => connection.once('connect', resolve).once('connect-failed', resolve));

  function publish(exchange: string, routingKey: string, body: Buffer, publishOptions: Options.Publish): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!publisher) return reject(new Error('not connected to RabbitMQ'));
      try {
        publisher.publish(exchange, routingKey, body, publishOptions, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
      } catch (err) {
        reject(err);
      }
    });
  }

  /** Reads the group's dead letters; a group that never subscribed has none, and no queue is created. */
  async function withDeadLetters<T>(group: string, limit: number, none: T, read: (model: ChannelModel, queue: string) => Promise<T>): Promise<T> {
    const model = current;
    if (!model) throw new Error('not connected to RabbitMQ');
    const queue = deadLetterQueue(channel, group);
    return limit > 0 && (await queueExists(model, queue)) ? read(model, queue) : none;
  }

  return {
    publish(event: CloudEvent) {
      return publishTraced(event, { system: 'rabbitmq', destination: exchangeOf(channel) }, async (traced) => {
        catalogue.assertValid(traced);
        const { headers, body } = toBinary(traced, AMQP_PREFIX);
        await publish(exchangeOf(channel), traced.type, body, toAmqp(headers, traced.id));
        metrics?.published(traced.type);
      });
    },

    async subscribe(subscribeOptions: SubscribeOptions): Promise<Subscription> {
      if (closed) throw new Error('the event bus is closed');
      const subscription = new RabbitMqSubscription(subscribeOptions, { catalogue, logger, metrics, retry, publish, current: () => current });
      subscriptions.add(subscription);
      const stop = async () => {
        subscriptions.delete(subscription);
        await subscription.stop();
      };
      const model = current;
      if (!model) logger.warn({ group: subscribeOptions.group }, 'RabbitMQ is down; the subscription starts when it is back');
      else {
        await subscription.attach(model).catch(async (err: unknown) => {
          // Lost with the connection: the reconnect resumes it. On a live connection it is a real error.
          if (current !== model) return logger.warn({ err, group: subscribeOptions.group }, 'connection lost while subscribing; resuming on reconnect');
          await stop();
          throw err;
        });
      }
      return { stop };
    },

    deadLetters(group, limit = 100) {
      return withDeadLetters(group, limit, [], async (model, queue) => {
        const letters: DeadLetter[] = [];
        await readQueue(model, queue, limit, async (message) => {
          letters.push(parseDeadLetter(headersOf(message, group), message.content, AMQP_PREFIX, catalogue));
        });
        return letters;
      });
    },

    async replayDeadLetters(group, limit = Number.POSITIVE_INFINITY) {
      const replayed = await withDeadLetters(group, limit, 0, (model, queue) =>
        // Straight into the group's own queue (default exchange), so no other group sees it again.
        readQueue(model, queue, limit, async (message, writer) => {
          const headers = originalHeaders(headersOf(message, group));
          writer.sendToQueue(groupQueue(channel, group), message.content, toAmqp(headers, message.properties.messageId));
          return true;
        }),
      );
      metrics?.replayed(group, replayed);
      return replayed;
    },

    async isHealthy() {
      return publisher !== undefined;
    },

    async close() {
      closed = true;
      await Promise.all([...subscriptions].map((subscription) => subscription.stop()));
      subscriptions.clear();
      await connection.close();
    },
  };
}
