import type { CloudEvent, EventCatalogue } from '@photos/contracts';
import { fromBinary, type HeaderPrefix } from './cloudevents-binary.js';
import type { EventHandler, SubscribeOptions } from './event-bus.js';
import type { BusLogger } from './logger.js';
import { PermanentFailure } from './permanent-failure.js';

/** What an adapter must do with a message once delivery is over. */
export type Outcome =
  | { kind: 'ack' }
  | { kind: 'dead-letter'; reason: string; attempts: number; event: CloudEvent | undefined }
  /** The subscription is stopping in the middle of retries: neither ack nor dead-letter; it will be redelivered. */
  | { kind: 'abandon' };

export interface DeliveryOptions {
  catalogue: EventCatalogue;
  prefix: HeaderPrefix;
  group: string;
  handlers: SubscribeOptions['handlers'];
  maxAttempts: number;
  backoff: { initialMs: number; maxMs: number };
  signal: AbortSignal;
  logger: BusLogger;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_BACKOFF = { initialMs: 100, maxMs: 5_000 };

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

/**
 * The transport-independent half of consuming: decode, validate against the contract, upcast, dispatch
 * to the handler of the family, retry with exponential backoff and full jitter, and decide the outcome.
 * A message that fails decoding or validation is dead-lettered at once: retrying cannot fix it.
 */
export async function deliver(headers: Record<string, string>, body: Buffer, options: DeliveryOptions): Promise<Outcome> {
  const { catalogue, group, logger } = options;
  let decoded: Record<string, unknown>;
  try {
    decoded = fromBinary(headers, body, options.prefix);
  } catch (error) {
    return { kind: 'dead-letter', reason: `undecodable message: ${messageOf(error)}`, attempts: 0, event: undefined };
  }
  const validation = catalogue.validate(decoded);
  if (!validation.ok) {
    return { kind: 'dead-letter', reason: `invalid event: ${validation.problems.join('; ')}`, attempts: 0, event: undefined };
  }
  const event = catalogue.upcast(validation.event);
  const family = catalogue.familyOf(event.type);
  const handler = family && ((options.handlers as Record<string, EventHandler | undefined>)[family.name]);
  if (!handler) return { kind: 'ack' };

  for (let attempt = 1; ; attempt++) {
    if (options.signal.aborted) return { kind: 'abandon' };
    try {
      await handler(event, { attempt, signal: options.signal });
      return { kind: 'ack' };
    } catch (error) {
      const reason = messageOf(error);
      const log = { group, eventId: event.id, type: event.type, subject: event.subject, correlationId: event.correlationid, attempt, err: error };
      if (error instanceof PermanentFailure || attempt >= options.maxAttempts) {
        logger.error(log, 'event handler failed for good; dead-lettering');
        return { kind: 'dead-letter', reason, attempts: attempt, event };
      }
      logger.warn(log, 'event handler failed; will retry');
      const ceiling = Math.min(options.backoff.maxMs, options.backoff.initialMs * 2 ** (attempt - 1));
      await sleep(Math.random() * ceiling, options.signal);
    }
  }
}
