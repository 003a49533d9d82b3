import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swaggerUi from '@fastify/swagger-ui';
import type { EventBus } from '@photos/event-bus';
import type { ObjectStore } from '@photos/object-store';
import { authOptionsFrom, authPlugin, createServiceApp, createTokenSigner, handleEvents, NotFoundError, type ServiceApp } from '@photos/service-kit';
import type { DestinationStream } from 'pino';
import { memoryLoginThrottle } from './adapters/login-throttle.js';
import { mediaUrls } from './adapters/media-urls.js';
import { albumsClient } from './adapters/albums-client.js';
import { metadataClient } from './adapters/metadata-client.js';
import { shareLinksClient } from './adapters/share-links-client.js';
import { memorySessionStore } from './adapters/session-store-memory.js';
import type { BffConfig } from './config.js';
import { statusEventHandlers } from './consumers/status-events.js';
import { accounts, scryptHasher, type AccountStore, type LoginThrottle } from './domain/accounts.js';
import { LiveStatus } from './domain/live-status.js';
import { csrfTokens, hashRefreshToken, newRefreshToken } from './domain/session-secrets.js';
import { sessions, type SessionStore } from './domain/sessions.js';
import { albumRoutes } from './routes/albums.js';
import { apiDocs } from './routes/api-docs.js';
import { authRoutes } from './routes/auth.js';
import { eventRoutes } from './routes/events.js';
import { linkRoutes } from './routes/links.js';
import { mediaRoutes } from './routes/media.js';
import { securityHeaders } from './plugins/security-headers.js';
import { photoRoutes } from './routes/photos.js';
import { registerRoutes } from './routes/register.js';
import { browserSessions, cookieAuthGuard } from './routes/session.js';
import { sessionCookies } from './routes/session-cookies.js';

export interface BffAppDeps {
  config: BffConfig;
  accountStore: AccountStore;
  /** Refresh tokens of browser sessions: service.ts passes the accounts database's; default in the process (tests). */
  sessionStore?: SessionStore;
  /** Failed logins per account and address (service.ts: in Redis when REDIS_URL is set); default in the process. */
  loginThrottle?: LoginThrottle;
  /** Unlock attempts of share links per link and address (service.ts: in Redis when REDIS_URL is set); default in the process. */
  linkUnlockThrottle?: LoginThrottle;
  /** Where rate limits count (service.ts: in Redis when REDIS_URL is set); default in the process. */
  rateLimitStore?: FastifyRateLimitStoreCtor;
  /** How slowed-down logins wait; default a timer (tests record the delays instead). */
  sleep?: (ms: number) => Promise<void>;
  originals: ObjectStore;
  variants: ObjectStore;
  bus: EventBus;
  logStream?: DestinationStream;
  fetchImpl?: typeof fetch;
}

const WEB_DIST = join(import.meta.dirname, '..', '..', '..', 'apps', 'web', 'dist');

/**
 * The BFF: the only public entry. Order: the service kit (logs, errors, health, metrics), then security
 * plugins (helmet, CORS, rate limits), the API docs, auth (every route but the public ones), the routes,
 * and last the web app's static files at /.
 */
