/**
 * Runs the upload service and processors in this process, each with its own bus connection (as separate
 * processes would have), on a real transport and a real S3 server, with a channel of their own.
 */
import { randomUUID } from 'node:crypto';
import { EventCatalogue, photoFamilies, type PhotoCatalogue, type PhotoFamily } from '@photos/contracts';
import { createKafkaBus, createRabbitMqBus, type EventBus } from '@photos/event-bus';
import { createObjectStore, type ObjectStore } from '@photos/object-store';
import { createTokenSigner, loadConfig, type ServiceApp } from '@photos/service-kit';
import { buildProcessorApp } from '../../services/processor/src/app.js';
import { processorConfigSchema } from '../../services/processor/src/config.js';
import { buildUploadApp } from '../../services/upload/src/app.js';
import { uploadConfigSchema } from '../../services/upload/src/config.js';

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

export class Pipeline {
  readonly catalogue: PhotoCatalogue = new EventCatalogue<PhotoFamily>(`e2e-${randomUUID().slice(0, 8)}`, photoFamilies);
  readonly suffix = randomUUID().slice(0, 8);
  readonly env: Record<string, string>;
  readonly originals: ObjectStore;
  readonly variants: ObjectStore;
  private readonly apps = new Set<{ app: ServiceApp; bus: EventBus }>();

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
    };
    this.originals = createObjectStore(loadConfig(uploadConfigSchema, this.env), this.env['ORIGINALS_BUCKET']!);
    this.variants = createObjectStore(loadConfig(processorConfigSchema, this.env), this.env['VARIANTS_BUCKET']!);
  }

  async startUpload(transport: Transport = this.transport): Promise<{ url: string; app: ServiceApp }> {
    await this.originals.ensureBucket();
    const bus = await createBus(transport, this.catalogue);
    const app = await buildUploadApp({ config: loadConfig(uploadConfigSchema, this.env), originals: this.originals, bus });
    const entry = { app, bus };
    this.apps.add(entry);
    app.addHook('onClose', async () => {
      this.apps.delete(entry);
      await bus.close();
    });
    return { url: await app.listen({ port: 0, host: '127.0.0.1' }), app };
  }

  async startProcessor(): Promise<ServiceApp> {
    await this.variants.ensureBucket();
    const bus = await createBus(this.transport, this.catalogue);
    const app = await buildProcessorApp({
      config: loadConfig(processorConfigSchema, { ...this.env, PROCESSOR_CONCURRENCY: '2' }),
      originals: this.originals,
      variants: this.variants,
      bus,
    });
    const entry = { app, bus };
    this.apps.add(entry);
    app.addHook('onClose', async () => {
      this.apps.delete(entry);
      await bus.close();
    });
    await app.ready();
    return app;
  }

  async close(): Promise<void> {
    await Promise.all([...this.apps].map(({ app }) => app.close()));
  }
}

/** POSTs files as multipart to the upload service, as a browser would. */
export function postPhotos(url: string, files: { name: string; bytes: Buffer }[], owner = 'alice'): Promise<Response> {
  const form = new FormData();
  for (const file of files) form.append('file', new Blob([file.bytes]), file.name);
  return fetch(`${url}/photos`, { method: 'POST', body: form, headers: { authorization: `Bearer ${signToken({ sub: owner })}` } });
}
