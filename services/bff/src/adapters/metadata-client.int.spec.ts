/**
 * The BFF's metadata client over its connection pool, against a real HTTP server standing in for
 * metadata: what it forwards, how it passes on metadata's answers (2xx, 4xx, 5xx, none), and that it
 * keeps its connections open between calls and ends them when closed.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metadataClient, UpstreamError } from './metadata-client.js';

const caller = { authorization: 'Bearer the-callers-token', correlationId: 'corr-1' };
let server: FastifyInstance;
let baseUrl: string;
let connections = 0;
const seen: { url: string; authorization?: string; correlationId?: string }[] = [];

beforeAll(async () => {
  server = Fastify();
  server.server.on('connection', () => connections++);
  server.addHook('onRequest', async (request) => {
    seen.push({ url: request.url, authorization: request.headers.authorization, correlationId: request.headers['x-correlation-id'] as string });
  });
  server.get('/photos', async () => ({ items: [{ id: 'p1', status: 'ready' }], nextCursor: null }));
  server.get('/photos/missing', async (_request, reply) =>
    reply.code(404).type('application/problem+json').send({ title: 'Not Found', status: 404, detail: 'No photo missing.' }),
  );
  server.get('/photos/broken', async (_request, reply) => reply.code(500).send({ title: 'Internal Server Error', detail: 'secret stack' }));
  server.delete('/photos/gone', async (_request, reply) => reply.code(204).send());
  baseUrl = await server.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await server?.close();
});

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof UpstreamError ? { status: error.statusCode, problem: error.problem } : error),
  );

describe('metadata client (pooled)', () => {
  it("forwards the caller's token and correlation id, and parses a page", async () => {
    const client = metadataClient(baseUrl);
    try {
      const page = await client.listPhotos(caller, new URLSearchParams({ limit: '50', status: 'ready' }));
      expect(page).toEqual({ items: [{ id: 'p1', status: 'ready' }], nextCursor: null });
      expect(seen.at(-1)).toEqual({ url: '/photos?limit=50&status=ready', authorization: 'Bearer the-callers-token', correlationId: 'corr-1' });
    } finally {
      await client.close();
    }
  });

  it("passes a 4xx problem on as it is, turns a 5xx into a 502 that hides metadata's detail, and a 2xx delete resolves", async () => {
    const client = metadataClient(baseUrl);
    try {
      expect(await refusal(client.getPhoto(caller, 'missing'))).toEqual({ status: 404, problem: expect.objectContaining({ detail: 'No photo missing.' }) });
      expect(await refusal(client.getPhoto(caller, 'broken'))).toEqual({
        status: 502,
        problem: { title: 'Bad Gateway', detail: 'The metadata service failed.' },
      });
      await expect(client.deletePhoto(caller, 'gone')).resolves.toBeUndefined();
      // After those answers (each body read off), the connection still serves the next call.
      expect((await client.listPhotos(caller, new URLSearchParams())).items).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('keeps its connection open between sequential calls, and ends it when closed', async () => {
    const client = metadataClient(baseUrl);
    const before = connections;
    for (let i = 0; i < 20; i++) await client.listPhotos(caller, new URLSearchParams());
    // Not one per call (undici may open a second while the first is being freed).
    expect(connections - before).toBeLessThanOrEqual(2);
    await client.close();
    // Closed: the server sees its socket end.
    await expect.poll(countOpen, { timeout: 2_000 }).toBe(0);
  });

  it('answers 502 when metadata cannot be reached', async () => {
    const client = metadataClient('http://127.0.0.1:1');
    try {
      expect(await refusal(client.listPhotos(caller, new URLSearchParams()))).toEqual({
        status: 502,
        problem: { title: 'Bad Gateway', detail: 'The metadata service is unreachable.' },
      });
    } finally {
      await client.close();
    }
  });
});

function countOpen(): Promise<number> {
  return new Promise((resolve, reject) => server.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}
