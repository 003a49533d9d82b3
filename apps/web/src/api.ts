import createClient from 'openapi-fetch';
import type { paths } from './generated/api';
import { ApiError, problemFrom } from './problem';
import { csrfToken, session, type User } from './session';
import type { Album, AlbumRole, AlbumShare, Photo, PhotoPage, UploadedPhoto } from './types';

/** A fresh correlation id per request, so one upload can be followed from the browser to the last consumer. */
export function newCorrelationId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // crypto.randomUUID needs a secure context; plain http on a LAN address has getRandomValues only.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const EXPIRED = 'Your session has expired. Please log in again.';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Answers whose 401 means "not logged in" or "log in again", not "refresh and retry". */
const NO_REFRESH = new Set(['/api/auth/register', '/api/auth/login', '/api/auth/logout', '/api/auth/refresh', '/api/auth/session']);

/** One fetch with the session cookies (same origin) and, on unsafe methods, the CSRF token. */
async function send(request: Request): Promise<Response> {
  const headers = new Headers(request.headers);
  headers.set('accept', 'application/json, application/problem+json');
  headers.set('x-correlation-id', newCorrelationId());
  const csrf = csrfToken();
  if (csrf && UNSAFE.has(request.method.toUpperCase())) headers.set('x-csrf-token', csrf);
  try {
    return await fetch(new Request(request, { headers, credentials: 'same-origin' }));
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, problemFrom(0, '', null));
  }
}

/** Authenticated requests that get a 401 try one refresh, then the same request again; then the login screen. */
async function sessionFetch(request: Request): Promise<Response> {
  if (NO_REFRESH.has(new URL(request.url, location.href).pathname)) return send(request);
  const again = request.clone();
  let response = await send(request);
  if (response.status === 401) {
    if (await refreshSession()) response = await send(again);
    if (response.status === 401) session.signOut(EXPIRED);
  }
  return response;
}

/** The BFF's API, typed by its OpenAPI document (generated/api.ts). */
export const client = createClient<paths>({ baseUrl: typeof location === 'undefined' ? '' : location.origin, fetch: sessionFetch });

/** The answer's data, or an ApiError with the server's problem details. */
export function unwrap<T>({ data, error, response }: { data?: T; error?: unknown; response: Response }): T {
  if (response.ok) return data as T;
  const body = typeof error === 'string' ? error : error === undefined ? '' : JSON.stringify(error);
  throw new ApiError(response.status, problemFrom(response.status, body, response.headers.get('content-type')));
}

let refreshing: Promise<boolean> | undefined;

/**
 * Renews the session after a 401: a new access cookie, the refresh cookie rotated. One refresh at a time
 * in this tab, and across tabs when the browser has Web Locks: the server treats a refresh token spent
 * twice as stolen and ends the session, so two tabs must not race with the same one. The tab that waited
 * first asks whether the other tab's refresh already did the job.
 */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    const attempt = async () => {
      if (navigator.locks) {
        const current = await client.GET('/api/auth/session');
        if (current.response.ok) return true;
      }
      return (await client.POST('/api/auth/refresh')).response.ok;
    };
    try {
      return navigator.locks ? await navigator.locks.request('photos-session-refresh', attempt) : await attempt();
    } catch {
      return false;
    }
  })().finally(() => (refreshing = undefined));
  return refreshing;
}

/**
 * The same API without the session, for a share link's page: a 401 there is the link's own answer (its
 * password) and must neither refresh nor log anybody out.
 */
export const publicClient = createClient<paths>({ baseUrl: typeof location === 'undefined' ? '' : location.origin, fetch: send });

const albumPath = (id: string) => ({ params: { path: { id } } });

