/**
 * Runs the upload service and processors in this process with the service runner, each with its own bus
 * connection (as separate processes would have), on a real transport and a real S3 server, with a
 * channel of their own.
 */
import { randomUUID } from 'node:crypto';
import { EventCatalogue, photoFamilies, type PhotoCatalogue, type PhotoFamily } from '@photos/contracts';
import { createKafkaBus, createRabbitMqBus, type EventBus } from '@photos/event-bus';
import { createObjectStore, objectStoreConfigSchema, type ObjectStore } from '@photos/object-store';
import { createTokenSigner, loadConfig, startServices, type AnyServiceDefinition, type ServiceApp, type StartedServices } from '@photos/service-kit';
import { processorService } from '../../services/processor/src/service.js';
import { uploadService } from '../../services/upload/src/service.js';

export type Transport = { kind: 'rabbitmq'; url: string } | { kind: 'kafka'; brokers: string[]; sessionTimeoutMs: number };

export const JWT_SECRET = 'e2e-secret-0123456789-0123456789-0123456789';
export const signToken = createTokenSigner({ secret: JWT_SECRET, issuer: 'photo-platform', audience: 'photo-platform', expiresInSeconds: 600 });

export function createBus(transport: Transport, catalogue: PhotoCatalogue): Promise<EventBus> {
  return transport.kind === 'rabbitmq'
    ? createRabbitMqBus({ url: transport.url, catalogue })
    : createKafkaBus({ brokers: transport.brokers, clientId: 'e2e', catalogue, sessionTimeoutMs: transport.sessionTimeoutMs });
}

/** A dead broker address of the same transport: connections are refused. */
export function deadTransport(transport: Transport): Transport {
  return transport.kind === 'rabbitmq' ? { kind: 'rabbitmq', url: 'amqp://guest:guest@127.0.0.1:1' } : { ...transport, brokers: ['127.0.0.1:1'] };
}

/** The variables that select `transport` for a service. */
function transportEnv(transport: Transport): Record<string, string> {
  return transport.kind === 'rabbitmq'
    ? { AMQP_URL: transport.url }
    : { KAFKA_BROKERS: transport.brokers.join(','), KAFKA_CLIENT_ID: 'e2e', KAFKA_SESSION_TIMEOUT_MS: String(transport.sessionTimeoutMs) };
}

export class Pipeline {
  readonly catalogue: PhotoCatalogue = new EventCatalogue<PhotoFamily>(`e2e-${randomUUID().slice(0, 8)}`, photoFamilies);
  readonly suffix = randomUUID().slice(0, 8);
  readonly env: Record<string, string>;
  readonly originals: ObjectStore;
  readonly variants: ObjectStore;
  private readonly running = new Set<StartedServices>();

  constructor(
    readonly transport: Transport,
    s3Endpoint: string,
  ) {
    this.env = {
      JWT_SECRET,
      LOG_LEVEL: 'silent',
      S3_ENDPOINT: s3Endpoint,
      S3_ACCESS_KEY: 'S3RVER',
      S3_SECRET_KEY: 'S3RVER',
      ORIGINALS_BUCKET: `originals-${this.suffix}`,
      VARIANTS_BUCKET: `variants-${this.suffix}`,
      OUTBOX_INTERVAL_MS: '200',
      PROCESSOR_CONCURRENCY: '2',
    };
    this.originals = createObjectStore(loadConfig(objectStoreConfigSchema, this.env), this.env['ORIGINALS_BUCKET']!);
    this.variants = createObjectStore(loadConfig(objectStoreConfigSchema, this.env), this.env['VARIANTS_BUCKET']!);
  }

  /** One service as its own process would run it (its own config, adapters and bus connection), here. */
  private async start(definition: AnyServiceDefinition, transport: Transport, listen: boolean) {
    const started = await startServices([{ definition, ...(listen ? { listen: { port: 0, host: '127.0.0.1' } } : {}) }], {
      env: { ...this.env, ...transportEnv(transport) },
      catalogue: this.catalogue,
    });
    this.running.add(started);
    const service = started.services[definition.name]!;
    return { url: service.url!, app: service.app };
  }

  /** Closing its `app` stops it taking requests and events; its bus and bucket are closed with the pipeline. */
  startUpload(transport: Transport = this.transport): Promise<{ url: string; app: ServiceApp }> {
    return this.start(uploadService, transport, true);
  }

  async startProcessor(): Promise<ServiceApp> {
    return (await this.start(processorService, this.transport, false)).app;
  }

  async close(): Promise<void> {
    await Promise.all([...this.running].map((started) => started.stop()));
    this.running.clear();
  }
}

/** POSTs files as multipart to the upload service, as a browser would. */
export function postPhotos(url: string, files: { name: string; bytes: Buffer }[], owner = 'alice'): Promise<Response> {
  const form = new FormData();
  for (const file of files) form.append('file', new Blob([new Uint8Array(file.bytes)]), file.name);
  return fetch(`${url}/photos`, { method: 'POST', body: form, headers: { authorization: `Bearer ${signToken({ sub: owner })}` } });
}
