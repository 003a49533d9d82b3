/**
 * Runs the conformance suite against a real RabbitMQ (AMQP_URL, default the local broker), in a vhost
 * of its own that is deleted afterwards. No broker, or no rabbitmqctl, fails the run: it never skips.
 */
import { randomUUID } from 'node:crypto';
import { EventCatalogue, photoFamilies, type PhotoFamily } from '@photos/contracts';
import { connect } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEventBusConformance } from '../conformance/conformance-suite.js';
import { waitFor } from '../conformance/wait-for.js';
import { createTestVhost, rabbitmqctl } from '../test-support/rabbitmq-vhost.js';
import { createRabbitMqBus } from './rabbitmq-bus.js';
import { declareExchange, DELIVERY_LIMIT, exchangeOf, groupQueue, toAmqp } from './rabbitmq-topology.js';

let url: string;
let vhost: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  ({ url, vhost, remove } = await createTestVhost('event-bus-test'));
});

afterAll(async () => {
  await remove();
});

describeEventBusConformance('rabbitmq', {
  createBus: (catalogue) => createRabbitMqBus({ url, catalogue }),
  async publishRaw(channel, _key, headers, body) {
    const connection = await connect(url);
    try {
      const ch = await connection.createConfirmChannel();
      await declareExchange(ch, channel);
      ch.publish(exchangeOf(channel), '', body, toAmqp(headers));
      await ch.waitForConfirms();
    } finally {
      await connection.close();
    }
  },
  async dropConnectionsFromBroker() {
    await rabbitmqctl('close_all_connections', '-p', vhost, 'conformance test: broker drops connections');
  },
  orderPerKey: false,
});

describe('rabbitmq: an event whose consumer never settles it', () => {
  it('is dead-lettered by the broker after the delivery limit, listed with why, and replayable', async () => {
    const catalogue = new EventCatalogue<PhotoFamily>(`delivery-limit-${randomUUID().slice(0, 8)}`, photoFamilies);
    const bus = await createRabbitMqBus({ url, catalogue });
    const raw = await connect(url);
    try {
      const group = 'crashing';
      const handled: string[] = [];
      const subscription = await bus.subscribe({ group, handlers: { 'photo.uploaded': async (e) => void handled.push(e.id) } });
      await subscription.stop();
      const photoId = randomUUID();
      const data = { photoId, ownerId: 'o', objectKey: `originals/o/${photoId}`, filename: 'a.jpg', contentType: 'image/jpeg' as const, bytes: 1 };
      const event = catalogue.create('photo.uploaded', photoId, { ...data, sha256: 'a'.repeat(64), uploadedAt: new Date().toISOString() }, { source: '/t' });
      await bus.publish(event);

      // A consumer that dies with the message every time: the broker counts each return as a failed delivery.
      const ch = await raw.createChannel();
      let deliveries = 0;
      for (let message; (message = await ch.get(groupQueue(catalogue.channel, group), { noAck: false })); deliveries++) ch.reject(message, true);
      expect(deliveries).toBe(DELIVERY_LIMIT + 1);

      let letters: Awaited<ReturnType<typeof bus.deadLetters>> = [];
      await waitFor('the dead letter', async () => (letters = await bus.deadLetters(group)).length === 1);
      expect(letters[0]).toMatchObject({ group, attempts: DELIVERY_LIMIT + 1, reason: expect.stringMatching(/without an ack/), event });
      expect(letters[0]!.deadLetteredAt).not.toBe('');
      expect(await bus.deadLetters(group)).toHaveLength(1); // reading leaves it there

      await bus.subscribe({ group, handlers: { 'photo.uploaded': async (e) => void handled.push(e.id) } });
      expect(await bus.replayDeadLetters(group)).toBe(1);
      await waitFor('the replayed event', () => handled.includes(event.id));
      expect(await bus.deadLetters(group)).toEqual([]);
    } finally {
      await raw.close();
      await bus.close();
    }
  });
});
