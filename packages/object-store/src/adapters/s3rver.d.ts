// s3rver ships no types; this covers what the integration spec uses (s3rver is a Koa application).
declare module 's3rver' {
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  interface KoaContext {
    method: string;
    path: string;
    headers: Record<string, string | string[] | undefined>;
    type: string;
    query: Record<string, string | string[] | undefined>;
    status: number;
    body: unknown;
  }

  export default class S3rver {
    constructor(options?: S3rverOptions);
    /** Koa's middleware stack, composed when the server starts. */
    middleware: ((ctx: KoaContext, next: () => Promise<void>) => Promise<void>)[];
    /** The filesystem store behind the server. */
    store: { deleteObject(bucket: string, key: string): Promise<void>; existsObject(bucket: string, key: string): Promise<boolean> };
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
}
