import type { ServiceApp } from '@photos/service-kit';
import type { LiveStatus } from '../domain/live-status.js';

const HEARTBEAT_MS = 15_000;

/**
 * GET /api/events: Server-Sent Events of the caller's own photo status changes. EventSource cannot send
 * headers, so the token may also come as `?access_token=`.
 */
export function eventRoutes(app: ServiceApp, deps: { live: LiveStatus }): void {
  const open = new Set<() => void>();
  // On shutdown, end the streams so the server can close (browsers reconnect to another replica).
  app.addHook('preClose', async () => open.forEach((end) => end()));

  app.get(
    '/api/events',
    { config: { tokenInQuery: true }, schema: { summary: 'Live status of my photos (text/event-stream)', tags: ['photos'] } },
    async (request, reply) => {
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
      const disconnect = deps.live.connect(request.user.sub, (change) => {
        raw.write(`event: ${change.type}\ndata: ${JSON.stringify(change.photo)}\n\n`);
      });
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
      const end = () => {
        clearInterval(heartbeat);
        disconnect();
        open.delete(end);
        raw.end();
      };
      open.add(end);
      request.raw.on('close', end);
    },
  );
}
