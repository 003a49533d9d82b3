import type { CloudEvent, PhotoEvent, PhotoEventName } from '@photos/contracts';

/** What a handler learns about the delivery besides the event itself. */
export interface DeliveryContext {
  /** 1 on the first try, then 2, 3... up to `maxAttempts`. */
  attempt: number;
  /** Aborted when the subscription is stopping; long handlers may give up early (they will be redelivered). */
  signal: AbortSignal;
}

/**
 * Handles one event, already validated and upcast to the latest version of its family.
 * Returning acknowledges it; throwing makes the bus retry with backoff, then dead-letter it.
 * Throw a `PermanentFailure` to dead-letter at once, without retries.
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
  /** How many events this replica handles at once. Events of one subject are never handled concurrently. Default 1. */
  concurrency?: number;
  /**
   * A live subscription (e.g. pushing status to connected browsers) sees only events published after it
   * started, and leaves nothing behind when it stops: use a group name unique to the replica.
   */
  live?: boolean;
  /** Tries before a failing event goes to the dead-letter channel. Default 5. */
  maxAttempts?: number;
  /** Backoff before retry n is min(maxMs, initialMs * 2^(n-1)) with full jitter. Default 100 ms .. 5 s. */
  backoff?: { initialMs: number; maxMs: number };
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
 * Delivery is at least once, in order per subject (photo id).
 */
export interface EventBus {
  /** Validates the event against its contract, then publishes it; resolves once the broker has it. */
  publish(event: CloudEvent): Promise<void>;
  /** Declares the group's queues / joins the group and starts consuming. */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Reads up to `limit` dead letters of a group without removing them. */
  deadLetters(group: string, limit?: number): Promise<DeadLetter[]>;
  /**
   * Publishes up to `limit` of the group's dead letters again on the event channel, as they were first
   * published, and removes them from the dead-letter channel; returns how many were replayed. Every group
   * sees a replayed event again: consumers are idempotent, so groups that handled it already skip it.
   */
  replayDeadLetters(group: string, limit?: number): Promise<number>;
  /** True when the broker connection is usable, for /health/ready. */
  isHealthy(): Promise<boolean>;
  /** Stops every subscription and closes connections. */
  close(): Promise<void>;
}
