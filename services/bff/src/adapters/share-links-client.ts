import type { LinkOriginal, LinkUnlockProof, ShareLinkList, StoredCreatedShareLink, StoredPhotoPage, StoredSharedLink } from '@photos/api-contracts';
import type { CallerContext } from './metadata-client.js';
import { metadataJson } from './metadata-json.js';

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
  const send = metadataJson(baseUrl, fetchImpl);
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
