import type { CloudEvent, EventCatalogue } from '@photos/contracts';
import { Kafka, Partitioners, type Admin, type Consumer, type IHeaders, type Producer } from 'kafkajs';
import type { BusMetrics } from '../bus-metrics.js';
import { toBinary } from '../cloudevents-binary.js';
import { publishTraced } from '../tracing.js';
import { deadLetterHeaders, originalHeaders, parseDeadLetter } from '../dead-letter.js';
import { deliver, retryPolicyOf, type RetryPolicy } from '../delivery.js';
import type { DeadLetter, EventBus, SubscribeOptions, Subscription } from '../event-bus.js';
import { silentLogger, type BusLogger } from '../logger.js';
import { headersOf, readDeadLetters } from './kafka-dead-letters.js';
import { kafkaLogCreator } from './kafka-logger.js';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  catalogue: EventCatalogue;
  logger?: BusLogger;
  /** Partitions of the event topic when the adapter creates it (brokers that auto-create use their default). */
  partitions?: number;
  /** How long subscribe() waits for the group to assign partitions before resolving anyway. Default 30 s. */
  joinTimeoutMs?: number;
  /**
   * Consumer session timeout. Default 10 s (brokers refuse less than their group.min.session.timeout.ms,
   * 6 s by default). librdkafka's mock cluster waits sessionTimeout - 1 s for joiners: tests use 4 s.
   */
  sessionTimeoutMs?: number;
  metrics?: BusMetrics;
  /** Defaults of every subscription's retry policy (see SubscribeOptions). */
  retry?: Partial<RetryPolicy>;
}

/** Thrown inside eachMessage to leave an offset uncommitted while the subscription stops. */
class Abandoned extends Error {}

/**
 * The Kafka adapter (kafkajs). One topic per catalogue channel, message key = subject (photo id), so a
 * photo's events stay in one partition, in order. CloudEvents binary mode (`ce_` headers). Each group
 * has its own dead-letter topic `<channel>.dlq.<group>` and replay topic `<channel>.replay.<group>`
 * (which only that group consumes, beside the main topic); offsets are committed after every handled
 * message, so a stopped consumer hands over exactly where it was.
 *
 * While a handler is retried the consumer keeps heartbeating (else the group would evict it). kafkajs
 * fetches per broker and waits for a fetch's batches to be handled before the next one: a partition
 * held by retries also holds the other partitions led by the same broker (not those of other brokers).
 */
