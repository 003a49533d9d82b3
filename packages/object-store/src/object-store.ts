import type { Readable } from 'node:stream';

/** What a store knows about one object. */
export interface ObjectInfo {
  key: string;
  bytes: number;
  contentType: string;
  /** User metadata as given to `put` (names are lowercase; see `PutOptions`). */
  metadata: Record<string, string>;
}

/** How `put` labels an object. */
export interface PutOptions {
  /** A media type such as `image/jpeg`; printable ASCII. */
  contentType: string;
  /**
   * User metadata. Names are lowercase letters, digits and inner dashes (HTTP headers on S3 are
   * case-insensitive, so any other casing would not round-trip); values are printable ASCII without
   * leading or trailing spaces; 2 KiB in all, as on S3. `content-*`, `cache-control` and `x-amz-*`
   * names are refused because S3 clients cannot tell them from the object's own headers.
   */
  metadata?: Record<string, string>;
}

/**
 * The object-store port: one instance is one bucket (the upload service's originals, the processor's
 * variants). Adapters: S3 / MinIO and the local filesystem; both pass the conformance suite.
 *
 * Keys are `[A-Za-z0-9._/-]`, at most 1024 characters, made of non-empty `/`-separated segments, with no
 * `..`; anything else is refused with `InvalidObjectKey` before any I/O. A key and keys beneath it
 * (`a` and `a/b`) may coexist, as on S3.
 */
export interface ObjectStore {
  /**
   * Streams `body` into `key`, never buffering the whole object (memory stays within a few parts of a
   * multipart upload). Resolves with the byte count and the hex SHA-256 of the bytes once the object is
   * durable (a store hashes what it writes anyway, e.g. to sign it: callers need not hash it again). If
   * `body` errors (e.g. a byte limit was hit), nothing is left at `key` and the promise rejects with that
   * very error. An existing object at `key` is replaced.
   */
  put(key: string, body: Readable | Buffer, options: PutOptions): Promise<{ bytes: number; sha256: string }>;
  /** Streams the object's bytes; rejects with `ObjectNotFound` if there is none. */
  get(key: string): Promise<Readable>;
  /** The object's size and labels, or `undefined` if there is none. */
  stat(key: string): Promise<ObjectInfo | undefined>;
  /**
   * Creates `key` only if no object is there: resolves true when this call created it, false when the
   * key already held an object (which is left untouched). Atomic: of any number of concurrent calls for
   * one absent key, exactly one resolves true, and readers never see a partial object. For small
   * objects (markers, claims, at most 5 MiB); a storage error rejects, it never reads as "exists".
   */
  putIfAbsent(key: string, body: Buffer, options: PutOptions): Promise<boolean>;
  /** Removes the object; a missing key is fine. */
  delete(key: string): Promise<void>;
  /**
   * Removes the objects; missing keys are fine. On S3 one request for up to 1000 keys (DeleteObjects),
   * where `delete` takes one each. Every key is checked before anything is removed.
   */
  deleteMany(keys: readonly string[]): Promise<void>;
  /** Deletes every key starting with `prefix` (not empty) and returns how many there were. */
  deletePrefix(prefix: string): Promise<number>;
  /** Keys starting with `prefix`, in ascending byte order, at most `limit` of them (default: all). */
  list(prefix: string, limit?: number): Promise<string[]>;
  /**
   * A URL an `<img>` can load directly, valid for `expiresInSeconds` (1 s to 7 days);
   * `undefined` when the store cannot sign (filesystem): serve the bytes through `get` instead.
   */
  signedUrl(key: string, expiresInSeconds: number): Promise<string | undefined>;
  /** True when the bucket is reachable and usable, for /health/ready. */
  isHealthy(): Promise<boolean>;
  /** Creates the bucket if missing (idempotent; safe to race). */
  ensureBucket(): Promise<void>;
}

/** `get` found no object at the key. */
export class ObjectNotFound extends Error {
  override readonly name = 'ObjectNotFound';
  constructor(
    readonly key: string,
    options?: ErrorOptions,
  ) {
    super(`no object at key "${key}"`, options);
  }
}
