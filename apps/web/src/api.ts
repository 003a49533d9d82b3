import { ApiError, problemFrom } from './problem';
import { session } from './session';
import type { Photo, PhotoPage } from './types';

/** A fresh correlation id per request, so one upload can be followed from the browser to the last consumer. */
export function newCorrelationId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // crypto.randomUUID needs a secure context; plain http on a LAN address has getRandomValues only.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const EXPIRED = 'Your session has expired. Please log in again.';

async function request<T>(path: string, init: RequestInit & { json?: unknown; auth?: boolean } = {}): Promise<T> {
  const { json, auth = true, ...rest } = init;
  const headers = new Headers(rest.headers);
  headers.set('accept', 'application/json, application/problem+json');
  headers.set('x-correlation-id', newCorrelationId());
  if (json !== undefined) headers.set('content-type', 'application/json');
  const token = session.token();
  if (auth && token) headers.set('authorization', `Bearer ${token}`);

  let response: Response;
  try {
    response = await fetch(path, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, problemFrom(0, '', null));
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  if (!response.ok) {
    if (auth && response.status === 401) session.signOut(EXPIRED);
    throw new ApiError(response.status, problemFrom(response.status, text, response.headers.get('content-type')));
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  register: (email: string, password: string) =>
    request<{ user: { id: string; email: string }; accessToken: string }>('/api/auth/register', { method: 'POST', json: { email, password }, auth: false }),

  login: (email: string, password: string) =>
    request<{ accessToken: string }>('/api/auth/login', { method: 'POST', json: { email, password }, auth: false }),

  listPhotos: (cursor: string | null, limit = 50, signal?: AbortSignal) => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    return request<PhotoPage>(`/api/photos?${query}`, signal ? { signal } : {});
  },

  getPhoto: (id: string, signal?: AbortSignal) => request<Photo>(`/api/photos/${encodeURIComponent(id)}`, signal ? { signal } : {}),

  deletePhoto: (id: string) => request<void>(`/api/photos/${encodeURIComponent(id)}`, { method: 'DELETE' }),

  /** The SSE stream's URL: EventSource cannot send headers, so the token rides in the query. */
  eventsUrl: (token: string) => `/api/events?access_token=${encodeURIComponent(token)}`,
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
  const xhr = new XMLHttpRequest();
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
  const done = new Promise<Photo>((resolve, reject) => {
    xhr.open('POST', '/api/photos');
    xhr.responseType = 'text';
    xhr.setRequestHeader('accept', 'application/json, application/problem+json');
    xhr.setRequestHeader('x-correlation-id', newCorrelationId());
    const token = session.token();
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);

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
          type Accepted = Omit<Photo, 'placeholder' | 'takenAt' | 'variants'> & Partial<Photo>;
          const photo = (JSON.parse(xhr.responseText) as { photos: Accepted[] }).photos[0];
          if (photo) return resolve({ placeholder: null, takenAt: null, variants: {}, ...photo });
        } catch {
          // handled below
        }
        return reject(new ApiError(xhr.status, { detail: 'The server accepted the upload but its answer was unreadable.' }));
      }
      if (xhr.status === 401) session.signOut(EXPIRED);
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
  return { done, abort: () => xhr.abort() };
}
