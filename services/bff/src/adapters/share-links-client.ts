import type { LinkOriginal, LinkUnlockProof, ShareLinkList, StoredCreatedShareLink, StoredPhotoPage, StoredSharedLink } from '@photos/api-contracts';
import { UpstreamError, withTraceContext, type CallerContext } from './metadata-client.js';

type Method = 'GET' | 'POST' | 'DELETE';

/** The header metadata reads a holder's proof of a link's password from (its routes/share-links.ts). */
const PROOF_HEADER = 'x-share-link-proof';

/** What a link holder's request carries to metadata: no account, maybe the proof of the password. */
export interface HolderContext {
  correlationId: string;
  proof?: string;
}

/**
 * HTTP client of metadata's share link routes (its OpenAPI: /docs/json). The owner's routes forward the
 * caller's token; the holder's routes carry only the link's token (in the path) and the proof of its
 * password: metadata decides every answer. Its 4xx problems are passed on with their `code`.
 */
export function shareLinksClient(baseUrl: string, fetchImpl: typeof fetch = fetch) {
  async function send<T>(method: Method, path: string, headers: Record<string, string>, body?: unknown): Promise<T> {
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
      // The code (e.g. link-password-required) is what the link page acts on: keep it.
      throw Object.assign(new UpstreamError(response.status, problem), typeof problem['code'] === 'string' ? { code: problem['code'] } : {});
    }
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  const owner = (caller: CallerContext) => ({ authorization: caller.authorization, 'x-correlation-id': caller.correlationId });
  const holder = (context: HolderContext): Record<string, string> => ({
    'x-correlation-id': context.correlationId,
    ...(context.proof ? { [PROOF_HEADER]: context.proof } : {}),
  });
  const target = (kind: 'albums' | 'photos', id: string) => `/${kind}/${encodeURIComponent(id)}/links`;
  const link = (token: string) => `/links/${encodeURIComponent(token)}`;

  return {
    create: (caller: CallerContext, kind: 'albums' | 'photos', id: string, body: unknown) =>
      send<StoredCreatedShareLink>('POST', target(kind, id), owner(caller), body),
    list: (caller: CallerContext, kind: 'albums' | 'photos', id: string) => send<ShareLinkList>('GET', target(kind, id), owner(caller)),
    revoke: (caller: CallerContext, kind: 'albums' | 'photos', id: string, linkId: string) =>
      send<void>('DELETE', `${target(kind, id)}/${encodeURIComponent(linkId)}`, owner(caller)),
    open: (context: HolderContext, token: string) => send<StoredSharedLink>('GET', link(token), holder(context)),
    unlock: (context: HolderContext, token: string, password: string) => send<LinkUnlockProof>('POST', `${link(token)}/unlock`, holder(context), { password }),
    photos: (context: HolderContext, token: string, query: URLSearchParams) => send<StoredPhotoPage>('GET', `${link(token)}/photos?${query}`, holder(context)),
    original: (context: HolderContext, token: string, photoId: string) =>
      send<LinkOriginal>('GET', `${link(token)}/photos/${encodeURIComponent(photoId)}/original`, holder(context)),
  };
}

export type ShareLinksClient = ReturnType<typeof shareLinksClient>;
