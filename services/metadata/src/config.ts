import { eventBusConfigSchema } from '@photos/event-bus';
import { authConfigSchema, baseConfigSchema, metricsPortSchema } from '@photos/service-kit';
import Type, { type Static } from 'typebox';

/** Every variable the metadata service reads; see the README's configuration table. */
export const metadataConfigSchema = Type.Object({
  ...baseConfigSchema.properties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3003 }),
  METRICS_PORT: metricsPortSchema(9303),
  ...authConfigSchema.properties,
  ...eventBusConfigSchema.properties,
  DATABASE_URL: Type.Optional(
    Type.String({ minLength: 1, description: 'postgresql://user:password@host:5432/database; absent: embedded PGlite under DATA_DIR, migrated at start.' }),
  ),
  DATA_DIR: Type.String({ minLength: 1, default: '.data', description: 'Embedded mode: where buckets live on disk.' }),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, default: 10 }),
  MIGRATE_ON_START: Type.Boolean({ default: false, description: 'Apply pending migrations at start (compose runs `prisma migrate deploy` instead).' }),
  REDIS_URL: Type.Optional(Type.String({ minLength: 1, description: 'redis://host:6379; without it the cache lives in the process.' })),
  REDIS_COMMAND_TIMEOUT_MS: Type.Integer({ minimum: 10, default: 200, description: 'A slower cache command falls back to the database.' }),
  CACHE_PREFIX: Type.String({ default: 'metadata:', description: 'Put before every cache key.' }),
  CACHE_TTL_SECONDS: Type.Integer({ minimum: 1, default: 300 }),
  METADATA_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 64, default: 8, description: 'Events projected at once per replica.' }),
  LINK_SCRYPT_COST: Type.Integer({ minimum: 10, maximum: 20, default: 17, description: 'log2 of scrypt N for share link passwords (OWASP: 17).' }),
  LINK_UNLOCK_TTL_SECONDS: Type.Integer({
    minimum: 60,
    default: 43_200,
    description: "How long the proof of a share link's password lasts (the holder's cookie), 12 h by default.",
  }),
  METADATA_MAX_ATTEMPTS: Type.Integer({
    minimum: 1,
    default: 5,
    description: 'Tries of a failing event before dead-letter; a database outage is retried until BUS_RETRY_HORIZON_MS instead.',
  }),
});

export type MetadataConfig = Static<typeof metadataConfigSchema>;
