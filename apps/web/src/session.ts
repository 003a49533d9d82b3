import { useSyncExternalStore } from 'react';

const TOKEN_KEY = 'photos.accessToken';

type Listener = () => void;
const listeners = new Set<Listener>();
let notice: string | null = null;

function read(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function emit() {
  listeners.forEach((listener) => listener());
}

/** The access token, kept in localStorage so a reload (or another tab) stays logged in. */
export const session = {
  token: read,
  signIn(token: string) {
    notice = null;
    localStorage.setItem(TOKEN_KEY, token);
    emit();
  },
  /** Forgets the token; `why` is shown on the login screen (e.g. an expired session). */
  signOut(why?: string) {
    notice = why ?? null;
    localStorage.removeItem(TOKEN_KEY);
    emit();
  },
  /** Why the last sign-out happened, if it was not the user's choice. */
  notice: () => notice,
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    const onStorage = (event: StorageEvent) => {
      if (event.key === TOKEN_KEY || event.key === null) listener();
    };
    window.addEventListener('storage', onStorage);
    return () => {
      listeners.delete(listener);
      window.removeEventListener('storage', onStorage);
    };
  },
};

/** The current token (null when logged out), re-rendering on log in / out, in this tab or another. */
export function useToken(): string | null {
  return useSyncExternalStore(session.subscribe, read, () => null);
}

/** The claims of a JWT, unverified (for display only: the server verifies). */
export function claimsOf(token: string): { sub?: string; email?: string; exp?: number } {
  const payload = token.split('.')[1];
  if (!payload) return {};
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    return claims && typeof claims === 'object' ? (claims as { sub?: string; email?: string; exp?: number }) : {};
  } catch {
    return {};
  }
}
