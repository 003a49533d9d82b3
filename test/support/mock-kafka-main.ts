/**
 * Runs librdkafka's mock Kafka cluster as a process of its own (see mock-kafka-process.ts): prints its
 * bootstrap addresses as one JSON line, then lives until its stdin closes (its parent is gone) or SIGTERM.
 */
import { startMockKafka } from '../../packages/event-bus/src/test-support/kafka-mock-cluster.js';

const mock = await startMockKafka(Number(process.argv[2] ?? 3));
process.stdout.write(`${JSON.stringify(mock.bootstrap)}\n`);
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void mock.stop().finally(() => process.exit(0));
};
process.stdin.on('end', stop).on('close', stop).resume();
process.on('SIGTERM', stop);
