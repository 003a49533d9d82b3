import { useSyncExternalStore } from 'react';

/**
 * Who is logged in. The credentials themselves live in httpOnly cookies the BFF sets: no script on this
 * page (ours or an injected one) can read the access or refresh token. What the page knows is the user
 * the server named (GET /api/auth/session) and the CSRF token it echoes on unsafe requests.
 */
export interface User {
  id: string;
  email: string | null;
}

export type SessionState = { status: 'checking' } | { status: 'signed-out'; notice: string | null } | { status: 'signed-in'; user: User };

type Listener = () => void;
const listeners = new Set<Listener>();
let state: SessionState = { status: 'checking' };

// Other tabs of the same origin share the cookies: tell them when this one logs in or out.
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('photos-session') : undefined;

function set(next: SessionState, broadcast = true) {
  state = next;
  listeners.forEach((listener) => listener());
  if (broadcast) channel?.postMessage(next.status === 'signed-in' ? { signedIn: next.user } : { signedOut: true });
}

channel?.addEventListener('message', (event: MessageEvent<{ signedIn?: User; signedOut?: boolean }>) => {
  if (event.data.signedIn) set({ status: 'signed-in', user: event.data.signedIn }, false);
  else if (event.data.signedOut && state.status === 'signed-in') set({ status: 'signed-out', notice: null }, false);
});

export const session = {
  state: () => state,
  signIn(user: User) {
    set({ status: 'signed-in', user });
  },
  /** Forgets the user (the server clears the cookies); `why` is shown on the login screen (e.g. an expired session). */
  signOut(why?: string) {
    if (state.status === 'signed-out' && !why) return;
    set({ status: 'signed-out', notice: why ?? null });
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

/** The session state, re-rendering on log in / out, in this tab or another. */
export function useSession(): SessionState {
  return useSyncExternalStore(session.subscribe, session.state, session.state);
}

/** The session's CSRF token from its cookie (`__Host-photos-csrf`, or `photos-csrf` on a plain-http deployment). */
export function csrfFromCookies(cookies: string): string | null {
  const match = /(?:^|;\s*)(?:__Host-)?photos-csrf=([^;]*)/.exec(cookies);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

export const csrfToken = (): string | null => (typeof document === 'undefined' ? null : csrfFromCookies(document.cookie));
