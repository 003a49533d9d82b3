import { useEffect, useRef, useState } from 'react';
import { api } from './api';
import type { LiveChange } from './types';

export type LiveState = 'connecting' | 'open' | 'closed';

const EVENT_TYPES = ['photo.processed', 'photo.processing-failed', 'photo.deleted'] as const;
const RECONNECT_MS = 5000;

/**
 * Subscribes to `GET /api/events` (Server-Sent Events) while a token is present. `onChange` gets every
 * status change of the caller's photos; `onOpen` runs on each (re)connection, so the caller can catch up
 * on changes it missed while disconnected. EventSource retries by itself after a dropped connection; after
 * a refused one (e.g. 401) it gives up, so we open a new one later.
 */
export function useLiveStatus(token: string | null, onChange: (change: LiveChange) => void, onOpen: () => void): LiveState {
  const [state, setState] = useState<LiveState>('closed');
  const handlers = useRef({ onChange, onOpen });
  handlers.current = { onChange, onOpen };

  useEffect(() => {
    if (!token) return;
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;

    const connect = () => {
      setState('connecting');
      source = new EventSource(api.eventsUrl(token));
      source.onopen = () => {
        setState('open');
        handlers.current.onOpen();
      };
      source.onerror = () => {
        if (stopped || !source) return;
        if (source.readyState === EventSource.CLOSED) {
          setState('closed');
          source.close();
          retry = setTimeout(connect, RECONNECT_MS);
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
  }, [token]);

  return token ? state : 'closed';
}
