import { useEffect, useRef, useState } from 'react';
import { api, refreshSession } from './api';
import { session } from './session';
import type { LiveChange } from './types';

export type LiveState = 'connecting' | 'open' | 'closed';

const EVENT_TYPES = ['photo.processed', 'photo.processing-failed', 'photo.deleted'] as const;
const RECONNECT_MS = 5000;

/**
 * Subscribes to `GET /api/events` (Server-Sent Events) while `enabled`; the browser sends the session
 * cookie. `onChange` gets every status change of the caller's photos; `onOpen` runs on each
 * (re)connection, so the caller can catch up on changes it missed while disconnected. EventSource retries
 * by itself after a dropped connection (the server ends a stream when its access token expires); after a
 * refused one (401: the access cookie expired) it gives up, so we refresh the session and open a new one,
 * or show the login screen when the session is over.
 */
export function useLiveStatus(enabled: boolean, onChange: (change: LiveChange) => void, onOpen: () => void): LiveState {
  const [state, setState] = useState<LiveState>('closed');
  const handlers = useRef({ onChange, onOpen });
  handlers.current = { onChange, onOpen };

  useEffect(() => {
    if (!enabled) return;
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let justRefreshed = false;
    const renew = async () => {
      const renewed = await refreshSession();
      if (stopped) return;
      if (renewed) {
        justRefreshed = true;
        return connect();
      }
      const user = await api.currentUser().catch(() => undefined);
      if (stopped) return;
      if (user === null) session.signOut('Your session has expired. Please log in again.');
      else retry = setTimeout(connect, RECONNECT_MS);
    };

    const connect = () => {
      setState('connecting');
      source = new EventSource(api.eventsUrl);
      source.onopen = () => {
        justRefreshed = false;
        setState('open');
        handlers.current.onOpen();
      };
      source.onerror = () => {
        if (stopped || !source) return;
        if (source.readyState === EventSource.CLOSED) {
          setState('closed');
          source.close();
          // EventSource does not say why it was refused. Most often the access cookie has lapsed: refresh and
          // reconnect at once. Refused again right after a refresh (too many streams, a proxy error): wait.
          // No session any more: the login screen.
          if (justRefreshed) {
            justRefreshed = false;
            retry = setTimeout(connect, RECONNECT_MS);
            return;
          }
          void renew();
        } else {
          setState('connecting');
        }
      };
      for (const type of EVENT_TYPES) {
        source.addEventListener(type, (event) => {
          try {
            const photo = JSON.parse((event as MessageEvent<string>).data) as LiveChange['photo'];
            if (photo && typeof photo.id === 'string') handlers.current.onChange({ type, photo } as LiveChange);
          } catch {
            // A malformed message is skipped; the next page load shows the truth.
          }
        });
      }
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
      setState('closed');
    };
  }, [enabled]);

  return enabled ? state : 'closed';
}
