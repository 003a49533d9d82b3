/** A small client of the BFF's public API, as the web app uses it. */
export function apiClient(baseUrl: string) {
  const json = async (response: Response) => {
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    return response.json();
  };
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  return {
    /** Registers, then logs in (register answers no token, and the same whether the email was new or taken). */
    async register(email: string, password: string): Promise<{ user: { id: string; email: string }; accessToken: string }> {
      const send = (path: string) =>
        fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
      const registered = await send('/api/auth/register');
      if (!registered.ok) throw new Error(`register: ${registered.status} ${await registered.text()}`);
      const { accessToken } = (await json(await send('/api/auth/login'))) as { accessToken: string };
      const { user } = (await json(await fetch(`${baseUrl}/api/auth/session`, { headers: auth(accessToken) }))) as { user: { id: string; email: string } };
      return { user, accessToken };
    },
    upload(token: string, files: { name: string; bytes: Buffer }[]): Promise<Response> {
      const form = new FormData();
      for (const file of files) form.append('file', new Blob([new Uint8Array(file.bytes)]), file.name);
      return fetch(`${baseUrl}/api/photos`, { method: 'POST', body: form, headers: auth(token) });
    },
    async list(token: string, query = ''): Promise<{ items: { id: string; status: string }[]; nextCursor: string | null }> {
      return json(await fetch(`${baseUrl}/api/photos${query}`, { headers: auth(token) }));
    },
    get: (token: string, id: string) => fetch(`${baseUrl}/api/photos/${id}`, { headers: auth(token) }),
    remove: (token: string, id: string) => fetch(`${baseUrl}/api/photos/${id}`, { method: 'DELETE', headers: auth(token) }),
  };
}

export type Api = ReturnType<typeof apiClient>;

export interface ServerSentEvent {
  type: string;
  data: { id: string; status: string } & Record<string, unknown>;
}

/** Reads /api/events as an API client does (Bearer header; browsers send their session cookie); `waitFor` resolves on the first matching event. */
export async function openEventStream(baseUrl: string, token: string) {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/api/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  if (!response.ok || !response.body) throw new Error(`SSE: ${response.status}`);
  const events: ServerSentEvent[] = [];
  const waiters = new Set<() => void>();
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (type && data) events.push({ type, data: JSON.parse(data) });
          waiters.forEach((wake) => wake());
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    events,
    waitFor(match: (event: ServerSentEvent) => boolean, timeoutMs: number): Promise<ServerSentEvent> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => e.type))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => controller.abort(),
  };
}
