import type { CloudEvent } from '@photos/contracts';

/**
 * CloudEvents binary content mode: attributes travel as message headers, `data` as the body.
 * Kafka uses the `ce_` prefix (Kafka protocol binding); AMQP uses `cloudEvents:` (AMQP binding).
 */
export type HeaderPrefix = 'ce_' | 'cloudEvents:';

export interface BinaryMessage {
  /** The partition key: the event subject (photo id). */
  key: string;
  headers: Record<string, string>;
  body: Buffer;
}

export function toBinary(event: CloudEvent, prefix: HeaderPrefix): BinaryMessage {
  const { data, datacontenttype, ...attributes } = event;
  const headers: Record<string, string> = { 'content-type': datacontenttype };
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) headers[`${prefix}${name}`] = String(value);
  }
  return { key: event.subject, headers, body: Buffer.from(JSON.stringify(data)) };
}

/**
 * Rebuilds the event from headers and body. Throws when the body is not JSON; everything else is left
 * to contract validation, so a bad message is dead-lettered with the validator's reasons.
 */
export function fromBinary(headers: Record<string, string>, body: Buffer, prefix: HeaderPrefix): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(prefix)) event[name.slice(prefix.length)] = value;
  }
  if (headers['content-type'] !== undefined) event['datacontenttype'] = headers['content-type'];
  event['data'] = JSON.parse(body.toString('utf8'));
  return event;
}
