/** A photo as the metadata service returns it (its internal API; the BFF adds URLs). */
export interface MetadataPhoto {
  id: string;
  status: 'processing' | 'ready' | 'failed';
  filename: string | null;
  contentType: string | null;
  bytes: number | null;
  width: number | null;
  height: number | null;
  takenAt: string | null;
  uploadedAt: string | null;
  placeholder: string | null;
  dominantColor?: string | null;
  variants: { thumb?: { key: string; width: number; height: number }; preview?: { key: string; width: number; height: number } } | null;
  exif?: Record<string, unknown> | null;
  failure?: { code?: string; reason: string } | null;
}

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

/** HTTP client of the metadata service; forwards the caller's token, which metadata verifies itself. */
export function metadataClient(baseUrl: string, fetchImpl: typeof fetch = fetch) {
  async function call(path: string, caller: CallerContext, method = 'GET'): Promise<Response> {
    let response: Response;
    try {
      response = await fetchImpl(new URL(path, baseUrl), {
        method,
        headers: { authorization: caller.authorization, 'x-correlation-id': caller.correlationId, accept: 'application/json' },
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
    async listPhotos(caller: CallerContext, query: URLSearchParams): Promise<{ items: MetadataPhoto[]; nextCursor: string | null }> {
      return json(await call(`/photos?${query}`, caller));
    },
    async getPhoto(caller: CallerContext, id: string): Promise<MetadataPhoto> {
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
      return fetchImpl(new URL('/health/ready', baseUrl), { signal: AbortSignal.timeout(timeoutMs) }).then((r) => r.ok, () => false);
    },
  };
}

export type MetadataClient = ReturnType<typeof metadataClient>;
