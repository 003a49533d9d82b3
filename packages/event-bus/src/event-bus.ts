import type { CloudEvent, PhotoEvent, PhotoEventName } from '@photos/contracts';

/** What a handler learns about the delivery besides the event itself. */
export interface DeliveryContext {
  /** 1 on the first try, then 2, 3... (transient failures are retried beyond `maxAttempts`, see SubscribeOptions). */
  attempt: number;
  /** Aborted when the subscription is stopping; long handlers may give up early (they will be redelivered). */
  signal: AbortSignal;
}

/**
 * Handles one event, already validated and upcast to the latest version of its family.
 * Returning acknowledges it; throwing makes the bus retry with backoff, then dead-letter it:
 * - a dependency that is down (a `TransientFailure`, or a network error such as ECONNREFUSED, see
 *   `isTransientError`): retried until it is back, up to the retry horizon; these tries are not counted;
 * - a `PermanentFailure`: dead-lettered at once, without retries;
 * - anything else (a bug, bad data): retried up to `maxAttempts` times, then dead-lettered.
 * While an event is retried, the later events of its subject wait behind it (Kafka, memory; not RabbitMQ).
 */
export type EventHandler<E extends CloudEvent = CloudEvent> = (event: E, context: DeliveryContext) => Promise<void>;

/** The latest version of the photo event named `N`. */
type PhotoEventNamed<N extends PhotoEventName> = Extract<PhotoEvent, { type: `${N}.v${number}` }>;

/** Handlers by event family name, each typed with the latest version of its event. */
export type EventHandlers = { readonly [N in PhotoEventName]?: EventHandler<PhotoEventNamed<N>> };

export interface SubscribeOptions {
  /**
   * The consumer group. Replicas of one service use the same group and share the work (each event is
   * handled by one of them); different groups each get every event.
   */
  group: string;
  /** Handlers by event family name (e.g. `photo.uploaded`); events of other families are skipped (acked). */
  handlers: EventHandlers;
  /** How many events this replica handles at once. Default 1. Kafka and memory never handle two events of one subject at once. */
  concurrency?: number;
  /**
   * A live subscription (e.g. pushing status to connected browsers) sees only events published after it
   * started, and leaves nothing behind when it stops: use a group name unique to the replica.
   */
  live?: boolean;
  /** Tries before a failing event goes to the dead-letter channel; transient failures do not count. Default 5. */
  maxAttempts?: number;
  /** Backoff before retry n is min(maxMs, initialMs * 2^(n-1)) with full jitter. Default 100 ms .. 5 s. */
  backoff?: { initialMs: number; maxMs: number };
  /**
   * How long an event whose handler fails transiently (a dependency down) is retried, from its first
   * transient failure, before it is dead-lettered. Default: the bus's (BUS_RETRY_HORIZON_MS, 1 h).
   */
  retryHorizonMs?: number;
  /** The backoff cap of transient retries. Default: the bus's (BUS_RETRY_MAX_DELAY_MS, 30 s). */
  transientMaxDelayMs?: number;
}

/** A running consumer. */
export interface Subscription {
  /** Stops fetching, lets in-flight handlers finish, commits what they acknowledged, then closes. */
  stop(): Promise<void>;
}

/** A message that reached the dead-letter channel, with why. */
export interface DeadLetter {
  group: string;
  reason: string;
  /** The failed message as received: the event if it could be decoded, else the raw body as text. */
  event: CloudEvent | undefined;
  body: string;
  headers: Record<string, string>;
  attempts: number;
  deadLetteredAt: string;
}

/**
 * The port every service uses to exchange events. Adapters: memory, rabbitmq, kafka.
 * Delivery is at least once; in order per subject (photo id) on Kafka and memory, in no promised order on
 * RabbitMQ (competing consumers), so consumers must tolerate events of one photo out of order or at once.
 */
export interface EventBus {
  /** Validates the event against its contract, then publishes it; resolves once the broker has it. */
  publish(event: CloudEvent): Promise<void>;
  /** Declares the group's queues / joins the group and starts consuming. */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Reads up to `limit` dead letters of a group without removing them. */
  deadLetters(group: string, limit?: number): Promise<DeadLetter[]>;
  /**
   * Delivers up to `limit` of the group's dead letters again, as they were first published, to that group
   * only (other groups do not see them again), and removes them from the dead-letter channel; returns how
   * many were replayed. A replayed event keeps its subject's partition; it comes after the events already
   * waiting there (Kafka: on the group's replay topic `<channel>.replay.<group>`, beside the main topic).
   */
  replayDeadLetters(group: string, limit?: number): Promise<number>;
  /** True when the broker connection is usable, for /health/ready. */
  isHealthy(): Promise<boolean>;
  /** Stops every subscription and closes connections. */
  close(): Promise<void>;
}
