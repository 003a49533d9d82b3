import { context, propagation } from '@opentelemetry/api';
import type { StoredPhoto, StoredPhotoPage } from '@photos/api-contracts';

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

/** HTTP client of the metadata service; forwards the caller's token, which metadata verifies itself. */
export function metadataClient(baseUrl: string, fetchImpl: typeof fetch = fetch) {
  async function call(path: string, caller: CallerContext, method = 'GET'): Promise<Response> {
    let response: Response;
    try {
      response = await fetchImpl(new URL(path, baseUrl), {
        method,
        headers: withTraceContext({ authorization: caller.authorization, 'x-correlation-id': caller.correlationId, accept: 'application/json' }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      throw new UpstreamError(502, { title: 'Bad Gateway', detail: 'The metadata service is unreachable.' });
    }
    if (response.status >= 500) throw new UpstreamError(502, { title: 'Bad Gateway', detail: 'The metadata service failed.' });
    return response;
  }

  async function json<T>(response: Response): Promise<T> {
    if (response.ok) return (await response.json()) as T;
    const problem = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    throw new UpstreamError(response.status, problem);
  }

  return {
    /** GET /photos of metadata's API (its OpenAPI: /docs/json), in the page shape the BFF answers but for the variant URLs. */
    async listPhotos(caller: CallerContext, query: URLSearchParams): Promise<StoredPhotoPage> {
      return json(await call(`/photos?${query}`, caller));
    },
    async getPhoto(caller: CallerContext, id: string): Promise<StoredPhoto> {
      return json(await call(`/photos/${encodeURIComponent(id)}`, caller));
    },
    async deletePhoto(caller: CallerContext, id: string): Promise<void> {
      const response = await call(`/photos/${encodeURIComponent(id)}`, caller, 'DELETE');
      if (!response.ok) await json(response);
    },
    /**
     * Metadata's own readiness (its database and bus), not just its liveness: a metadata that cannot
     * reach its database answers no query, so this BFF cannot either. The timeout stays under the
     * BFF's check budget, so a hung metadata reads as failing.
     */
    async isHealthy(timeoutMs = 1_000): Promise<boolean> {
      return fetchImpl(new URL('/health/ready', baseUrl), { signal: AbortSignal.timeout(timeoutMs) }).then(
        (r) => r.ok,
        () => false,
      );
    },
  };
}

export type MetadataClient = ReturnType<typeof metadataClient>;
