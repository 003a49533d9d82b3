import { createObjectStore } from '@photos/object-store';
import { defineService, type OpenedAdapters } from '@photos/service-kit';
import { buildUploadApp, type UploadAppDeps } from './app.js';
import { uploadConfigSchema, type UploadConfig } from './config.js';

/** What the upload app is built from besides its config and bus (tests give their own). */
export type UploadAdapters = Omit<UploadAppDeps, 'config' | 'bus'>;

/** The originals bucket: S3/MinIO or a directory, as the config selects (createObjectStore). */
export async function openUploadAdapters(config: UploadConfig): Promise<OpenedAdapters<UploadAdapters>> {
  const originals = createObjectStore(config, config.ORIGINALS_BUCKET);
  await originals.ensureBucket();
  return { adapters: { originals } };
}

/**
 * The upload service: streams originals into the originals bucket and announces each with
 * `photo.uploaded` (through its outbox); removes an original on `photo.deleted`.
 */
export const uploadService = defineService({
  name: 'upload',
  configSchema: uploadConfigSchema,
  open: openUploadAdapters,
  build: ({ config, adapters, bus }) => buildUploadApp({ ...adapters, config, bus }),
  checks: ({ adapters }) => ({ ready: { originals: () => adapters.originals.isHealthy() } }),
  consumes: [{ group: 'upload', events: ['photo.deleted'] }],
  produces: ['photo.uploaded'],
});
