/**
 * Share links: the owner's calls (create, list, revoke) and the public page's (open, unlock, photos).
 * Typed by hand here, in one place, until the BFF's OpenAPI document describes these routes; then these
 * types become names for the generated ones, as in types.ts.
 */
import { requestJson } from './api';
import type { Photo, PhotoPage } from './types';

/** What is shared: an album, or one photo. */
export interface LinkTarget {
  kind: 'album' | 'photo';
  id: string;
}

export interface ShareLink {
  id: string;
  expiresAt: string | null;
  hasPassword: boolean;
  allowDownload: boolean;
  createdAt: string;
}

/** The creation answer: the only time the token (and so the URL) is shown. */
export interface CreatedShareLink extends ShareLink {
  url: string;
  token: string;
}

export interface NewShareLink {
  expiresAt?: string | null;
  password?: string;
  allowDownload?: boolean;
}

/** What a link holder sees first. */
export interface LinkedItem {
  kind: 'album' | 'photo';
  album?: { id: string; title?: string; name?: string; photoCount: number };
  photo?: Photo;
  allowDownload: boolean;
  expiresAt: string | null;
}

const base = (target: LinkTarget) => `/api/${target.kind === 'album' ? 'albums' : 'photos'}/${encodeURIComponent(target.id)}/links`;
const linkBase = (token: string) => `/api/links/${encodeURIComponent(token)}`;

export const shareLinks = {
  create: (target: LinkTarget, options: NewShareLink) => requestJson<CreatedShareLink>('POST', base(target), { body: options }),
  list: async (target: LinkTarget) => (await requestJson<{ items: ShareLink[] }>('GET', base(target))).items,
  revoke: (target: LinkTarget, linkId: string) => requestJson<void>('DELETE', `${base(target)}/${encodeURIComponent(linkId)}`),
};

/** The public side: no session; a password unlock sets a cookie for this link. */
export const linkApi = {
  open: (token: string, signal?: AbortSignal) => requestJson<LinkedItem>('GET', linkBase(token), { public: true, ...(signal ? { signal } : {}) }),
  unlock: (token: string, password: string) => requestJson<void>('POST', `${linkBase(token)}/unlock`, { public: true, body: { password } }),
  photos: (token: string, cursor: string | null, limit = 50, signal?: AbortSignal) => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    return requestJson<PhotoPage>('GET', `${linkBase(token)}/photos?${query}`, { public: true, ...(signal ? { signal } : {}) });
  },
  originalUrl: (token: string, photoId: string) => `${linkBase(token)}/photos/${encodeURIComponent(photoId)}/original`,
};

/** The full URL to give people, from the path the API answers. */
export const absoluteLinkUrl = (url: string): string => new URL(url, location.origin).href;
