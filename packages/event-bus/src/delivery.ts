import type { CloudEvent, EventCatalogue } from '@photos/contracts';
import type { BusMetrics } from './bus-metrics.js';
import { fromBinary, type HeaderPrefix } from './cloudevents-binary.js';
import type { EventHandler, SubscribeOptions } from './event-bus.js';
import type { BusLogger } from './logger.js';
import { PermanentFailure } from './permanent-failure.js';
import { processTraced, type MessagingSystem } from './tracing.js';
import { isTransientError } from './transient-failure.js';

/** What an adapter must do with a message once delivery is over. */
export type Outcome =
  | { kind: 'ack'; type: string | undefined }
  | { kind: 'dead-letter'; reason: string; attempts: number; event: CloudEvent | undefined; type: string | undefined }
  /**
   * Neither ack nor dead-letter; the message will be redelivered. The subscription is stopping, or the
   * adapter lost the message (`error`: the keep-alive failed, e.g. Kafka is rebalancing the partition).
   * `retryingSince` is when its transient failures began, to carry the retry horizon over to the redelivery.
   */
  | { kind: 'abandon'; error?: unknown; retryingSince?: number };

/** How a failing handler is retried; the bus's defaults, which subscribe options may override. */
export interface RetryPolicy {
  /** Tries before a (non-transient) failing event is dead-lettered. */
  maxAttempts: number;
  /** Backoff before retry n is min(maxMs, initialMs * 2^(n-1)), with full jitter. */
  backoff: { initialMs: number; maxMs: number };
  /** How long transient failures are retried, from the first one, before the event is dead-lettered. */
  horizonMs: number;
  /** The backoff cap of transient retries. */
  transientMaxDelayMs: number;
}

