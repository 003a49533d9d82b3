import type { EventCatalogue } from '@photos/contracts';
import { fromBinary, type HeaderPrefix } from './cloudevents-binary.js';
import type { DeadLetter } from './event-bus.js';

const REASON = 'x-dead-letter-reason';
const ATTEMPTS = 'x-dead-letter-attempts';
const GROUP = 'x-dead-letter-group';
const AT = 'x-dead-lettered-at';

/** The original headers plus why the message was dead-lettered, how many tries, by which group, when. */
export function deadLetterHeaders(original: Record<string, string>, group: string, reason: string, attempts: number, at = new Date()): Record<string, string> {
  return {
    ...original,
    [REASON]: reason.slice(0, 2000),
    [ATTEMPTS]: String(attempts),
    [GROUP]: group,
    [AT]: at.toISOString(),
  };
}

/** The headers to publish again on replay: the original ones, without the dead-letter annotations. */
export function originalHeaders(headers: Record<string, string>): Record<string, string> {
  const { [REASON]: _r, [ATTEMPTS]: _a, [GROUP]: _g, [AT]: _t, ...rest } = headers;
  return rest;
}

/** Reads a dead-lettered message back; `event` is set only when it is a valid event. */
export function parseDeadLetter(headers: Record<string, string>, body: Buffer, prefix: HeaderPrefix, catalogue: EventCatalogue): DeadLetter {
  let event: DeadLetter['event'];
  try {
    const result = catalogue.validate(fromBinary(originalHeaders(headers), body, prefix));
    if (result.ok) event = result.event;
  } catch {
    event = undefined;
  }
  return {
    group: headers[GROUP] ?? '',
    reason: headers[REASON] ?? '',
    attempts: Number(headers[ATTEMPTS] ?? 0),
    deadLetteredAt: headers[AT] ?? '',
    event,
    body: body.toString('utf8'),
    headers: originalHeaders(headers),
  };
}
