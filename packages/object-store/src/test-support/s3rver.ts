import { mkdtemp, readdir, readFile, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

/**
 * s3rver keeps multipart uploads in <directory>/<bucket>/._S3rver_uploads/<id>/ but does not implement
 * AbortMultipartUpload (it answers 405); this stands in for it so tests can see that the adapter aborts.
 */
function abortMultipartUpload(dir: string): S3rver['middleware'][number] {
  return async (ctx, next) => {
    const uploadId = ctx.query.uploadId;
    if (ctx.method !== 'DELETE' || typeof uploadId !== 'string' || !/^[0-9a-f]+$/.test(uploadId)) return next();
    const uploadBucket = ctx.path.split('/')[1] ?? '';
    await rm(path.join(dir, uploadBucket, '._S3rver_uploads', uploadId), { recursive: true, force: true });
    ctx.status = 204;
  };
}

/**
 * s3rver ignores `If-None-Match: *` on PUT, the conditional create that `putIfAbsent` relies on; real
 * MinIO and AWS S3 implement it themselves. This stands in for it: a conditional PUT of an object (not
 * a part) answers 412 PreconditionFailed, as S3 does, when the key exists. Conditional PUTs of one key
 * run one at a time (an in-process lock held until the write is done), so two racing ones cannot both
 * find the key absent and both win.
 */
function conditionalPut(server: S3rver): S3rver['middleware'][number] {
  const tails = new Map<string, Promise<void>>();
  return async (ctx, next) => {
    if (ctx.method !== 'PUT' || ctx.headers['if-none-match'] !== '*' || Object.keys(ctx.query).length > 0) return next();
    const [, bucket = '', ...rest] = ctx.path.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const lockKey = `${bucket}/${key}`;
    const before = tails.get(lockKey) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = before.then(() => mine);
    tails.set(lockKey, tail);
    await before;
    try {
      if (await server.store.existsObject(bucket, key)) {
        ctx.status = 412;
        ctx.type = 'application/xml';
        ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>`;
        return;
      }
      await next();
    } finally {
      release();
      if (tails.get(lockKey) === tail) tails.delete(lockKey);
    }
  };
}

/**
 * s3rver prunes empty parent directories after each delete. Two deletes then race on one directory, and
 * a put into a directory being pruned crashes the server (an unhandled ENOENT). Deleting only the
 * object's files, and leaving empty directories, avoids both; listings are unaffected.
 */
function keepDirectories(server: S3rver): void {
  const store = server.store as unknown as { getResourcePath(bucket: string, key: string, kind: string): string };
  server.store.deleteObject = async (bucket, key) => {
    await Promise.all(
      ['object', 'object.md5', 'metadata.json'].map((kind) =>
        unlink(store.getResourcePath(bucket, key, kind)).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        }),
      ),
    );
  };
}

/**
 * An S3 server over HTTP on loopback for tests (s3rver), with access/secret key `S3RVER`. `middleware`
 * (Koa) runs before everything else, e.g. a benchmark counting the requests.
 */
export async function startS3rver(options: { middleware?: S3rver['middleware'][number][] } = {}): Promise<{
  endpoint: string;
  port: number;
  directory: string;
  openUploads(bucket: string, prefix: string): Promise<number>;
  close(): Promise<void>;
}> {
  const directory = await mkdtemp(path.join(tmpdir(), 's3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: process.env['S3RVER_LOG'] !== '1', directory });
  server.middleware.unshift(...(options.middleware ?? []), abortMultipartUpload(directory), conditionalPut(server));
  keepDirectories(server);
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    directory,
    async openUploads(bucket, prefix) {
      const uploads = path.join(directory, bucket, '._S3rver_uploads');
      const ids = await readdir(uploads).catch(() => []);
      const keys = await Promise.all(ids.map((id) => readFile(path.join(uploads, id, 'key'), 'utf8').catch(() => '')));
      return keys.filter((key) => key.startsWith(prefix)).length;
    },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
