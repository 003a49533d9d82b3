/**
 * A mock Kafka cluster of one test file's own, in a child process. The one from global-setup is shared by
 * every test file running at the same time, and services outside a test's control use the fixed topic
 * `photo-events` and fixed groups (`processor`, `metadata`): two platforms on one cluster would take each
 * other's events. The native client cannot be loaded in vitest's workers, hence a process.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface MockKafkaProcess {
  bootstrap: string[];
  stop(): Promise<void>;
}

export async function startMockKafkaProcess(brokers = 3): Promise<MockKafkaProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'mock-kafka-main.ts'), String(brokers)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const bootstrap = await new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mock Kafka not up after 30 s: ${errors}`)), 30_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as string[]);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mock Kafka exited with ${code}: ${errors}`));
    });
  });
  return {
    bootstrap,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
