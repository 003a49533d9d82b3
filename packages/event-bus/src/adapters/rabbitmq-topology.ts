import type { Channel, ChannelModel, GetMessage, Message, Options } from 'amqplib';
import { deadLetterHeaders } from '../dead-letter.js';

/**
 * Names and declarations. A channel is a fanout exchange; a consumer group is one durable quorum queue
 * bound to it (replicas are its competing consumers), with a quorum dead-letter queue beside it. The
 * names differ from those of the partition-queue topology this replaced, so both can sit on one broker.
 */
export const exchangeOf = (channel: string) => `${channel}.events`;
export const groupQueue = (channel: string, group: string) => `${channel}.${group}`;
export const deadLetterQueue = (channel: string, group: string) => `${channel}.${group}.dead-letters`;
/** Alternate exchange of the channel, and its queue: events no group was bound to receive yet. */
const parkingOf = (channel: string) => `${channel}.events.unrouted`;

/**
 * Deliveries of a message that ended without an ack (its consumer died, hung past consumer_timeout or
 * stopped) before the broker dead-letters it: what catches an event that crashes every replica it
 * reaches, which the handler's own retries (see deliver) never see.
 */
export const DELIVERY_LIMIT = 10;
/** Queues read by get-and-requeue must never drop a message for being read often (RabbitMQ 4 defaults to 20; -1 drops on 3.10). */
const NO_LIMIT = 1_000_000_000;
const quorum = (extra: Record<string, unknown> = {}): Options.AssertQueue => ({ durable: true, arguments: { 'x-queue-type': 'quorum', ...extra } });

/**
 * RabbitMQ drops a message no queue is bound to receive. Before the first group of a channel exists
 * (a consumer deployed after its producer) that would lose events, so the exchange parks them (7 days)
 * and each new group starts with a copy of them. Publishers and consumers both declare this.
 */
export async function declareExchange(ch: Channel, channel: string): Promise<void> {
  const parking = parkingOf(channel);
  await ch.assertExchange(parking, 'fanout', { durable: true });
  await ch.assertQueue(parking, quorum({ 'x-message-ttl': 7 * 24 * 3600 * 1000, 'x-max-length': 100_000, 'x-delivery-limit': NO_LIMIT }));
  await ch.bindQueue(parking, parking, '');
  await ch.assertExchange(exchangeOf(channel), 'fanout', { durable: true, alternateExchange: parking });
}

/** Declares a live subscription's queue: server-named, exclusive, gone with its connection. */
export async function declareLiveQueue(ch: Channel, channel: string): Promise<string> {
  await declareExchange(ch, channel);
  const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
  await ch.bindQueue(queue, exchangeOf(channel), '');
  return queue;
}

/** Declares a group's queues (idempotent); a new group adopts the parked events. Returns the queue. */
export async function declareGroup(model: ChannelModel, ch: Channel, channel: string, group: string): Promise<string> {
  await declareExchange(ch, channel);
  const queue = groupQueue(channel, group);
  const isNew = !(await queueExists(model, queue));
  await ch.assertQueue(deadLetterQueue(channel, group), quorum({ 'x-delivery-limit': NO_LIMIT }));
  await ch.assertQueue(
    queue,
    quorum({
      'x-delivery-limit': DELIVERY_LIMIT,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': deadLetterQueue(channel, group),
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    }),
  );
  await ch.bindQueue(queue, exchangeOf(channel), '');
  if (isNew) await copyParked(model, parkingOf(channel), queue);
  return queue;
}

/**
 * Copies the parked events into a new group's queue after binding it, so none is missed; they stay
 * parked for groups created later. Two replicas creating one group at once may both copy them.
 */
async function copyParked(model: ChannelModel, parking: string, queue: string): Promise<void> {
  await readQueue(model, parking, Number.POSITIVE_INFINITY, async (message, writer) => {
    const { headers, contentType, messageId } = message.properties;
    writer.sendToQueue(queue, message.content, { headers, contentType, messageId, persistent: true });
  });
}

/** Whether the queue exists, without creating it. */
export async function queueExists(model: ChannelModel, queue: string): Promise<boolean> {
  const ch = await model.createChannel();
  ch.on('error', () => undefined); // a 404 closes the channel: that is the answer, not a fault
  try {
    return Boolean(await ch.checkQueue(queue));
  } catch (err) {
    if ((err as { code?: number }).code === 404) return false;
    throw err;
  } finally {
    await ch.close().catch(() => undefined);
  }
}

/**
 * Gets up to `limit` messages of `queue` and hands each to `visit` with a confirm channel to write on.
 * Those `visit` returns true for are acked (once what it wrote is confirmed); the others go back to
 * their place in the queue (nack: not counted as a failed delivery by RabbitMQ 4.3).
 */
export async function readQueue(
  model: ChannelModel,
  queue: string,
  limit: number,
  visit: (message: GetMessage, writer: Channel) => Promise<boolean | void>,
): Promise<number> {
  const reader = await model.createChannel();
  const writer = await model.createConfirmChannel();
  for (const ch of [reader, writer]) ch.on('error', () => undefined); // the awaited calls reject with the same error
  const done: GetMessage[] = [];
  let read = 0;
  try {
    for (let message: GetMessage | false; read < limit && (message = await reader.get(queue, { noAck: false })); read++) {
      if ((await visit(message, writer)) === true) done.push(message);
    }
    await writer.waitForConfirms();
    for (const message of done) reader.ack(message);
    reader.nackAll(true);
  } finally {
    await reader.close().catch(() => undefined);
    await writer.close().catch(() => undefined);
  }
  return read;
}

/** CloudEvents AMQP binding: `content-type` is the message property, the rest travel as headers. */
export function toAmqp(headers: Record<string, string>, messageId?: string): Options.Publish {
  const { 'content-type': contentType, ...rest } = headers;
  return { headers: rest, contentType, messageId, persistent: true };
}

/** What RabbitMQ adds when it dead-letters or redelivers; not part of the event, dropped on replay. */
const BROKER_HEADER = /^x-(death|first-death-|last-death-|delivery-count|acquired-count)/;

/**
 * The reverse of `toAmqp`, as the string map `deliver()` and the dead-letter helpers expect. A message
 * the broker dead-lettered (delivery limit) gets the annotations our own dead letters carry.
 */
export function headersOf(message: Message, group?: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const raw = message.properties.headers ?? {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || value === null || BROKER_HEADER.test(name)) continue;
    if (Buffer.isBuffer(value)) headers[name] = value.toString('utf8');
    else if (typeof value === 'object') headers[name] = JSON.stringify(value);
    else headers[name] = String(value);
  }
  if (typeof message.properties.contentType === 'string') headers['content-type'] = message.properties.contentType;
  // Dead-lettered by the broker (delivery limit), not by deliver(): say so the way our own dead letters do.
  if (group !== undefined && raw['x-first-death-reason'] === 'delivery_limit') {
    const seconds = (raw['x-death'] as { time?: { value?: number } }[] | undefined)?.[0]?.time?.value;
    const reason = `delivered ${DELIVERY_LIMIT + 1} times without an ack: the consumer died, hung or stopped each time`;
    return deadLetterHeaders(headers, group, reason, DELIVERY_LIMIT + 1, seconds === undefined ? new Date() : new Date(seconds * 1000));
  }
  return headers;
}
