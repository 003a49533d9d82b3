import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';

/** Headers of a Kafka message as strings (kafkajs gives Buffers). */
export function headersOf(message: KafkaMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return headers;
}

/** Per partition: [first offset still to read, high watermark]. Empty when there is nothing. */
async function pendingRanges(admin: Admin, topic: string, replayGroup: string): Promise<Map<number, [number, number]>> {
  const ranges = new Map<number, [number, number]>();
  let highs: { partition: number; high: string }[];
  try {
    highs = await admin.fetchTopicOffsets(topic);
  } catch {
    return ranges; // the dead-letter topic does not exist yet: nothing was dead-lettered
  }
  const [committed] = await admin.fetchOffsets({ groupId: replayGroup, topics: [topic] });
  for (const { partition, high } of highs) {
    const done = Number(committed?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
    const start = Math.max(done, 0);
    if (Number(high) > start) ranges.set(partition, [start, Number(high)]);
  }
  return ranges;
}

/**
 * Reads the messages of a dead-letter topic that the replay group has not replayed yet. With `commit`,
 * `visit` is a replay step: each message it accepts (returns true) is committed for the replay group,
 * and reading stops at the first it refuses. Without, a throwaway group only reads.
 */
export async function readDeadLetters(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  replayGroup: string,
  options: { commit: boolean; visit: (message: KafkaMessage, partition: number) => Promise<boolean> },
): Promise<void> {
  const ranges = await pendingRanges(admin, topic, replayGroup);
  if (ranges.size === 0) return;
  const consumer = kafka.consumer({
    groupId: options.commit ? replayGroup : `${replayGroup}.reader.${randomUUID()}`,
    sessionTimeout: 10_000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const remaining = new Set(ranges.keys());
    let stop = false;
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }) => {
        const range = ranges.get(batch.partition);
        for (const message of batch.messages) {
          const offset = Number(message.offset);
          if (stop || !range || offset >= range[1]) break;
          if (offset >= range[0]) {
            if (!(await options.visit(message, batch.partition))) {
              stop = true;
              break;
            }
            if (options.commit) {
              resolveOffset(message.offset);
              await consumer.commitOffsets([{ topic, partition: batch.partition, offset: String(offset + 1) }]);
            }
          }
          if (offset + 1 >= range[1]) remaining.delete(batch.partition);
        }
        await commitOffsetsIfNecessary();
        if (stop || remaining.size === 0) finish();
      },
    });
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  } finally {
    await consumer.disconnect();
  }
}
