import { eventBusConfigSchema } from '@photos/event-bus';
import { objectStoreConfigSchema } from '@photos/object-store';
import { authConfigSchema, baseConfigSchema, metricsPortSchema } from '@photos/service-kit';
import Type, { type Static } from 'typebox';

/** Every variable the BFF reads; see the README's configuration table. */
export const bffConfigSchema = Type.Object({
  ...baseConfigSchema.properties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  METRICS_PORT: metricsPortSchema(9300),
  ...authConfigSchema.properties,
  ...objectStoreConfigSchema.properties,
  ...eventBusConfigSchema.properties,
  UPLOAD_URL: Type.String({ format: 'uri', default: 'http://127.0.0.1:3001', description: 'The upload service, for the upload pass-through.' }),
  UPLOAD_STALL_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    default: 60_000,
    description: 'The upload service taking no body and giving no answer this long (hung, unreachable): 504.',
  }),
  METADATA_URL: Type.String({ format: 'uri', default: 'http://127.0.0.1:3003', description: 'The metadata service, for queries and deletes.' }),
  ACCOUNTS_DATABASE_URL: Type.Optional(Type.String({ minLength: 1, description: 'Postgres for accounts; absent: embedded PGlite under DATA_DIR.' })),
  REDIS_URL: Type.Optional(Type.String({ minLength: 1, description: 'Shared rate-limit counters; absent or unreachable: per-process counters.' })),
  REDIS_COMMAND_TIMEOUT_MS: Type.Integer({
    minimum: 10,
    default: 200,
    description: 'A slower Redis command fails: the BFF counts in the process, metadata reads the database.',
  }),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({
    minimum: 60,
    default: 900,
    description: "Lifetime of issued access tokens (and of the browser's access cookie, renewed by refresh).",
  }),
  REFRESH_TOKEN_TTL_SECONDS: Type.Integer({
    minimum: 300,
    default: 1_209_600,
    description: 'A browser session ends after this long without a refresh (each refresh rotates the token and starts the period again).',
  }),
  SESSION_COOKIE_SECURE: Type.Boolean({
    default: true,
    description: 'Session cookies are Secure (HTTPS only; browsers also accept them from localhost). Set false only to serve plain http on a LAN.',
  }),
  EVENT_STREAMS_PER_USER: Type.Integer({ minimum: 1, default: 6, description: 'Open event streams (GET /api/events) per user per BFF replica; 429 beyond.' }),
  MEDIA_URL_TTL_SECONDS: Type.Integer({ minimum: 60, default: 3600, description: 'Lifetime of signed image URLs.' }),
  ORIGINALS_BUCKET: Type.String({ minLength: 3, default: 'originals', description: 'Bucket of the originals (written by upload).' }),
  VARIANTS_BUCKET: Type.String({ minLength: 3, default: 'variants', description: 'Bucket of the variants (written by processor).' }),
  WEB_DIST_DIR: Type.Optional(Type.String({ minLength: 1, description: 'Built web app to serve at /; default apps/web/dist.' })),
  CORS_ORIGINS: Type.Array(Type.String(), { default: [], description: 'Comma-separated origins allowed to call the API.' }),
  SCRYPT_COST: Type.Integer({ minimum: 10, maximum: 20, default: 17, description: 'log2 of scrypt N for password hashes (OWASP: 17).' }),
  LOGIN_MAX_FAILURES: Type.Integer({
    minimum: 1,
    default: 5,
    description: 'Failed logins on an account from one client address per 15 min; beyond, that address alone gets 429 for that account.',
  }),
  LOGIN_SLOWDOWN_AFTER_FAILURES: Type.Integer({
    minimum: 0,
    default: 3,
    description: 'Failed logins on an account (from any address, 15 min) after which each attempt on it waits 250 ms, doubling per failure.',
  }),
  LOGIN_SLOWDOWN_MAX_MS: Type.Integer({ minimum: 0, default: 5_000, description: 'The longest such wait: the owner still gets in, only slower.' }),
  RATE_LIMIT_AUTH_PER_MINUTE: Type.Integer({ minimum: 1, default: 20, description: 'Register/login requests per IP.' }),
  RATE_LIMIT_UPLOADS_PER_MINUTE: Type.Integer({ minimum: 1, default: 120, description: 'Upload requests per user.' }),
  RATE_LIMIT_LINKS_PER_MINUTE: Type.Integer({ minimum: 1, default: 120, description: 'Requests to each share link route (/api/links/*) per IP.' }),
  LINK_UNLOCK_MAX_FAILURES: Type.Integer({
    minimum: 1,
    default: 10,
    description: 'Wrong passwords for one share link from one address per 15 min; beyond, that address gets 429 for that link.',
  }),
  RATE_LIMIT_SHARES_PER_MINUTE: Type.Integer({
    minimum: 1,
    default: 30,
    description: 'Album shares by email per user (each tells whether an email has an account).',
  }),
});

export type BffConfig = Static<typeof bffConfigSchema>;
