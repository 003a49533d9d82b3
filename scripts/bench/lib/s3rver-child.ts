/**
 * Runs s3rver (our test wrapper) in a process of its own; prints `{"endpoint": ...}` once listening.
 * It counts the requests it serves by kind (`PUT object`, `PUT part`, `DELETE`...): `GET /__bench/requests`
 * answers the counts so far as JSON, so a benchmark can tell the storage round trips per operation.
 */
import { startS3rver } from '@photos/object-store/test-support/s3rver';

const counts: Record<string, number> = {};

function kindOf(method: string, query: Record<string, unknown>): string {
  if ('uploadId' in query) return method === 'PUT' ? 'PUT part' : method === 'POST' ? 'POST complete' : `${method} multipart`;
  if ('uploads' in query) return 'POST initiate';
  if ('delete' in query) return 'POST delete-many';
  if (method === 'GET' && ('prefix' in query || 'list-type' in query)) return 'GET list';
  return method === 'PUT' || method === 'GET' || method === 'HEAD' || method === 'DELETE' ? `${method} object` : method;
}

const s3 = await startS3rver({
  middleware: [
    async (ctx, next) => {
      if (ctx.path === '/__bench/requests') {
        ctx.body = counts;
        return;
      }
      const kind = kindOf(ctx.method, ctx.query);
      counts[kind] = (counts[kind] ?? 0) + 1;
      await next();
    },
  ],
});
process.stdout.write(`${JSON.stringify({ endpoint: s3.endpoint })}\n`);
const stop = () => void s3.close().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