export async function createKafkaBus(options: KafkaBusOptions): Promise<EventBus> {
  const { catalogue, logger = silentLogger, metrics, retry = {} } = options;
  const topic = catalogue.channel;
  const dlqTopic = (group: string) => `${topic}.dlq.${group}`;
  const replayTopic = (group: string) => `${topic}.replay.${group}`;
  const replayGroup = (group: string) => `${group}.dlq-replay`;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logCreator: kafkaLogCreator(logger),
    retry: { initialRetryTime: 100, retries: 5, maxRetryTime: 5_000, restartOnFailure: async () => true },
    connectionTimeout: 3_000,
  });
  // The Java client's murmur2 partitioner: other teams' Kafka clients place a photo id where we do.
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner });
  const admin: Admin = kafka.admin();
  const subscriptions = new Set<Subscription>();
  /** Groups whose consumer crashed and is being started again: the replica is not ready meanwhile. */
  const down = new Set<string>();
  let producerReady: Promise<void> | undefined;
  let adminReady: Promise<void> | undefined;
  let declared: Promise<void> | undefined;

  const once = (connect: () => Promise<void>, reset: () => void) =>
    connect().catch((error: unknown) => {
      reset();
      throw error;
    });
  const connectProducer = () =>
    (producerReady ??= once(
      () => producer.connect(),
      () => (producerReady = undefined),
    ));
  const connectAdmin = () =>
    (adminReady ??= once(
      () => admin.connect(),
      () => (adminReady = undefined),
    ));

  /**
   * Declares the event topic. Clusters that refuse CreateTopics (or a mock that lacks it) fall back to
   * auto-creation on first produce / subscribe.
   */
  function declareTopic(): Promise<void> {
    return (declared ??= createTopic(topic).catch((error: unknown) => {
      declared = undefined;
      throw error;
    }));
  }

  async function createTopic(name: string): Promise<void> {
    await connectAdmin();
    const topics = [{ topic: name, numPartitions: options.partitions ?? 8 }];
    await admin.createTopics({ topics, waitForLeaders: true }).catch((err: unknown) => {
      logger.debug({ err, topic: name }, 'CreateTopics not available; relying on topic auto-creation');
    });
  }

  async function send(to: string, key: string, headers: IHeaders, value: Buffer): Promise<void> {
    await connectProducer();
    await producer.send({ topic: to, acks: -1, messages: [{ key, value, headers }] });
  }

  async function subscribe(subscribeOptions: SubscribeOptions): Promise<Subscription> {
    const { group } = subscribeOptions;
    await declareTopic().catch(() => undefined);
    // A live group leaves nothing behind and never replays: it reads the main topic only.
    const topics = subscribeOptions.live ? [topic] : [topic, replayTopic(group)];
    if (!subscribeOptions.live) await createTopic(replayTopic(group)).catch(() => undefined);
    const policy = retryPolicyOf(subscribeOptions, retry);
    const consumer: Consumer = kafka.consumer({
      groupId: group,
      sessionTimeout: options.sessionTimeoutMs ?? 10_000,
      rebalanceTimeout: 2 * (options.sessionTimeoutMs ?? 10_000),
      heartbeatInterval: 300,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: true,
    });
    const abort = new AbortController();
    let joined: () => void = () => undefined;
    const hasJoined = new Promise<void>((resolve) => (joined = resolve));
    consumer.on(consumer.events.GROUP_JOIN, () => joined());

    const start = async () => {
      // A live group starts at the end of each partition as it is now: pinned here, before joining,
      // because kafkajs would read "latest" only at its first fetch, skipping events published meanwhile.
      const liveFrom = subscribeOptions.live
        ? await connectAdmin()
            .then(() => admin.fetchTopicOffsets(topic))
            .catch(() => undefined)
        : undefined;
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: !subscribeOptions.live || liveFrom === undefined });
      await consumer.run({
        partitionsConsumedConcurrently: subscribeOptions.concurrency ?? 1,
        // Commit after every message: a handover then resumes exactly after the last acked event.
        autoCommitThreshold: 1,
        eachMessage: async ({ message, heartbeat }) => {
          const headers = headersOf(message);
          const body = message.value ?? Buffer.alloc(0);
          const outcome = await deliver(headers, body, {
            catalogue,
            prefix: 'ce_',
            messagingSystem: 'kafka',
            group,
            handlers: subscribeOptions.handlers,
            ...policy,
            signal: abort.signal,
            logger,
            metrics,
            // kafkajs heartbeats only between messages: a handler retried for minutes would be evicted from the group.
            keepAlive: heartbeat,
          });
          if (outcome.kind === 'abandon') {
            // A failed heartbeat (the group is rebalancing) goes back to kafkajs, which rejoins; the offset stays uncommitted.
            if (outcome.error !== undefined) throw outcome.error;
            throw new Abandoned('subscription stopping');
          }
          if (outcome.kind === 'dead-letter') {
            const key = message.key?.toString() ?? headers['ce_subject'] ?? '';
            await send(dlqTopic(group), key, deadLetterHeaders(headers, group, outcome.reason, outcome.attempts), body);
          }
          metrics?.consumed(group, outcome.type, outcome.kind);
        },
      });
      for (const { partition, offset } of liveFrom ?? []) consumer.seek({ topic, partition, offset });
    };
    // A service must come up while the broker is down (uploads still land in the outbox): keep trying
    // in the background. Once running, kafkajs reconnects and restarts the consumer by itself, except
    // after an error it deems non-retriable (seen: the mock cluster refusing a second member's
    // SyncGroup): then it stays stopped for good, so we start it again ourselves.
    let unreachable: () => void = () => undefined;
    const isUnreachable = new Promise<void>((resolve) => (unreachable = resolve));
    const keepStarting = async () => {
      for (let delay = 250; !abort.signal.aborted; delay = Math.min(delay * 2, 10_000)) {
        try {
          await start();
          down.delete(group);
          return;
        } catch (error) {
          logger.warn({ err: error, group }, 'Kafka consumer cannot start yet; retrying');
          unreachable();
          await consumer.disconnect().catch(() => undefined);
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    };
    let starting = keepStarting();
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || abort.signal.aborted) return;
      down.add(group);
      logger.error({ err: payload.error, group }, 'Kafka consumer stopped on a non-retriable error; starting it again');
      starting = starting.then(async () => {
        await consumer.disconnect().catch(() => undefined);
        await keepStarting();
      });
    });
    // Resolve once partitions are assigned, or at once when the broker is unreachable (consuming starts later).
    await Promise.race([hasJoined, isUnreachable, new Promise((resolve) => setTimeout(resolve, options.joinTimeoutMs ?? 30_000))]);

    let stopping: Promise<void> | undefined;
    const subscription: Subscription = {
      stop() {
        return (stopping ??= (async () => {
          abort.abort();
          await starting;
          // kafkajs lets the running eachMessage calls finish, commits their offsets, then leaves the group.
          await consumer.disconnect();
          subscriptions.delete(subscription);
        })());
      },
    };
    subscriptions.add(subscription);
    return subscription;
  }

  return {
    publish(event: CloudEvent) {
      return publishTraced(event, { system: 'kafka', destination: topic }, async (traced) => {
        catalogue.assertValid(traced);
        const message = toBinary(traced, 'ce_');
        await send(topic, message.key, message.headers, message.body);
        metrics?.published(traced.type);
      });
    },
    subscribe,
    async deadLetters(group, limit = 100): Promise<DeadLetter[]> {
      await connectAdmin();
      const letters: DeadLetter[] = [];
      await readDeadLetters(kafka, admin, dlqTopic(group), replayGroup(group), {
        commit: false,
        visit: async (message) => {
          letters.push(parseDeadLetter(headersOf(message), message.value ?? Buffer.alloc(0), 'ce_', catalogue));
          return letters.length < limit;
        },
      });
      return letters;
    },
    async replayDeadLetters(group, limit = Number.POSITIVE_INFINITY) {
      await connectAdmin();
      let replayed = 0;
      await readDeadLetters(kafka, admin, dlqTopic(group), replayGroup(group), {
        commit: true,
        visit: async (message) => {
          if (replayed >= limit) return false;
          const headers = originalHeaders(headersOf(message));
          await send(replayTopic(group), message.key?.toString() ?? headers['ce_subject'] ?? '', headers, message.value ?? Buffer.alloc(0));
          replayed++;
          return true;
        },
      });
      metrics?.replayed(group, replayed);
      return replayed;
    },
    async isHealthy() {
      try {
        await connectAdmin();
        await admin.describeCluster();
        return down.size === 0;
      } catch {
        return false;
      }
    },
    async close() {
      await Promise.all([...subscriptions].map((s) => s.stop()));
      await producer.disconnect();
      await admin.disconnect();
    },
  };
}
