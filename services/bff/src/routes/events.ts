import { PHOTO_CHANGE_EVENTS } from '@photos/api-contracts';
import { problemResponses, TooManyRequestsError, type ServiceApp } from '@photos/service-kit';
import { NOT_AUTHENTICATED, SECURITY } from './schemas.js';
import type { LiveStatus } from '../domain/live-status.js';

const HEARTBEAT_MS = 15_000;

/** The stream as the OpenAPI document shows it; the event types and their data are components of their own. */
const idOf = (schema: object) => (schema as { $id: string }).$id;
const EVENTS_SCHEMA = {
  summary: 'Live status of my photos (text/event-stream)',
  description:
    "Server-Sent Events of the caller's own photos, until the access token expires (then reconnect). Each event is " +
    '`event: <type>` and `data: <JSON>`; the types and their data: ' +
    Object.entries(PHOTO_CHANGE_EVENTS)
      .map(([type, schema]) => `\`${type}\` (${idOf(schema)})`)
      .join(', ') +
    '. Comment lines (`: keep-alive`) every 15 s; `retry: 3000`. Browsers authenticate by the access cookie (EventSource sends no headers).',
  tags: ['photos'],
  security: SECURITY.read,
  response: {
    200: {
      description: 'The stream; it stays open.',
      content: {
        'text/event-stream': {
          schema: {
            type: 'string',
            description: 'event: photo.processed\ndata: {"id":"…","status":"ready",…}\n\n',
            'x-events': Object.fromEntries(Object.entries(PHOTO_CHANGE_EVENTS).map(([type, schema]) => [type, { $ref: `${idOf(schema)}#` }])),
          },
        },
      },
    },
    ...problemResponses({ ...NOT_AUTHENTICATED, 429: 'This user already holds EVENT_STREAMS_PER_USER streams on this replica (Retry-After).' }),
  },
};

/**
 * GET /api/events: Server-Sent Events of the caller's own photo status changes. Browsers authenticate by
 * the session cookie (EventSource sends cookies, not headers), API clients by `Authorization: Bearer`;
 * never by a token in the URL, which would land in logs. Each user may hold `streamsPerUser` streams on
 * this replica (a tab each, plus some): beyond, 429. A stream ends when its access token expires, so a
 * revoked session does not go on listening; the browser reconnects with a fresh one.
 */
export function eventRoutes(app: ServiceApp, deps: { live: LiveStatus; streamsPerUser: number; now?: () => number }): void {
  const now = deps.now ?? Date.now;
  const open = new Set<() => void>();
  const perUser = new Map<string, number>();
  // On shutdown, end the streams so the server can close (browsers reconnect to another replica).
  app.addHook('preClose', async () => open.forEach((end) => end()));
  // Shared schemas, so that the document has the events' data as components (x-events refers to them).
  for (const schema of Object.values(PHOTO_CHANGE_EVENTS)) app.addSchema(schema);

  app.get('/api/events', { schema: EVENTS_SCHEMA }, async (request, reply) => {
    const owner = request.user.sub;
    const streams = perUser.get(owner) ?? 0;
    if (streams >= deps.streamsPerUser) {
      throw Object.assign(new TooManyRequestsError(`At most ${deps.streamsPerUser} event streams per user; close one first.`), {
        headers: { 'retry-after': '30' },
      });
    }
    perUser.set(owner, streams + 1);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-correlation-id': request.id,
    });
    raw.write(`retry: 3000\n: connected\n\n`);
    const disconnect = deps.live.connect(owner, (change) => {
      raw.write(`event: ${change.type}\ndata: ${JSON.stringify(change.photo)}\n\n`);
    });
    const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const exp = (request.user as { exp?: number }).exp;
    const expiry = exp ? setTimeout(() => end(), Math.min(Math.max(0, exp * 1000 - now()), 2 ** 31 - 1)) : undefined;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      clearTimeout(expiry);
      disconnect();
      open.delete(end);
      const left = (perUser.get(owner) ?? 1) - 1;
      if (left > 0) perUser.set(owner, left);
      else perUser.delete(owner);
      raw.end();
    };
    open.add(end);
    request.raw.on('close', end);
  });
}
