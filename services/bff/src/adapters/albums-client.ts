import type { Album, AlbumGrantList, AlbumList, AlbumPhotosAdded, StoredPhotoPage } from '@photos/api-contracts';
import type { CallerContext } from './metadata-client.js';
import { metadataJson, type Method } from './metadata-json.js';

/**
 * HTTP client of metadata's album routes (its OpenAPI: /docs/json). Forwards the caller's token: metadata
 * decides every visibility and permission question itself; its 4xx answers are passed on as they are
 * (an album the caller may not see is a 404 there, so it is here).
 */
export function albumsClient(baseUrl: string, fetchImpl: typeof fetch = fetch) {
  const json = metadataJson(baseUrl, fetchImpl);
  const send = <T>(method: Method, path: string, caller: CallerContext, body?: unknown) =>
    json<T>(method, path, { authorization: caller.authorization, 'x-correlation-id': caller.correlationId }, body);

  const album = (id: string) => `/albums/${encodeURIComponent(id)}`;
  return {
    create: (caller: CallerContext, name: string) => send<Album>('POST', '/albums', caller, { name }),
    owned: (caller: CallerContext) => send<AlbumList>('GET', '/albums', caller),
    sharedWithMe: (caller: CallerContext) => send<AlbumList>('GET', '/albums/shared', caller),
    get: (caller: CallerContext, id: string) => send<Album>('GET', album(id), caller),
    update: (caller: CallerContext, id: string, change: { name?: string; coverPhotoId?: string | null }) => send<Album>('PATCH', album(id), caller, change),
    delete: (caller: CallerContext, id: string) => send<void>('DELETE', album(id), caller),
    photos: (caller: CallerContext, id: string, query: URLSearchParams) => send<StoredPhotoPage>('GET', `${album(id)}/photos?${query}`, caller),
    addPhotos: (caller: CallerContext, id: string, photoIds: string[]) => send<AlbumPhotosAdded>('POST', `${album(id)}/photos`, caller, { photoIds }),
    removePhotos: (caller: CallerContext, id: string, photoIds: string[]) => send<void>('POST', `${album(id)}/photos/remove`, caller, { photoIds }),
    grants: (caller: CallerContext, id: string) => send<AlbumGrantList>('GET', `${album(id)}/grants`, caller),
    share: (caller: CallerContext, id: string, userId: string, role: 'viewer' | 'contributor') =>
      send<void>('PUT', `${album(id)}/grants/${encodeURIComponent(userId)}`, caller, { role }),
    revoke: (caller: CallerContext, id: string, userId: string) => send<void>('DELETE', `${album(id)}/grants/${encodeURIComponent(userId)}`, caller),
  };
}

export type AlbumsClient = ReturnType<typeof albumsClient>;
