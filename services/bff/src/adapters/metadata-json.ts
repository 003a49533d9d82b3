import { UpstreamError, withTraceContext } from './metadata-client.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * One JSON request to metadata, as the album and share link clients send them: the given headers plus the
 * active span's traceparent (metadata's spans join the BFF's trace), a 10 s timeout; unreachable or 5xx ->
 * 502; its 4xx problems passed on as they are, with their `code` (e.g. link-password-required, which the
 * link page acts on); 204 -> undefined.
 */
export function metadataJson(baseUrl: string, fetchImpl: typeof fetch = fetch) {
  return async function send<T>(method: Method, path: string, headers: Record<string, string>, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetchImpl(new URL(path, baseUrl), {
        method,
        headers: withTraceContext({
          ...headers,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        }),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      throw new UpstreamError(502, { title: 'Bad Gateway', detail: 'The metadata service is unreachable.' });
    }
    if (response.status >= 500) throw new UpstreamError(502, { title: 'Bad Gateway', detail: 'The metadata service failed.' });
    if (!response.ok) {
      const problem = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      throw Object.assign(new UpstreamError(response.status, problem), typeof problem['code'] === 'string' ? { code: problem['code'] } : {});
    }
    return (response.status === 204 ? undefined : await response.json()) as T;
  };
}
