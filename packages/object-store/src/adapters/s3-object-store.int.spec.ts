/**
 * The S3 adapter over HTTP against s3rver on loopback, or against a real S3 / MinIO when S3_ENDPOINT is
 * set (e.g. S3_ENDPOINT=http://127.0.0.1:9000 S3_ACCESS_KEY=minioadmin S3_SECRET_KEY=minioadmin).
 * S3RVER_LOG=1 shows s3rver's request log.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeObjectStoreConformance } from '../conformance/conformance-suite.js';
import { bytesOf } from '../conformance/generated-body.js';
import { startS3rver } from '../test-support/s3rver.js';
import { createS3ObjectStore, type S3ObjectStoreOptions } from './s3-object-store.js';

const external = process.env.S3_ENDPOINT ? new URL(process.env.S3_ENDPOINT) : undefined;
const bucket = `conformance-${randomUUID().slice(0, 8)}`;
// S3's minimum, so a few MiB already take the multipart path.
const partSize = 5 * 1024 * 1024;
let connection: Omit<S3ObjectStoreOptions, 'bucket'>;
let s3rver: Awaited<ReturnType<typeof startS3rver>> | undefined;

async function openUploadsInS3(prefix: string): Promise<number> {
  const client = new Client({ ...connection });
  let open = 0;
  for await (const _upload of client.listIncompleteUploads(bucket, prefix, true)) open++;
  return open;
}

beforeAll(async () => {
  if (external) {
    const useSSL = external.protocol === 'https:';
    connection = {
      endPoint: external.hostname,
      port: external.port ? Number(external.port) : useSSL ? 443 : 80,
      useSSL,
      accessKey: process.env.S3_ACCESS_KEY ?? 'minioadmin',
      secretKey: process.env.S3_SECRET_KEY ?? 'minioadmin',
      region: process.env.S3_REGION ?? 'us-east-1',
    };
    return;
  }
  s3rver = await startS3rver();
  connection = { endPoint: '127.0.0.1', port: s3rver.port, useSSL: false, accessKey: 'S3RVER', secretKey: 'S3RVER' };
});

afterAll(async () => {
  if (external) {
    const client = new Client({ ...connection });
    if (await client.bucketExists(bucket)) await client.removeBucket(bucket).catch(() => undefined);
  }
  await s3rver?.close();
});

describeObjectStoreConformance(external ? `s3 at ${external.host}` : 's3 on s3rver', {
  create: async () => createS3ObjectStore({ ...connection, bucket, partSize }),
  openUploads: (prefix) => (s3rver ? s3rver.openUploads(bucket, prefix) : openUploadsInS3(prefix)),
});

describe('s3 object store', () => {
  // It reaches the server as "localhost" to play the public endpoint: only possible on a local s3rver.
  if (external) console.warn('skipped: "signs URLs for the public endpoint" needs the local s3rver, not S3_ENDPOINT');
  it.skipIf(external)('signs URLs for the public endpoint browsers use (local s3rver only)', async () => {
    const store = createS3ObjectStore({ ...connection, bucket, publicEndpoint: `http://localhost:${connection.port}` });
    await store.ensureBucket();
    const key = `public-${randomUUID()}/thumb.webp`;
    await store.put(key, Buffer.from('webp bytes'), { contentType: 'image/webp' });
    const url = new URL((await store.signedUrl(key, 300))!);
    expect(url.host).toBe(`localhost:${connection.port}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).toString()).toBe('webp bytes');
    await store.delete(key);
  });

  it('refuses a public endpoint with a path, which the client cannot sign for', () => {
    expect(() => createS3ObjectStore({ ...connection, bucket, publicEndpoint: 'https://example.com/media' })).toThrow(/origin/);
  });

  it('refuses expiries S3 would not honour', async () => {
    const store = createS3ObjectStore({ ...connection, bucket });
    await expect(store.signedUrl('a.jpg', 0)).rejects.toBeInstanceOf(RangeError);
    await expect(store.signedUrl('a.jpg', 8 * 24 * 3600)).rejects.toBeInstanceOf(RangeError);
  });

  it('rejects putIfAbsent when the server is unreachable: a storage error never reads as "taken"', async () => {
    const unreachable = createS3ObjectStore({ ...connection, endPoint: '127.0.0.1', port: 1, bucket });
    await expect(unreachable.putIfAbsent('claims/x', Buffer.from('x'), { contentType: 'text/plain' })).rejects.toThrow();
  });

  it('reports unhealthy when the server is unreachable, and a missing bucket until ensured', async () => {
    const unreachable = createS3ObjectStore({ ...connection, endPoint: '127.0.0.1', port: 1, bucket });
    expect(await unreachable.isHealthy()).toBe(false);
    const store = createS3ObjectStore({ ...connection, bucket: `${bucket}-new` });
    expect(await store.isHealthy()).toBe(false);
    await store.ensureBucket();
    expect(await store.isHealthy()).toBe(true);
    await new Client({ ...connection }).removeBucket(`${bucket}-new`);
  });

  it('reads an object with a plain minio client as written (interoperable layout)', async () => {
    const store = createS3ObjectStore({ ...connection, bucket });
    const key = `interop-${randomUUID()}/original`;
    await store.put(key, Buffer.from('bytes'), { contentType: 'image/png', metadata: { 'owner-id': 'u1' } });
    const client = new Client({ ...connection });
    const stat = await client.statObject(bucket, key);
    expect(stat.metaData).toMatchObject({ 'content-type': 'image/png', 'owner-id': 'u1' });
    expect((await bytesOf(await client.getObject(bucket, key))).toString()).toBe('bytes');
    await store.delete(key);
  });
});
