/** Share links: the owner's calls (create, list, revoke) and the public page's (open, unlock, photos). */
import { client, publicClient, unwrap } from './api';
import type { CreatedShareLink, NewShareLink, PhotoPage, ShareLink, SharedLink } from './types';

/** What is shared: an album, or one photo. */
export interface LinkTarget {
  kind: 'album' | 'photo';
  id: string;
}

const at = (id: string) => ({ params: { path: { id } } });
const atLink = (id: string, linkId: string) => ({ params: { path: { id, linkId } } });
const ofToken = (token: string) => ({ params: { path: { token } } });
const withSignal = (signal?: AbortSignal) => (signal ? { signal } : {});

export const shareLinks = {
  create: async ({ kind, id }: LinkTarget, body: NewShareLink): Promise<CreatedShareLink> =>
    unwrap(
      kind === 'album'
        ? await client.POST('/api/albums/{id}/links', { ...at(id), body: { allowDownload: false, ...body } })
        : await client.POST('/api/photos/{id}/links', { ...at(id), body: { allowDownload: false, ...body } }),
    ),
  list: async ({ kind, id }: LinkTarget): Promise<ShareLink[]> =>
    unwrap(kind === 'album' ? await client.GET('/api/albums/{id}/links', at(id)) : await client.GET('/api/photos/{id}/links', at(id))).items,
  revoke: async ({ kind, id }: LinkTarget, linkId: string): Promise<void> =>
    unwrap(
      kind === 'album'
        ? await client.DELETE('/api/albums/{id}/links/{linkId}', atLink(id, linkId))
        : await client.DELETE('/api/photos/{id}/links/{linkId}', atLink(id, linkId)),
    ),
};

/** The public side: no session; a password unlock sets a cookie for this link. */
export const linkApi = {
  open: async (token: string, signal?: AbortSignal): Promise<SharedLink> =>
    unwrap(await publicClient.GET('/api/links/{token}', { ...ofToken(token), ...withSignal(signal) })),
  unlock: async (token: string, password: string): Promise<void> =>
    unwrap(await publicClient.POST('/api/links/{token}/unlock', { ...ofToken(token), body: { password } })),
  photos: async (token: string, cursor: string | null, limit = 50, signal?: AbortSignal): Promise<PhotoPage> =>
    unwrap(
      await publicClient.GET('/api/links/{token}/photos', {
        params: { path: { token }, query: { limit, ...(cursor ? { cursor } : {}) } },
        ...withSignal(signal),
      }),
    ),
  originalUrl: (token: string, photoId: string) => `/api/links/${encodeURIComponent(token)}/photos/${encodeURIComponent(photoId)}/original`,
};

/** The full URL to give people, from the path the API answers. */
export const absoluteLinkUrl = (url: string): string => new URL(url, location.origin).href;
