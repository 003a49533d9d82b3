/**
 * The reference of bench:upload, in a process of its own: the least an upload service can do, a bare
 * Fastify app (no logging, no auth) whose POST /photos streams each multipart file straight to S3 with
 * the same object store adapter as the service, under a random key, and answers 202. No header check,
 * no outbox, no dedupe, no event: what receiving a file over HTTP and forwarding it costs on its own.
 * Reads S3_ENDPOINT; prints `{"url": ...}` once listening.
 */
import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import { createS3ObjectStore } from '@photos/object-store';
import Fastify from 'fastify';

const endpoint = new URL(process.env['S3_ENDPOINT']!);
const store = createS3ObjectStore({
  endPoint: endpoint.hostname,
  port: Number(endpoint.port),
  useSSL: false,
  accessKey: 'S3RVER',
  secretKey: 'S3RVER',
  bucket: 'originals',
});
await store.ensureBucket();

const app = Fastify();
await app.register(multipart, { limits: { fileSize: 4 * 1024 ** 3 } });
app.post('/photos', async (request, reply) => {
  const photos: { id: string; bytes: number }[] = [];
  for await (const part of request.files()) {
    const id = randomUUID();
    const { bytes } = await store.put(`forwarded/${id}`, part.file, { contentType: part.mimetype });
    photos.push({ id, bytes });
  }
  return reply.code(202).send({ photos });
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ url })}\n`);
const stop = () => void app.close().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
