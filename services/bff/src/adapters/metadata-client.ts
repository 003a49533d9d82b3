import { context, propagation } from '@opentelemetry/api';
import type { StoredPhoto, StoredPhotoPage } from '@photos/api-contracts';
import { Pool } from 'undici';

/** An answer of an internal service that the BFF passes on (4xx) or turns into a 502 (5xx, unreachable). */
export class UpstreamError extends Error {
  constructor(
    readonly statusCode: number,
    readonly problem: Record<string, unknown>,
  ) {
    super(String(problem['detail'] ?? problem['title'] ?? 'upstream error'));
  }
}

export interface CallerContext {
  authorization: string;
  correlationId: string;
}

/**
 * `headers` plus the `traceparent` of the active span (the BFF's server span), so the called service's
 * spans join the caller's trace. Without tracing the API's propagator is a no-op: `headers` as given.
 */
export function withTraceContext(headers: Record<string, string>): Record<string, string> {
  const carrier = { ...headers };
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** How long a call may wait for metadata's answer to start, and then between two chunks of its body. */
const CALL_TIMEOUT_MS = 10_000;

/** An answer of metadata, its body read at most once (it must be read, or dumped, to free the connection). */
interface Answer {
  status: number;
  /** A response header (lower-case name). */
  header(name: string): string | undefined;
  text(): Promise<string>;
}

/** Sends one request to metadata; rejects when metadata cannot be reached or stalls. */
type Send = (path: string, method: string, headers: Record<string, string>) => Promise<Answer>;

/**
 * Requests over a pool of keep-alive connections (undici's Pool), opened on the first call: `fetch` built
 * a Request, Headers, an AbortSignal and a web stream per call, and cost about three times the CPU of the
 * rest of the BFF's gallery page (bench:bff).
 */
function pooledSend(baseUrl: string): { send: Send; close(): Promise<void> } {
  const origin = new URL(baseUrl).origin;
  let pool: Pool | undefined;
  return {
    async send(path, method, headers) {
      pool ??= new Pool(origin, { connections: 128, headersTimeout: CALL_TIMEOUT_MS, bodyTimeout: CALL_TIMEOUT_MS });
      const { statusCode, headers: answered, body } = await pool.request({ path, method, headers });
      return {
        status: statusCode,
        header: (name) => {
          const value = answered[name];
          return Array.isArray(value) ? value[0] : value;
        },
        text: () => body.text(),
      };
    },
    close: async () => {
      await pool?.close();
    },
  };
}

/** Requests through a fetch (tests wrap one to check every answer against metadata's document). */
function fetchSend(baseUrl: string, fetchImpl: typeof fetch): Send {
  return async (path, method, headers) => {
    const response = await fetchImpl(new URL(path, baseUrl), { method, headers, signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    return { status: response.status, header: (name) => response.headers.get(name) ?? undefined, text: () => response.text() };
  };
}

/**
 * HTTP client of the metadata service; forwards the caller's token, which metadata verifies itself.
 * `close()` ends its connections (the app closes it with itself).
 */
export function metadataClient(baseUrl: string, fetchImpl?: typeof fetch) {
  const pooled = fetchImpl ? undefined : pooledSend(baseUrl);
  const send = pooled?.send ?? fetchSend(baseUrl, fetchImpl!);
  const unreachable = () => new UpstreamError(502, { title: 'Bad Gateway', detail: 'The metadata service is unreachable.' });

  /** The status and body text of a call; a 5xx or a failure to reach metadata (or to read its answer) is a 502. */
  async function call(
    path: string,
    caller: CallerContext,
    method = 'GET',
    extraHeaders?: Record<string, string>,
  ): Promise<{ status: number; body: string; etag?: string | undefined }> {
    let status: number;
    let body: string;
    let etag: string | undefined;
    try {
      const answer = await send(
        path,
        method,
        withTraceContext({ authorization: caller.authorization, 'x-correlation-id': caller.correlationId, accept: 'application/json', ...extraHeaders }),
      );
      status = answer.status;
      etag = answer.header('etag');
      body = await answer.text();
    } catch {
      throw unreachable();
    }
    if (status >= 500) throw new UpstreamError(502, { title: 'Bad Gateway', detail: 'The metadata service failed.' });
    return { status, body, etag };
  }

  function json<T>({ status, body }: { status: number; body: string }): T {
    if (status >= 200 && status < 300) return JSON.parse(body) as T;
    let problem: Record<string, unknown> = {};
    try {
      problem = JSON.parse(body) as Record<string, unknown>;
    } catch {
      // not JSON: passed on with the status alone
    }
    throw new UpstreamError(status, problem);
  }

  /** The page of GET /photos as metadata's JSON text, unparsed (the gallery route rewrites its variants in the text). */
  async function listPhotosJson(caller: CallerContext, query: URLSearchParams): Promise<string> {
    return ((await listPhotosIfChanged(caller, query)) as { json: string }).json;
  }

  /**
   * {@link listPhotosJson}, with the page's ETag (a strong one, quoted as sent), or `unchanged` when
   * metadata's page is still the one of `ifNoneMatch` (304).
   */
  async function listPhotosIfChanged(
    caller: CallerContext,
    query: URLSearchParams | string,
    ifNoneMatch?: string,
  ): Promise<{ json: string; etag: string | undefined } | { unchanged: true }> {
    const answer = await call(`/photos?${query}`, caller, 'GET', ifNoneMatch === undefined ? undefined : { 'if-none-match': ifNoneMatch });
    if (answer.status === 304 && ifNoneMatch !== undefined) return { unchanged: true };
    if (answer.status >= 300) json(answer);
    return { json: answer.body, etag: answer.etag };
  }

  return {
    /** GET /photos of metadata's API (its OpenAPI: /docs/json), in the page shape the BFF answers but for the variant URLs. */
    async listPhotos(caller: CallerContext, query: URLSearchParams): Promise<StoredPhotoPage> {
      return JSON.parse(await listPhotosJson(caller, query)) as StoredPhotoPage;
    },
    listPhotosJson,
    listPhotosIfChanged,
    async getPhoto(caller: CallerContext, id: string): Promise<StoredPhoto> {
      return json(await call(`/photos/${encodeURIComponent(id)}`, caller));
    },
    async deletePhoto(caller: CallerContext, id: string): Promise<void> {
      const answer = await call(`/photos/${encodeURIComponent(id)}`, caller, 'DELETE');
      if (answer.status >= 300) json(answer);
    },
    /**
     * Metadata's own readiness (its database and bus), not just its liveness: a metadata that cannot
     * reach its database answers no query, so this BFF cannot either. The timeout stays under the
     * BFF's check budget, so a hung metadata reads as failing.
     */
    async isHealthy(timeoutMs = 1_000): Promise<boolean> {
      return (fetchImpl ?? fetch)(new URL('/health/ready', baseUrl), { signal: AbortSignal.timeout(timeoutMs) }).then(
        (r) => r.ok,
        () => false,
      );
    },
    close: async () => {
      await pooled?.close();
    },
  };
}

export type MetadataClient = ReturnType<typeof metadataClient>;
