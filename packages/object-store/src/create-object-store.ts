import { join } from 'node:path';
import Type, { type Static } from 'typebox';
import { createFsObjectStore } from './adapters/fs-object-store.js';
import { createS3ObjectStore } from './adapters/s3-object-store.js';
import type { ObjectStore } from './object-store.js';

/**
 * The variables that choose the store: S3_ENDPOINT selects S3 / MinIO, else buckets are directories
 * under DATA_DIR (the embedded mode). Spread into a service's config schema.
 */
export const objectStoreConfigSchema = Type.Object({
  S3_ENDPOINT: Type.Optional(Type.String({ format: 'uri', description: 'e.g. http://minio:9000; selects S3.' })),
  S3_PUBLIC_ENDPOINT: Type.Optional(Type.String({ format: 'uri', description: 'Origin browsers use for signed URLs.' })),
  S3_ACCESS_KEY: Type.Optional(Type.String({ minLength: 1, description: 'S3 access key (with S3_ENDPOINT).' })),
  S3_SECRET_KEY: Type.Optional(Type.String({ minLength: 1, description: 'S3 secret key (with S3_ENDPOINT).' })),
  S3_REGION: Type.String({ minLength: 1, default: 'us-east-1', description: 'S3 region to sign for.' }),
  DATA_DIR: Type.String({ minLength: 1, default: '.data', description: 'Embedded mode: where buckets live on disk.' }),
});

export type ObjectStoreConfig = Static<typeof objectStoreConfigSchema>;

/** The store of one bucket, as the config selects. */
export function createObjectStore(config: ObjectStoreConfig, bucket: string): ObjectStore {
  if (!config.S3_ENDPOINT) return createFsObjectStore({ root: join(config.DATA_DIR, 'buckets', bucket) });
  if (!config.S3_ACCESS_KEY || !config.S3_SECRET_KEY) {
    throw new Error('S3_ACCESS_KEY and S3_SECRET_KEY are required when S3_ENDPOINT is set');
  }
  const endpoint = new URL(config.S3_ENDPOINT);
  const useSSL = endpoint.protocol === 'https:';
  return createS3ObjectStore({
    endPoint: endpoint.hostname,
    port: endpoint.port ? Number(endpoint.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    region: config.S3_REGION,
    bucket,
    pathStyle: true,
    ...(config.S3_PUBLIC_ENDPOINT ? { publicEndpoint: config.S3_PUBLIC_ENDPOINT } : {}),
  });
}