export const api = {
  register: async (email: string, password: string) => unwrap(await client.POST('/api/auth/register', { body: { email, password } })),

  /** Sets the session cookies. The answer's body holds the access token for API clients: left unread here. */
  login: async (email: string, password: string): Promise<void> => {
    const answer = await client.POST('/api/auth/login', { body: { email, password }, parseAs: 'stream' });
    if (answer.response.ok) return void (await answer.data?.cancel());
    unwrap(answer);
  },

  /** Who the session cookie names (after a refresh if the access cookie has expired); null when nobody. */
  currentUser: async (): Promise<User | null> => {
    // No CSRF cookie, no session (they are set and cleared together): no need to ask.
    if (!csrfToken()) return null;
    let answer = await client.GET('/api/auth/session');
    if (answer.response.status === 401 && (await refreshSession())) answer = await client.GET('/api/auth/session');
    if (answer.response.status === 401) return null;
    return unwrap(answer).user;
  },

  logout: async (): Promise<void> => unwrap(await client.POST('/api/auth/logout')),

  listPhotos: async (cursor: string | null, limit = 50, signal?: AbortSignal): Promise<PhotoPage> =>
    unwrap(await client.GET('/api/photos', { params: { query: { limit, ...(cursor ? { cursor } : {}) } }, ...(signal ? { signal } : {}) })),

  getPhoto: async (id: string, signal?: AbortSignal): Promise<Photo> =>
    unwrap(await client.GET('/api/photos/{id}', { params: { path: { id } }, ...(signal ? { signal } : {}) })),

  deletePhoto: async (id: string): Promise<void> => unwrap(await client.DELETE('/api/photos/{id}', { params: { path: { id } } })),

  albums: async (): Promise<Album[]> => unwrap(await client.GET('/api/albums')).items,
  sharedAlbums: async (): Promise<Album[]> => unwrap(await client.GET('/api/albums/shared')).items,
  getAlbum: async (id: string, signal?: AbortSignal): Promise<Album> =>
    unwrap(await client.GET('/api/albums/{id}', { ...albumPath(id), ...(signal ? { signal } : {}) })),
  createAlbum: async (name: string): Promise<Album> => unwrap(await client.POST('/api/albums', { body: { name } })),
  updateAlbum: async (id: string, change: { name?: string; coverPhotoId?: string | null }): Promise<Album> =>
    unwrap(await client.PATCH('/api/albums/{id}', { ...albumPath(id), body: change })),
  deleteAlbum: async (id: string): Promise<void> => unwrap(await client.DELETE('/api/albums/{id}', albumPath(id))),
  albumPhotos: async (id: string, cursor: string | null, limit = 50, signal?: AbortSignal): Promise<PhotoPage> =>
    unwrap(
      await client.GET('/api/albums/{id}/photos', {
        params: { path: { id }, query: { limit, ...(cursor ? { cursor } : {}) } },
        ...(signal ? { signal } : {}),
      }),
    ),
  /** At most 100 ids a request (the API's limit): larger selections go in several. Answers the ids put in. */
  addToAlbum: async (id: string, photoIds: readonly string[]): Promise<string[]> => {
    const added: string[] = [];
    for (let at = 0; at < photoIds.length; at += 100) {
      const body = { photoIds: photoIds.slice(at, at + 100) };
      added.push(...unwrap(await client.POST('/api/albums/{id}/photos', { ...albumPath(id), body })).added);
    }
    return added;
  },
  removeFromAlbum: async (id: string, photoIds: readonly string[]): Promise<void> => {
    for (let at = 0; at < photoIds.length; at += 100) {
      unwrap(await client.POST('/api/albums/{id}/photos/remove', { ...albumPath(id), body: { photoIds: photoIds.slice(at, at + 100) } }));
    }
  },
  albumShares: async (id: string): Promise<AlbumShare[]> => unwrap(await client.GET('/api/albums/{id}/shares', albumPath(id))).items,
  shareAlbum: async (id: string, email: string, role: AlbumRole): Promise<void> =>
    void unwrap(await client.POST('/api/albums/{id}/shares', { ...albumPath(id), body: { email, role } })),
  revokeShare: async (id: string, userId: string): Promise<void> =>
    unwrap(await client.DELETE('/api/albums/{id}/shares/{userId}', { params: { path: { id, userId } } })),

  /** The SSE stream: the browser sends the session cookie; no token in the URL. */
  eventsUrl: '/api/events',
};