export async function buildBffApp(deps: BffAppDeps): Promise<ServiceApp> {
  const { config } = deps;
  const metadata = metadataClient(config.METADATA_URL, deps.fetchImpl);
  const media = mediaUrls({
    variants: deps.variants,
    originals: deps.originals,
    secret: config.JWT_SECRET,
    ttlSeconds: config.MEDIA_URL_TTL_SECONDS,
    storeSigned: Boolean(config.S3_PUBLIC_ENDPOINT),
  });
  const live = new LiveStatus();
  const app = await createServiceApp({
    name: 'bff',
    logLevel: config.LOG_LEVEL,
    ...(deps.logStream ? { logStream: deps.logStream } : {}),
    trustProxy: config.TRUST_PROXY,
  });

  const s3Origin = config.S3_PUBLIC_ENDPOINT;
  securityHeaders(app, {
    contentSecurityPolicy: {
      directives: {
        'img-src': ["'self'", 'data:', 'blob:', ...(s3Origin ? [new URL(s3Origin).origin] : [])],
        'style-src': ["'self'", "'unsafe-inline'"],
        'connect-src': ["'self'"],
        // Image URLs may be plain http on a LAN (MinIO); do not rewrite them to https.
        'upgrade-insecure-requests': null,
      },
    },
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  await app.register(cors, { origin: config.CORS_ORIGINS.length > 0 ? config.CORS_ORIGINS : false, credentials: false });
  await app.register(rateLimit, { global: false, ...(deps.rateLimitStore ? { store: deps.rateLimitStore } : {}) });
  const cookies = sessionCookies({
    secure: config.SESSION_COOKIE_SECURE,
    accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
  });
  await apiDocs(app, cookies.names);
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/docs')) route.config = { ...route.config, public: true };
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { deepLinking: false } });
  // Browsers authenticate by the session cookie, API clients by the Authorization header.
  await app.register(cookie);
  await app.register(authPlugin, { ...authOptionsFrom(config), cookieName: cookies.names.access });
  const csrf = csrfTokens(config.JWT_SECRET);
  cookieAuthGuard(app, { accessCookie: cookies.names.access, csrfValid: csrf.valid });

  const issueToken = createTokenSigner({
    secret: config.JWT_SECRET,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    expiresInSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  });
  const users = accounts({
    store: deps.accountStore,
    throttle: deps.loginThrottle ?? memoryLoginThrottle(),
    newId: randomUUID,
    now: () => new Date(),
    sleep: deps.sleep ?? ((ms) => sleep(ms)),
    hasher: scryptHasher(config.SCRYPT_COST),
    policy: {
      maxFailuresPerAddress: config.LOGIN_MAX_FAILURES,
      slowdownAfterFailures: config.LOGIN_SLOWDOWN_AFTER_FAILURES,
      baseDelayMs: 250,
      maxDelayMs: config.LOGIN_SLOWDOWN_MAX_MS,
    },
  });
  registerRoutes(app, { accounts: users, perMinute: config.RATE_LIMIT_AUTH_PER_MINUTE });
  const browser = browserSessions({
    sessions: sessions({
      store: deps.sessionStore ?? memorySessionStore(),
      now: () => new Date(),
      newId: randomUUID,
      newToken: newRefreshToken,
      hash: hashRefreshToken,
      refreshTtlMs: config.REFRESH_TOKEN_TTL_SECONDS * 1000,
      csrfValid: csrf.valid,
    }),
    cookies,
    issueToken,
    csrfTokenFor: csrf.tokenFor,
  });
  authRoutes(app, { accounts: users, startSession: browser.start, perMinute: config.RATE_LIMIT_AUTH_PER_MINUTE });
  browser.routes(app, { perMinute: config.RATE_LIMIT_AUTH_PER_MINUTE });
  photoRoutes(app, {
    metadata,
    media,
    uploadUrl: config.UPLOAD_URL,
    uploadsPerMinute: config.RATE_LIMIT_UPLOADS_PER_MINUTE,
    uploadStallTimeoutMs: config.UPLOAD_STALL_TIMEOUT_MS,
    ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
  });
  albumRoutes(app, {
    albums: albumsClient(config.METADATA_URL, deps.fetchImpl),
    accounts: deps.accountStore,
    media,
    sharesPerMinute: config.RATE_LIMIT_SHARES_PER_MINUTE,
  });
  linkRoutes(app, {
    links: shareLinksClient(config.METADATA_URL, deps.fetchImpl),
    media,
    linksPerMinute: config.RATE_LIMIT_LINKS_PER_MINUTE,
    unlockMaxFailures: config.LINK_UNLOCK_MAX_FAILURES,
    unlockThrottle: deps.linkUnlockThrottle ?? memoryLoginThrottle(),
    secureCookies: config.SESSION_COOKIE_SECURE,
  });
  eventRoutes(app, { live, streamsPerUser: config.EVENT_STREAMS_PER_USER });
  mediaRoutes(app, { media, variants: deps.variants, originals: deps.originals });

  const webDist = config.WEB_DIST_DIR ?? WEB_DIST;
  if (existsSync(join(webDist, 'index.html'))) {
    // Marked public before the static routes are added: the web app's files need no token.
    app.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/api') && !route.url.startsWith('/media') && !route.url.startsWith('/health') && route.url !== '/metrics') {
        route.config = { ...route.config, public: true };
      }
    });
    await app.register(fastifyStatic, { root: webDist, wildcard: false });
    // Client-side routes fall back to the app shell; unknown API paths stay 404 problems.
    app.get('/*', { config: { public: true }, schema: { hide: true } }, (request, reply) => {
      // /metrics too: it lives on the internal metrics port, and here must be a 404 like any unknown path.
      if (/^\/(api|media|health|metrics)(\/|$|\?)/.test(request.url)) throw new NotFoundError(`No route ${request.method} ${request.url.split('?')[0]}.`);
      return reply.sendFile('index.html');
    });
  } else {
    app.log.warn({ webDist }, 'web app not built (npm run build -w @photos/web): serving the API only');
  }

  // Status changes pushed to this replica's event streams; service.ts declares the (live) group.
  handleEvents(
    app,
    'bff-live',
    statusEventHandlers(live, (key) => media.variant(key)),
  );
  return app;
}