export interface DeliveryOptions extends RetryPolicy {
  catalogue: EventCatalogue;
  prefix: HeaderPrefix;
  group: string;
  handlers: SubscribeOptions['handlers'];
  signal: AbortSignal;
  logger: BusLogger;
  metrics?: BusMetrics | undefined;
  /**
   * Called every `keepAliveEveryMs` while the delivery lasts (handler runs and retry waits), for transports
   * that evict a consumer that goes quiet (Kafka heartbeats). A rejection abandons the delivery.
   */
  keepAlive?: (() => Promise<void>) | undefined;
  keepAliveEveryMs?: number;
  /** When transient failures of this message began in an earlier, cut-short delivery (see Outcome). */
  retryingSince?: number | undefined;
  now?: () => number;
  /** The transport, for the consumer span's `messaging.system`. Default `memory`. */
  messagingSystem?: MessagingSystem;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_BACKOFF = { initialMs: 100, maxMs: 5_000 };
export const DEFAULT_RETRY_HORIZON_MS = 3_600_000;
export const DEFAULT_TRANSIENT_MAX_DELAY_MS = 30_000;
const DEFAULT_KEEP_ALIVE_EVERY_MS = 1_000;

/** The bus's retry policy with a subscription's overrides applied. */
export function retryPolicyOf(options: SubscribeOptions, defaults: Partial<RetryPolicy> = {}): RetryPolicy {
  return {
    maxAttempts: options.maxAttempts ?? defaults.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    backoff: options.backoff ?? defaults.backoff ?? DEFAULT_BACKOFF,
    horizonMs: options.retryHorizonMs ?? defaults.horizonMs ?? DEFAULT_RETRY_HORIZON_MS,
    transientMaxDelayMs: options.transientMaxDelayMs ?? defaults.transientMaxDelayMs ?? DEFAULT_TRANSIENT_MAX_DELAY_MS,
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const backoffDelay = (n: number, initialMs: number, maxMs: number) => Math.random() * Math.min(maxMs, initialMs * 2 ** (n - 1));
/** Warn on the 1st, 2nd, 4th, 8th... transient retry of a message: an hour-long outage writes a dozen lines, not hundreds. */
const worthWarning = (n: number) => (n & (n - 1)) === 0;

/**
 * The transport-independent half of consuming: decode, validate against the contract, upcast, dispatch
 * to the handler of the family, retry, and decide the outcome. A message that fails decoding or
 * validation is dead-lettered at once: retrying cannot fix it. A handler failure is retried with
 * exponential backoff and full jitter: a transient one (see isTransientError) until the horizon, without
 * counting toward maxAttempts; any other up to maxAttempts; a PermanentFailure not at all. Meanwhile
 * the message's partition waits, so a subject's events stay in order.
 */
export async function deliver(headers: Record<string, string>, body: Buffer, options: DeliveryOptions): Promise<Outcome> {
  const { catalogue } = options;
  let decoded: Record<string, unknown>;
  try {
    decoded = fromBinary(headers, body, options.prefix);
  } catch (error) {
    return { kind: 'dead-letter', reason: `undecodable message: ${messageOf(error)}`, attempts: 0, event: undefined, type: undefined };
  }
  const validation = catalogue.validate(decoded);
  if (!validation.ok) {
    const type = typeof decoded['type'] === 'string' ? decoded['type'] : undefined;
    return { kind: 'dead-letter', reason: `invalid event: ${validation.problems.join('; ')}`, attempts: 0, event: undefined, type };
  }
  const event = catalogue.upcast(validation.event);
  const family = catalogue.familyOf(event.type);
  const handler = family && (options.handlers as Record<string, EventHandler | undefined>)[family.name];
  if (!handler) return { kind: 'ack', type: event.type };
  // One consumer span over every try, child of the producer span the event's traceparent names.
  const transport = { system: options.messagingSystem ?? 'memory', destination: catalogue.channel, group: options.group };
  const failure = (outcome: Outcome) => (outcome.kind === 'dead-letter' ? outcome.reason : undefined);
  return processTraced(event, transport, () => dispatch(event, handler, options), failure);
}

async function dispatch(event: CloudEvent, handler: EventHandler, options: DeliveryOptions): Promise<Outcome> {
  if (!options.keepAlive) return retrying(event, handler, options, options.signal);

  // The keep-alive runs beside the handler: a handler blocked on a dead dependency must not get the consumer evicted.
  const lost = new AbortController();
  let lostBecause: unknown;
  const keepAlive = options.keepAlive;
  const timer = setInterval(() => {
    keepAlive().catch((error: unknown) => {
      lostBecause ??= error;
      lost.abort();
    });
  }, options.keepAliveEveryMs ?? DEFAULT_KEEP_ALIVE_EVERY_MS);
  try {
    const outcome = await retrying(event, handler, options, AbortSignal.any([options.signal, lost.signal]));
    return outcome.kind === 'abandon' && lostBecause !== undefined ? { ...outcome, error: lostBecause } : outcome;
  } finally {
    clearInterval(timer);
  }
}

async function retrying(event: CloudEvent, handler: EventHandler, options: DeliveryOptions, signal: AbortSignal): Promise<Outcome> {
  const { group, logger, metrics } = options;
  const now = options.now ?? Date.now;
  const type = event.type;
  let failures = 0;
  let transientFailures = 0;
  let retryingSince = options.retryingSince;
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) return { kind: 'abandon', ...(retryingSince !== undefined ? { retryingSince } : {}) };
    try {
      await handler(event, { attempt, signal });
      return { kind: 'ack', type };
    } catch (error) {
      // A handler that gave up because the subscription is stopping has not failed: the event comes back.
      if (signal.aborted) return { kind: 'abandon', ...(retryingSince !== undefined ? { retryingSince } : {}) };
      const reason = messageOf(error);
      const log = { group, eventId: event.id, type, subject: event.subject, correlationId: event.correlationid, attempt, err: error };
      const deadLetter = (why: string, message: string): Outcome => {
        logger.error(log, message);
        return { kind: 'dead-letter', reason: why, attempts: attempt, event, type };
      };
      if (error instanceof PermanentFailure) return deadLetter(reason, 'event handler failed for good; dead-lettering');
      const transient = isTransientError(error);
      let delayMs: number;
      if (transient) {
        transientFailures++;
        retryingSince ??= now();
        const retryingForMs = now() - retryingSince;
        if (retryingForMs >= options.horizonMs) {
          const why = `transient failure outlasted the retry horizon (${options.horizonMs} ms): ${reason}`;
          return deadLetter(why, 'a dependency stayed unavailable past the retry horizon; dead-lettering');
        }
        const backoff = backoffDelay(transientFailures, options.backoff.initialMs, options.transientMaxDelayMs);
        delayMs = Math.min(backoff, options.horizonMs - retryingForMs);
        const level = worthWarning(transientFailures) ? 'warn' : 'debug';
        const details = { ...log, transient: true, retryingForMs, nextDelayMs: Math.round(delayMs) };
        logger[level](details, 'a dependency of the event handler is unavailable; will retry');
      } else {
        failures++;
        if (failures >= options.maxAttempts) return deadLetter(reason, 'event handler failed for good; dead-lettering');
        delayMs = backoffDelay(failures, options.backoff.initialMs, options.backoff.maxMs);
        logger.warn({ ...log, transient: false, nextDelayMs: Math.round(delayMs) }, 'event handler failed; will retry');
      }
      metrics?.retried(group, transient);
      await sleep(delayMs, signal);
    }
  }
}
