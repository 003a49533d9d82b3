import type { Channel, ChannelModel, GetMessage, Message, Options } from 'amqplib';

/**
 * Names and declarations of the RabbitMQ topology. Kafka's model is rebuilt from plain queues: the
 * channel is a direct exchange, a partition is a routing key `p<N>`, and each group owns one queue per
 * partition (its "log" and committed offset in one), a dead-letter queue and a membership queue.
 */
export const routingKeyOf = (partition: number) => `p${partition}`;
export const partitionQueue = (channel: string, group: string, partition: number) => `${channel}.${group}.p${partition}`;
export const deadLetterQueue = (channel: string, group: string) => `${channel}.${group}.dlq`;
export const membersQueue = (channel: string, group: string) => `${channel}.${group}.members`;
/** Alternate exchange and queue of the channel: events that no group's queue was bound to receive. */
export const parkingOf = (channel: string) => `${channel}.unrouted`;

/** Header of a dead letter that remembers where it was routed, for keyless (invalid) messages. */
export const ROUTING_KEY_HEADER = 'x-original-routing-key';

const NOT_FOUND = 404;
const PARKING_TTL_MS = 7 * 24 * 3600 * 1000;
const PARKING_MAX_LENGTH = 100_000;

/**
 * RabbitMQ drops a message that no queue is bound to receive. Before the first group of a channel
 * exists (a consumer deployed after its producer) that would lose events, so the exchange parks them
 * in `<channel>.unrouted` (kept 7 days) and each new group starts with a copy of them.
 */
export async function declareExchange(ch: Channel, channel: string): Promise<void> {
  const parking = parkingOf(channel);
  await ch.assertExchange(parking, 'fanout', { durable: true });
  await ch.assertQueue(parking, { durable: true, messageTtl: PARKING_TTL_MS, maxLength: PARKING_MAX_LENGTH });
  await ch.bindQueue(parking, parking, '');
  await ch.assertExchange(channel, 'direct', { durable: true, alternateExchange: parking });
}

/** The dead-letter queue if the group exists, else undefined: reading must not create a group. */
export async function checkDeadLetterQueue(ch: Channel, channel: string, group: string): Promise<string | undefined> {
  try {
    return (await ch.checkQueue(deadLetterQueue(channel, group))).queue;
  } catch (err) {
    if ((err as { code?: number }).code === NOT_FOUND) return undefined;
    throw err;
  }
}

/** A group exists once its dead-letter queue does: it is declared last. */
async function groupExists(model: ChannelModel, channel: string, group: string): Promise<boolean> {
  const ch = await model.createChannel();
  ch.on('error', () => undefined); // a 404 closes the channel; that is the answer, not a fault
  try {
    return (await checkDeadLetterQueue(ch, channel, group)) !== undefined;
  } finally {
    await closeQuietly(ch);
  }
}

/**
 * Idempotent: every replica declares the whole topology of its group before consuming. A new group's
 * partition queues get the parked events before they are bound, so those come first, in order.
 */
export async function declareGroup(
  model: ChannelModel,
  ch: Channel,
  channel: string,
  group: string,
  partitions: number,
  live = false,
): Promise<number> {
  await declareExchange(ch, channel);
  const isNew = !live && !(await groupExists(model, channel, group));
  // A live group's queues are transient and expire a minute after its replica is gone.
  const queueOptions = live ? { durable: false, expires: 60_000 } : { durable: true };
  for (let p = 0; p < partitions; p++) await ch.assertQueue(partitionQueue(channel, group, p), queueOptions);
  const bind = async () => {
    for (let p = 0; p < partitions; p++) await ch.bindQueue(partitionQueue(channel, group, p), channel, routingKeyOf(p));
  };
  const adopted = isNew ? await adoptParked(model, channel, group, partitions, bind) : (await bind(), 0);
  // Nobody publishes here: its consumer count is the number of live replicas. Not durable, and it
  // expires a day after the group's last replica left, so retired groups leave nothing behind.
  await ch.assertQueue(membersQueue(channel, group), { durable: false, expires: 24 * 3600 * 1000 });
  await ch.assertQueue(deadLetterQueue(channel, group), queueOptions);
  return adopted;
}

/**
 * Copies the parked events into a new group's partition queues, leaving them parked for groups created
 * later (the reader's channel is closed without acking). The messages parked between the first pass and
 * the binding are copied by a second pass; they may land behind events routed in that instant.
 */
async function adoptParked(model: ChannelModel, channel: string, group: string, partitions: number, bind: () => Promise<void>): Promise<number> {
  const reader = await model.createChannel();
  const writer = await model.createConfirmChannel();
  for (const ch of [reader, writer]) ch.on('error', () => undefined); // the awaited calls reject with the same error
  let copied = 0;
  const copyAll = async () => {
    for (let message: GetMessage | false; (message = await reader.get(parkingOf(channel), { noAck: false })); copied++) {
      const { headers, contentType, messageId } = message.properties;
      const partition = /^p(\d+)$/.exec(message.fields.routingKey)?.[1];
      const target = partitionQueue(channel, group, partition !== undefined && Number(partition) < partitions ? Number(partition) : 0);
      writer.sendToQueue(target, message.content, { headers, contentType, messageId, persistent: true });
    }
  };
  try {
    await copyAll();
    await bind();
    await copyAll();
    await writer.waitForConfirms();
  } finally {
    await closeQuietly(reader);
    await closeQuietly(writer);
  }
  return copied;
}

/** CloudEvents AMQP binding: `content-type` is the message property, the rest travel as headers. */
export function toAmqp(headers: Record<string, string>, messageId?: string): Options.Publish {
  const { 'content-type': contentType, ...rest } = headers;
  return { headers: rest, contentType, messageId, persistent: true };
}

/** The reverse of `toAmqp`, as the string map `deliver()` and the dead-letter helpers expect. */
export function headersOf(message: Message): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.properties.headers ?? {})) {
    if (value === undefined || value === null) continue;
    if (Buffer.isBuffer(value)) headers[name] = value.toString('utf8');
    else if (typeof value === 'object') headers[name] = JSON.stringify(value);
    else headers[name] = String(value);
  }
  if (typeof message.properties.contentType === 'string') headers['content-type'] = message.properties.contentType;
  return headers;
}

/** Closes a channel that may already be closed (by the broker, or with its connection). */
export async function closeQuietly(ch: Channel | undefined): Promise<void> {
  try {
    await ch?.close();
  } catch {
    // already closed: nothing left to release
  }
}
