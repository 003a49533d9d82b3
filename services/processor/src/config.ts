import { eventBusConfigSchema } from '@photos/event-bus';
import { objectStoreConfigSchema } from '@photos/object-store';
import { baseConfigSchema, metricsPortSchema } from '@photos/service-kit';
import Type, { type Static } from 'typebox';

/** Every variable the processor reads; see the README's configuration table. */
export const processorConfigSchema = Type.Object({
  ...baseConfigSchema.properties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3002 }),
  METRICS_PORT: metricsPortSchema(9302),
  ...objectStoreConfigSchema.properties,
  ...eventBusConfigSchema.properties,
  ORIGINALS_BUCKET: Type.String({ minLength: 3, default: 'originals' }),
  VARIANTS_BUCKET: Type.String({ minLength: 3, default: 'variants' }),
  MAX_PIXELS: Type.Integer({ minimum: 1, default: 100_000_000, description: 'Refused before decoding beyond this.' }),
  PROCESSOR_CONCURRENCY: Type.Integer({
    minimum: 1,
    maximum: 64,
    default: 2,
    description: 'Photos decoded and encoded at once per replica; it holds one more, its original read ahead.',
  }),
  PROCESSOR_MAX_ATTEMPTS: Type.Integer({ minimum: 1, default: 5, description: 'Tries on transient trouble before dead-letter.' }),
});

export type ProcessorConfig = Static<typeof processorConfigSchema>;
