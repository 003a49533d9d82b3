/**
 * Runs once, in vitest's main process, before every test file: starts librdkafka's mock Kafka cluster
 * (unless KAFKA_BROKERS names a real one) and hands its address to the tests (`inject('kafkaBrokers')`).
 * The native addon must not be loaded in worker threads, hence here.
 */
import type { TestProject } from 'vitest/node';
import { startMockKafka } from '../packages/event-bus/src/test-support/kafka-mock-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
    kafkaIsMock: boolean;
  }
}

export default async function setup(project: TestProject) {
  const real = process.env['KAFKA_BROKERS'];
  if (real) {
    project.provide('kafkaBrokers', real.split(','));
    project.provide('kafkaIsMock', false);
    return;
  }
  const mock = await startMockKafka(3);
  console.log(`kafka: librdkafka mock cluster at ${mock.bootstrap.join(',')}`);
  project.provide('kafkaBrokers', mock.bootstrap);
  project.provide('kafkaIsMock', true);
  return () => mock.stop();
}
