/**
 * One user's view of the platform's public API (the BFF), as an API client sees it: Bearer token from
 * login (no cookies, so no CSRF), multipart uploads, the photo routes, and the event stream of the
 * user's photo status changes. Every call resolves with its status; the caller decides what an error is.
 */

export interface PhotoView {
  id: string;
  status: 'processing' | 'ready' | 'failed';
  variants?: { thumb?: { url: string } | null; preview?: { url: string } | null } | null;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`HTTP ${status}`);
  }
}

/** Answers with a status outside 2xx/3xx become an HttpError; the body is read to its end either way. */
async function checked(response: Response): Promise<Response> {
  if (response.status >= 400) throw new HttpError(response.status, (await response.text()).slice(0, 300));
  return response;
}

/** Reads a body to its end and returns its size (the client downloading it, as a browser would). */
async function drain(response: Response): Promise<number> {
  let bytes = 0;
  for await (const chunk of response.body ?? []) bytes += (chunk as Uint8Array).length;
  return bytes;
}

export class PlatformClient {
  private token = '';

  constructor(
    readonly baseUrl: string,
    readonly email: string,
    private readonly password: string,
  ) {}

  private url(path: string): string {
    return new URL(path, `${this.baseUrl}/`).toString();
  }

  private get auth(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  async register(): Promise<void> {
    const response = await checked(
      await fetch(this.url('/api/auth/register'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: this.email, password: this.password }),
      }),
    );
    await drain(response);
  }

  async login(): Promise<void> {
    const response = await checked(
      await fetch(this.url('/api/auth/login'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: this.email, password: this.password }),
      }),
    );
    this.token = ((await response.json()) as { accessToken: string }).accessToken;
  }

  /** POST /api/photos with one file; resolves with the photo's id, and whether it was a copy of one the user had (no processing follows). */
  async upload(name: string, bytes: Buffer): Promise<{ id: string; duplicate: boolean }> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)]), name);
    const response = await checked(await fetch(this.url('/api/photos'), { method: 'POST', headers: this.auth, body: form }));
    const [photo] = ((await response.json()) as { photos: { id: string; duplicate?: boolean }[] }).photos;
    return { id: photo!.id, duplicate: photo!.duplicate === true };
  }

  /** One gallery page; resolves with its items and the cursor of the next. */
  async page(cursor?: string): Promise<{ items: PhotoView[]; nextCursor: string | null }> {
    const query = new URLSearchParams({ limit: '50', ...(cursor ? { cursor } : {}) });
    const response = await checked(await fetch(this.url(`/api/photos?${query}`), { headers: this.auth }));
    return (await response.json()) as { items: PhotoView[]; nextCursor: string | null };
  }

  async photo(id: string): Promise<PhotoView> {
    const response = await checked(await fetch(this.url(`/api/photos/${encodeURIComponent(id)}`), { headers: this.auth }));
    return (await response.json()) as PhotoView;
  }

  /** The original's bytes, through the redirect to its signed URL; resolves with their count. */
  async original(id: string): Promise<number> {
    return drain(await checked(await fetch(this.url(`/api/photos/${encodeURIComponent(id)}/original`), { headers: this.auth })));
  }

  /** A variant's bytes at the (signed) URL a Photo gives, as an <img> would load it: no credentials. */
  async variant(url: string): Promise<number> {
    return drain(await checked(await fetch(this.url(url))));
  }

  async delete(id: string): Promise<void> {
    await drain(await checked(await fetch(this.url(`/api/photos/${encodeURIComponent(id)}`), { method: 'DELETE', headers: this.auth })));
  }

  /**
   * Opens GET /api/events and calls `onChange` with each event's type and photo; resolves once the
   * stream is open, `closed` settles when it ends (token expiry, server stop, `signal` aborted).
   */
  async events(onChange: (type: string, photo: PhotoView) => void, signal: AbortSignal): Promise<{ closed: Promise<void> }> {
    const response = await checked(await fetch(this.url('/api/events'), { headers: { ...this.auth, accept: 'text/event-stream' }, signal }));
    const read = async () => {
      const decoder = new TextDecoder();
      let buffered = '';
      for await (const chunk of response.body ?? []) {
        buffered += decoder.decode(chunk as Uint8Array, { stream: true });
        for (let end = buffered.indexOf('\n\n'); end !== -1; end = buffered.indexOf('\n\n')) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (type && data) onChange(type, JSON.parse(data) as PhotoView);
        }
      }
    };
    return { closed: read().catch(() => undefined) };
  }
}
