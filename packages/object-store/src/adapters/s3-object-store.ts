import { Client } from 'minio';
import { assertKeyPrefix, assertObjectKey, InvalidObjectKey } from '../object-key.js';
import { assertPutOptions, isReservedMetadataName } from '../object-metadata.js';
import { ObjectNotFound, type ObjectInfo, type ObjectStore, type PutOptions } from '../object-store.js';
import { putBody } from './s3-multipart-put.js';

/** Where the bucket lives and how to reach it. */
export interface S3ObjectStoreOptions {
  /** Host name or IP the services use, e.g. `minio` in compose. */
  endPoint: string;
  port: number;
  useSSL: boolean;
  accessKey: string;
  secretKey: string;
  bucket: string;
  /** Default `us-east-1` (MinIO's). Set explicitly so signing never has to ask the server. */
  region?: string;
  /** Path-style URLs (`host/bucket/key`), needed by MinIO and s3rver. Default true. */
  pathStyle?: boolean;
  /**
   * Origin browsers use to reach the same server (e.g. `https://media.example.com`), when it differs
   * from the internal endpoint; signed URLs are signed for that host. Origin only: the minio client
   * cannot sign for a path prefix behind a reverse proxy.
   */
  publicEndpoint?: string;
  /** Bytes per multipart part and the largest single PUT; 5 MiB..5 GiB, default 16 MiB. Memory per put is about two parts. */
  partSize?: number;
}

const MiB = 1024 * 1024;
// Two parts are buffered at a time, so this bounds a put's memory (~2 x 8 MiB); S3's 10 000 parts still
// allow 78 GiB objects.
const DEFAULT_PART_SIZE = 8 * MiB;
const MAX_SIGNED_URL_SECONDS = 7 * 24 * 3600;
const HEALTH_TIMEOUT_MS = 3000;
const MAX_CREATE_BYTES = 5 * MiB;

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

// HEAD answers carry no body, so the client can only say "NotFound" for a 404.
const isMissingObject = (error: unknown) => ['NoSuchKey', 'NotFound'].includes(errorCode(error) ?? '');

// 412: the key exists. 409 ConditionalRequestConflict: AWS's answer to a conditional write racing another
// one on the same key; that other write is the one that creates it, so for us it also means "taken".
const isConditionFailed = (error: unknown) => ['PreconditionFailed', 'ConditionalRequestConflict'].includes(errorCode(error) ?? '');

function headersFor(putOptions: PutOptions): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': putOptions.contentType };
  for (const [name, value] of Object.entries(putOptions.metadata ?? {})) headers[`x-amz-meta-${name}`] = value;
  return headers;
}

function signingClient(options: S3ObjectStoreOptions, region: string): Client {
  if (options.publicEndpoint === undefined) return new Client({ ...clientOptions(options), region });
  const url = new URL(options.publicEndpoint);
  if (url.pathname !== '/' || url.search || url.hash || url.username) {
    throw new Error(`publicEndpoint must be an origin like https://media.example.com, got ${options.publicEndpoint}`);
  }
  const useSSL = url.protocol === 'https:';
  return new Client({
    ...clientOptions(options),
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    region,
  });
}

