import { useCallback, useEffect, useReducer, useRef } from 'react';
import { api } from './api';
import { galleryReducer, initialGallery, type GalleryState } from './gallery-state';
import { errorMessage } from './problem';
import type { LiveChange, Photo } from './types';

/**
 * What `<Gallery>` shows and drives: a list of photos newest first, loaded page by page. `useGallery()`
 * returns one for the caller's own photos; an album's photos hook returns the same shape, so its page
 * reuses `<Gallery>`.
 */
export interface GalleryModel {
  items: Photo[];
  /** The first page has arrived. */
  loaded: boolean;
  loading: boolean;
  error: string | null;
  /** Null once the last page has arrived. */
  nextCursor: string | null;
  /** Loads the next page (no-op while one is loading, after the last one or after an error). */
  loadMore(): void;
  /** Loads again after an error. */
  retry(): void;
  /** Takes a photo out of the list (deleted, or removed from the album). */
  remove(id: string): void;
}

export interface Gallery extends GalleryState, GalleryModel {
  /** Re-reads the first page and merges it (after the live stream reconnects). */
  refresh(): void;
  /** A photo the upload service accepted: shown at the top at once, as "processing". */
  addUploaded(photo: Photo): void;
  apply(change: LiveChange): void;
}

const PAGE_SIZE = 50;

/** The caller's photos, newest first, page by page, kept current by uploads and live changes. */
export function useGallery(): Gallery {
  const [state, dispatch] = useReducer(galleryReducer, initialGallery);
  const current = useRef(state);
  current.current = state;
  const inFlight = useRef(false);
  const fetching = useRef(new Set<string>());

  const load = useCallback(async (cursor: string | null) => {
    dispatch({ type: 'loading' });
    try {
      const page = await api.listPhotos(cursor, PAGE_SIZE);
      dispatch({ type: 'loaded', page, cursor });
    } catch (error) {
      dispatch({ type: 'failed', error: errorMessage(error) });
    }
  }, []);

  const loadMore = useCallback(() => {
    const { loaded, nextCursor, error } = current.current;
    // After an error only an explicit retry loads again (the scroll sentinel must not hammer the server).
    if (inFlight.current || (loaded && !nextCursor) || error) return;
    inFlight.current = true;
    void load(loaded ? nextCursor : null).finally(() => {
      inFlight.current = false;
    });
  }, [load]);

  const retry = useCallback(() => {
    if (inFlight.current) return;
    inFlight.current = true;
    void load(current.current.loaded ? current.current.nextCursor : null).finally(() => {
      inFlight.current = false;
    });
  }, [load]);

  const refresh = useCallback(() => {
    if (!current.current.loaded) return;
    api.listPhotos(null, PAGE_SIZE).then(
      (page) => dispatch({ type: 'loaded', page, cursor: null }),
      () => undefined,
    );
  }, []);

  const apply = useCallback((change: LiveChange) => {
    if (change.type === 'photo.deleted') {
      dispatch({ type: 'remove', id: change.photo.id });
      return;
    }
    const { id } = change.photo;
    dispatch({ type: 'upsert', photo: change.photo, insert: false });
    const known = current.current.items.some((photo) => photo.id === id);
    // Uploaded from another tab or device (or the live change beat the upload's own answer): fetch it.
    if (!known && !current.current.removed[id] && !fetching.current.has(id)) {
      fetching.current.add(id);
      api
        .getPhoto(id)
        .then((photo) => dispatch({ type: 'upsert', photo, insert: true }))
        .catch(() => undefined)
        .finally(() => fetching.current.delete(id));
    }
  }, []);

  const addUploaded = useCallback((photo: Photo) => dispatch({ type: 'upsert', photo, insert: true, revive: true }), []);
  const remove = useCallback((id: string) => dispatch({ type: 'remove', id }), []);

  useEffect(() => {
    loadMore();
  }, [loadMore]);

  return { ...state, loadMore, retry, refresh, addUploaded, apply, remove };
}