export interface UploadHandle {
  /** The accepted photo (status "processing"), or an ApiError with the server's `detail`. */
  done: Promise<Photo>;
  abort(): void;
}

/** No upload progress for this long while sending: the upload has stalled. */
const STALL_MS = 20_000;

/**
 * Uploads one file as its own multipart request, so that each file has its own progress (fetch has no
 * upload progress; XMLHttpRequest does) and its own verdict (415 type, 413 size, 422 pixels, 400 empty).
 */
export function uploadPhoto(file: File, onProgress: (sent: number, total: number) => void, stallMs = STALL_MS): UploadHandle {
  let current: XMLHttpRequest | undefined;
  let cancelled = false;
  const first = sendUpload(file, onProgress, stallMs, (xhr) => (current = xhr));
  // An expired access cookie: one refresh, then the same file again.
  const done = first.catch(async (error: unknown) => {
    if (cancelled || !(error instanceof ApiError) || error.status !== 401) throw error;
    if (!(await refreshSession())) {
      session.signOut(EXPIRED);
      throw error;
    }
    if (cancelled) throw new DOMException('Upload cancelled', 'AbortError');
    return sendUpload(file, onProgress, stallMs, (xhr) => (current = xhr));
  });
  return {
    done,
    abort: () => {
      cancelled = true;
      current?.abort();
    },
  };
}

function sendUpload(file: File, onProgress: (sent: number, total: number) => void, stallMs: number, started: (xhr: XMLHttpRequest) => void): Promise<Photo> {
  const xhr = new XMLHttpRequest();
  started(xhr);
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  let stalled = false;
  // A server that refuses a body early (413) and stops reading leaves the browser unable to send the rest
  // and unable to see the answer: no byte moves. Give up after a while rather than hang at 66% forever.
  const watch = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      stalled = true;
      xhr.abort();
    }, stallMs);
  };
  return new Promise<Photo>((resolve, reject) => {
    xhr.open('POST', '/api/photos');
    xhr.responseType = 'text';
    xhr.setRequestHeader('accept', 'application/json, application/problem+json');
    xhr.setRequestHeader('x-correlation-id', newCorrelationId());
    const csrf = csrfToken();
    if (csrf) xhr.setRequestHeader('x-csrf-token', csrf);

    xhr.upload.onloadstart = watch;
    xhr.upload.onprogress = (event) => {
      watch();
      onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    };
    // All sent: the server may now take its time (storing, checking); no watchdog for that part.
    xhr.upload.onload = () => clearTimeout(watchdog);
    xhr.onloadend = () => clearTimeout(watchdog);
    xhr.onload = () => {
      const contentType = xhr.getResponseHeader('content-type');
      if (xhr.status === 202 || xhr.status === 200 || xhr.status === 201) {
        try {
          // The upload answer has the file's facts but none of the processing results yet.
          const photo = (JSON.parse(xhr.responseText) as { photos: UploadedPhoto[] }).photos[0];
          if (photo) return resolve({ placeholder: null, takenAt: null, dominantColor: null, variants: {}, ...photo });
        } catch {
          // handled below
        }
        return reject(new ApiError(xhr.status, { detail: 'The server accepted the upload but its answer was unreadable.' }));
      }
      reject(new ApiError(xhr.status, problemFrom(xhr.status, xhr.responseText, contentType)));
    };
    // A server that refuses a large body early may reset the connection before the browser reads its answer.
    xhr.onerror = () =>
      reject(new ApiError(0, { detail: `The upload of ${file.name} was interrupted. The file may be too large, or the connection dropped.` }));
    xhr.onabort = () =>
      reject(
        stalled
          ? new ApiError(0, { detail: `The upload of ${file.name} stalled: the server stopped receiving it. The file may be too large.` })
          : new DOMException('Upload cancelled', 'AbortError'),
      );

    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}
