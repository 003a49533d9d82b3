/**
 * Runs the conformance suite against a real RabbitMQ (AMQP_URL, default the local broker), in a vhost
 * of its own that is deleted afterwards. No broker, or no rabbitmqctl, fails the run: it never skips.
 */
import { connect } from 'amqplib';
import { afterAll, beforeAll } from 'vitest';
import { describeEventBusConformance } from '../conformance/conformance-suite.js';
import { partitionOf } from '../partition.js';
import { createTestVhost, rabbitmqctl } from '../test-support/rabbitmq-vhost.js';
import { createRabbitMqBus } from './rabbitmq-bus.js';
import { declareExchange, routingKeyOf, toAmqp } from './rabbitmq-topology.js';

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
  async publishRaw(channel, key, headers, body) {
    const connection = await connect(url);
    try {
      const ch = await connection.createConfirmChannel();
      await declareExchange(ch, channel);
      ch.publish(channel, routingKeyOf(partitionOf(key, 8)), body, toAmqp(headers));
      await ch.waitForConfirms();
    } finally {
      await connection.close();
    }
  },
  async dropConnectionsFromBroker() {
    await rabbitmqctl('close_all_connections', '-p', vhost, 'conformance test: broker drops connections');
  },
});
