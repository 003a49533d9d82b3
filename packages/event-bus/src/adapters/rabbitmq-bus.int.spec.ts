/**
 * Runs the conformance suite against a real RabbitMQ (AMQP_URL, default the local broker), in a vhost
 * of its own that is deleted afterwards. No broker, or no rabbitmqctl, fails the run: it never skips.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { connect } from 'amqplib';
import { afterAll, beforeAll } from 'vitest';
import { describeEventBusConformance } from '../conformance/conformance-suite.js';
import { partitionOf } from '../partition.js';
import { createRabbitMqBus } from './rabbitmq-bus.js';
import { declareExchange, routingKeyOf, toAmqp } from './rabbitmq-topology.js';

const run = promisify(execFile);
const rabbitmqctl = (...args: string[]) => run('rabbitmqctl', args, { timeout: 60_000 });

const vhost = `event-bus-test-${randomUUID().slice(0, 8)}`;
const url = (() => {
  const base = new URL(process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672');
  base.pathname = `/${encodeURIComponent(vhost)}`;
  return base.toString();
})();
const user = decodeURIComponent(new URL(url).username) || 'guest';

beforeAll(async () => {
  await rabbitmqctl('add_vhost', vhost);
  await rabbitmqctl('set_permissions', '-p', vhost, user, '.*', '.*', '.*');
  // Fails here, loudly, when the broker is unreachable.
  const probe = await connect(url);
  await probe.close();
});

afterAll(async () => {
  await rabbitmqctl('delete_vhost', vhost);
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
