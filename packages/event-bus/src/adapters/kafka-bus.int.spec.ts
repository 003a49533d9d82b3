import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, inject } from 'vitest';
import { describeEventBusConformance } from '../conformance/conformance-suite.js';
import { createKafkaBus } from './kafka-bus.js';

// The brokers come from test/global-setup.ts: librdkafka's mock cluster, or KAFKA_BROKERS when set.
const brokers = inject('kafkaBrokers');
const sessionTimeoutMs = inject('kafkaIsMock') ? 6_000 : 10_000;
let raw: Producer;

beforeAll(async () => {
  raw = new Kafka({ clientId: 'conformance-raw', brokers, logLevel: logLevel.NOTHING }).producer({ allowAutoTopicCreation: true });
  await raw.connect();
});

afterAll(async () => {
  await raw?.disconnect();
});

describeEventBusConformance('kafka', {
  createBus: (catalogue) => createKafkaBus({ brokers, clientId: 'conformance', catalogue, sessionTimeoutMs }),
  publishRaw: async (topic, key, headers, body) => {
    await raw.send({ topic, messages: [{ key, headers, value: body }] });
  },
  joinTimeoutMs: 30_000,
});
