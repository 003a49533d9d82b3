import { eventBusConfigSchema } from '@photos/event-bus';
import { objectStoreConfigSchema } from '@photos/object-store';
import { authConfigSchema, baseConfigSchema, metricsPortSchema, serverTimeoutsConfigSchema } from '@photos/service-kit';
import Type, { type Static } from 'typebox';

/** Every variable the upload service reads; see the README's configuration table. */
export const uploadConfigSchema = Type.Object({
  ...baseConfigSchema.properties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3001 }),
  METRICS_PORT: metricsPortSchema(9301),
  ...authConfigSchema.properties,
  ...objectStoreConfigSchema.properties,
  ...eventBusConfigSchema.properties,
  ...serverTimeoutsConfigSchema.properties,
  UPLOAD_IDLE_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    default: 30_000,
    description: 'An upload whose client sends nothing for this long is aborted (408), nothing stored.',
  }),
  ORIGINALS_BUCKET: Type.String({ minLength: 3, default: 'originals' }),
  MAX_UPLOAD_BYTES: Type.Integer({ minimum: 1, default: 200 * 1024 * 1024, description: 'Per file; 413 beyond.' }),
  MAX_PIXELS: Type.Integer({ minimum: 1, default: 100_000_000, description: 'Width x height read from the header; 422 beyond.' }),
  // What phones make stays well under 1000: a Live Photo or a burst is one image per file, GIF and WebP
  // stickers run 10-100 frames, a screen recording saved as a GIF 30 s x 15 fps = 450. A bomb is 10,000+.
  MAX_FRAMES: Type.Integer({
    minimum: 1,
    default: 1000,
    description: 'Frames of an animated GIF, APNG or WebP, or images of a HEIF file or sequence, counted without decoding; 422 beyond.',
  }),
  MAX_FILES_PER_REQUEST: Type.Integer({ minimum: 1, default: 20 }),
  MAX_HEADER_BYTES: Type.Integer({ minimum: 1024, default: 1024 * 1024, description: 'How far into a file its image header may be.' }),
  OUTBOX_INTERVAL_MS: Type.Integer({ minimum: 50, default: 5_000, description: 'How often pending events are retried.' }),
  OUTBOX_MIN_AGE_MS: Type.Integer({
    minimum: 0,
    default: 500,
    description: 'The outbox sweep leaves younger events to the upload that wrote them (no double publish across replicas).',
  }),
  INTENT_TTL_MS: Type.Integer({
    minimum: 0,
    default: 3_600_000,
    description: 'An upload not committed this long after it started is rolled back; keep well above the longest upload.',
  }),
  INTENT_SWEEP_INTERVAL_MS: Type.Integer({ minimum: 50, default: 60_000, description: 'How often unfinished uploads are looked for.' }),
});

export type UploadConfig = Static<typeof uploadConfigSchema>;
