import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bffService } from '@photos/bff/service';
import { MemoryBroker } from '@photos/event-bus';
import { metadataService } from '@photos/metadata/service';
import { processorService } from '@photos/processor/service';
import { startServices, type MetricsListenerOptions } from '@photos/service-kit';
import { uploadService } from '@photos/upload/service';
import { lockDataDir } from './data-dir-lock.js';
import { UnconsumedEvents } from './unconsumed-events.js';

export interface EmbeddedOptions {
  /** Everything lives under this directory: buckets, databases, the signing secret. */
  dataDir: string;
  port: number;
  host: string;
  /** Variables to pass to every service (LOG_LEVEL, limits...). */
  env?: Record<string, string | undefined>;
  /** The one internal metrics listener of the four apps; default any free port on 127.0.0.1. */
  metrics?: MetricsListenerOptions;
}

/** A signing secret made once per data directory, so tokens survive a restart. */
function secretOf(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/**
 * The four services in one process, with no servers to install: with no broker, database or S3 named,
 * each service's adapters fall back to their embedded kind (PGlite and directories under DATA_DIR, the
 * in-memory bus on one shared broker, in-process caches). They still talk as in production (the BFF
 * calls upload and metadata over HTTP on loopback).
 * The memory bus lives in the process: `stop()` stops the services from the public entry inward, then
 * keeps what the bus had not delivered for the next start (UnconsumedEvents); a crash can still lose
 * events in flight.
 */
export async function startEmbeddedPlatform(options: EmbeddedOptions): Promise<{ url: string; metricsUrl: string; stop(): Promise<void> }> {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  // Held until stop() returns: backup and restore refuse while it is held (scripts/backup-embedded.ts).
  const unlock = lockDataDir(dataDir);
  const env = {
    LOG_LEVEL: 'warn',
    ...options.env,
    DATA_DIR: dataDir,
    JWT_SECRET: options.env?.['JWT_SECRET'] ?? secretOf(dataDir),
    KAFKA_BROKERS: '',
    AMQP_URL: '',
    S3_ENDPOINT: '',
    DATABASE_URL: '',
    ACCOUNTS_DATABASE_URL: '',
    REDIS_URL: '',
  };
  const broker = new MemoryBroker();
  const unconsumed = new UnconsumedEvents(broker, join(dataDir, 'bus', 'unconsumed-events.jsonl'));
  unconsumed.restore();
  const loopback = { port: 0, host: '127.0.0.1' };
  // Stopped in the reverse order: the BFF (uploads under way are answered, their outbox entries written),
  // upload (its relay has published or kept every event), processor (photos under way finished, their
  // photo.processed published and committed), metadata.
  const platform = await startServices(
    [
      { definition: metadataService, listen: loopback },
      { definition: processorService },
      { definition: uploadService, listen: loopback },
      {
        definition: bffService,
        env: (urls) => ({ UPLOAD_URL: urls['upload'], METADATA_URL: urls['metadata'] }),
        listen: { port: options.port, host: options.host },
      },
    ],
    { env, memoryBroker: broker, wrapBus: (bus) => unconsumed.track(bus), metrics: options.metrics ?? loopback },
  ).catch((error: unknown) => {
    unlock();
    throw error;
  });
  // Every group has subscribed: from now on the broker frees what all of them have consumed.
  broker.releaseConsumed();
  const url = platform.services['bff']!.url!.replace('0.0.0.0', 'localhost').replace('127.0.0.1', 'localhost');
  return {
    url,
    metricsUrl: platform.metricsUrl!,
    // Every consumer has stopped: what they had not consumed yet is kept for the next start.
    stop: () => platform.stop(() => void unconsumed.save()).finally(unlock),
  };
}
