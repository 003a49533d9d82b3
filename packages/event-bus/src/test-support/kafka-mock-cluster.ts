import { createRequire } from 'node:module';

/**
 * librdkafka's mock Kafka cluster (shipped in @confluentinc/kafka-javascript, a dev dependency): real
 * brokers speaking the Kafka protocol on loopback ports, inside this process. It lives as long as the
 * producer handle that created it. Lacks CreateTopics/DeleteTopics/DescribeGroups/ListGroups.
 */
export async function startMockKafka(brokers = 3): Promise<{ bootstrap: string[]; stop(): Promise<void> }> {
  const require = createRequire(import.meta.url);
  const { Producer } = require('@confluentinc/kafka-javascript') as {
    Producer: new (config: Record<string, unknown>) => {
      connect(options: { timeout: number }, callback: (error: Error | null, metadata: { brokers: { id: number; host: string; port: number }[] }) => void): void;
      disconnect(timeout: number, callback: () => void): void;
    };
  };
  const holder = new Producer({ 'test.mock.num.brokers': brokers, 'client.id': 'mock-kafka-holder' });
  const metadata = await new Promise<{ brokers: { id: number; host: string; port: number }[] }>((resolve, reject) =>
    holder.connect({ timeout: 10_000 }, (error, data) => (error ? reject(error) : resolve(data))),
  );
  const bootstrap = [...metadata.brokers].sort((a, b) => a.id - b.id).map((b) => `${b.host}:${b.port}`);
  return { bootstrap, stop: () => new Promise<void>((resolve) => holder.disconnect(10_000, () => resolve())) };
}