function clientOptions(options: S3ObjectStoreOptions) {
  const { endPoint, port, useSSL, accessKey, secretKey, pathStyle = true } = options;
  return { endPoint, port, useSSL, accessKey, secretKey, pathStyle };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** An `ObjectStore` on one S3 bucket (MinIO in compose, any S3-compatible server) through the minio client. */
export function createS3ObjectStore(options: S3ObjectStoreOptions): ObjectStore {
  const { bucket, partSize = DEFAULT_PART_SIZE } = options;
  if (!Number.isInteger(partSize) || partSize < 5 * MiB || partSize > 5 * 1024 * MiB) {
    throw new RangeError(`partSize must be an integer from 5 MiB to 5 GiB (S3's limits), got ${partSize}`);
  }
  const region = options.region ?? 'us-east-1';
  const client = new Client({ ...clientOptions(options), region });
  const signer = signingClient(options, region);

  async function stat(key: string): Promise<ObjectInfo | undefined> {
    assertObjectKey(key);
    try {
      const { size, metaData } = await client.statObject(bucket, key);
      const headers = Object.entries(metaData as Record<string, unknown>).map(([name, value]) => [name.toLowerCase(), String(value)] as const);
      return {
        key,
        bytes: size,
        contentType: headers.find(([name]) => name === 'content-type')?.[1] ?? 'application/octet-stream',
        metadata: Object.fromEntries(headers.filter(([name]) => !isReservedMetadataName(name))),
      };
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw error;
    }
  }

  async function list(prefix: string, limit = Number.POSITIVE_INFINITY): Promise<string[]> {
    assertKeyPrefix(prefix);
    if (!(limit > 0) || (limit !== Number.POSITIVE_INFINITY && !Number.isInteger(limit))) {
      throw new RangeError(`limit must be a positive integer, got ${limit}`);
    }
    const keys: string[] = [];
    let marker = '';
    for (;;) {
      const page = await client.listObjectsQuery(bucket, prefix, marker, {
        Delimiter: '',
        MaxKeys: Math.min(1000, limit - keys.length),
      });
      for (const object of page.objects) if (object.name !== undefined) keys.push(object.name);
      if (!page.isTruncated || keys.length >= limit || !page.nextMarker) break;
      marker = page.nextMarker;
    }
    return keys.slice(0, limit).sort();
  }

  /** DeleteObjects, 1000 keys a request (the client splits them); fails if any key could not be removed. */
  async function removeObjects(keys: string[], what: string): Promise<void> {
    const failures = (await client.removeObjects(bucket, keys)).filter((result) => result?.Error);
    if (failures.length > 0) {
      const first = failures[0]?.Error;
      throw new Error(`could not delete ${failures.length} of ${keys.length} ${what}: ${first?.Code} ${first?.Message}`);
    }
  }

  return {
    async put(key: string, body, putOptions: PutOptions) {
      assertObjectKey(key);
      assertPutOptions(putOptions);
      return putBody({ client, bucket, key, headers: headersFor(putOptions), partSize, region }, body);
    },

    async get(key) {
      assertObjectKey(key);
      try {
        return await client.getObject(bucket, key);
      } catch (error) {
        if (isMissingObject(error)) throw new ObjectNotFound(key, { cause: error });
        throw error;
      }
    },

    stat,

    async putIfAbsent(key, body, putOptions) {
      assertObjectKey(key);
      assertPutOptions(putOptions);
      if (!Buffer.isBuffer(body) || body.length > MAX_CREATE_BYTES) throw new RangeError(`putIfAbsent takes a Buffer of at most ${MAX_CREATE_BYTES} bytes`);
      // A conditional write (AWS S3 since 2024, MinIO): the server refuses with 412 when the key exists.
      // One single PUT (minio sends a Buffer this small in one request), so the condition covers it all.
      const headers: Record<string, string> = { ...headersFor(putOptions), 'If-None-Match': '*' };
      try {
        await client.putObject(bucket, key, body, body.length, headers);
        return true;
      } catch (error) {
        if (isConditionFailed(error)) return false;
        throw error;
      }
    },

    async delete(key) {
      assertObjectKey(key);
      await client.removeObject(bucket, key);
    },

    async deleteMany(keys) {
      keys.forEach((key) => assertObjectKey(key));
      // One key: a plain DELETE is the same one request, without DeleteObjects' XML body and its MD5.
      if (keys.length === 1) await client.removeObject(bucket, keys[0]!);
      else if (keys.length > 1) await removeObjects([...keys], `${keys.length} objects`);
    },

    async deletePrefix(prefix) {
      assertKeyPrefix(prefix);
      if (prefix === '') throw new InvalidObjectKey('deletePrefix needs a non-empty prefix; it will not empty the bucket');
      const keys = await list(prefix);
      if (keys.length === 0) return 0;
      await removeObjects(keys, `objects under "${prefix}"`);
      return keys.length;
    },

    list,

    async signedUrl(key, expiresInSeconds) {
      assertObjectKey(key);
      if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > MAX_SIGNED_URL_SECONDS) {
        throw new RangeError(`expiresInSeconds must be an integer from 1 to ${MAX_SIGNED_URL_SECONDS}, got ${expiresInSeconds}`);
      }
      return signer.presignedGetObject(bucket, key, expiresInSeconds);
    },

    async isHealthy() {
      return withTimeout(client.bucketExists(bucket), HEALTH_TIMEOUT_MS).catch(() => false);
    },

    async ensureBucket() {
      if (await client.bucketExists(bucket)) return;
      try {
        await client.makeBucket(bucket, region);
      } catch (error) {
        // Another replica may have created it between our check and our request.
        if (errorCode(error) === 'BucketAlreadyOwnedByYou' || (await client.bucketExists(bucket))) return;
        throw error;
      }
    },
  };
}
