import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Keep-alive connections do not outlive a closing app. Node's `server.close()` closes the connections
 * idle at that moment, but one whose request was still in flight stays open after its reply until the
 * keep-alive timeout: a client reusing it (the BFF's pool) talks to a service that is going away, and
 * the close itself waits that long. So while closing, replies carry `Connection: close`, and
 * connections that fall idle are closed as they do.
 */
export const closingConnectionsPlugin: FastifyPluginAsync = fp(
  async (app) => {
    let closing = false;
    let sweep: NodeJS.Timeout | undefined;
    app.addHook('preClose', async () => {
      closing = true;
      sweep = setInterval(() => app.server.closeIdleConnections(), 100);
      sweep.unref();
    });
    app.addHook('onSend', async (request, reply) => {
      if (closing && request.raw.httpVersionMajor === 1) reply.header('connection', 'close');
    });
    app.addHook('onClose', async () => clearInterval(sweep));
  },
  { name: '@photos/service-kit/closing-connections', fastify: '5.x' },
);
