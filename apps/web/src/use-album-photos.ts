import { useCallback, useEffect, useReducer, useRef } from 'react';
import { api } from './api';
import { galleryReducer, initialGallery } from './gallery-state';
import { errorMessage } from './problem';
import type { LiveChange, Photo, PhotoPage } from './types';
import type { Gallery } from './use-gallery';

const PAGE_SIZE = 50;

/** Reads one page of a list of photos: an album's, or a share link's. */
export type PageSource = (cursor: string | null, limit: number) => Promise<PhotoPage>;

/**
 * A list of photos other than the caller's own gallery (an album, a share link's album), page by page,
 * newest first, with the gallery's model so the same <Gallery> shows it. The same merging rules as the
 * gallery (gallery-state.ts): a photo removed here does not come back with a later page.
 */
export function usePhotoPages(source: PageSource): Gallery {
  const [state, dispatch] = useReducer(galleryReducer, initialGallery);
  const current = useRef(state);
  current.current = state;
  const inFlight = useRef(false);
  const sourceRef = useRef(source);
  sourceRef.current = source;

  const load = useCallback((cursor: string | null) => {
    if (inFlight.current) return;
    inFlight.current = true;
    dispatch({ type: 'loading' });
    sourceRef
      .current(cursor, PAGE_SIZE)
      .then(
        (page) => dispatch({ type: 'loaded', page, cursor }),
        (error: unknown) => dispatch({ type: 'failed', error: errorMessage(error) }),
      )
      .finally(() => (inFlight.current = false));
  }, []);

  const loadMore = useCallback(() => {
    const { loaded, nextCursor, error } = current.current;
    if ((loaded && !nextCursor) || error) return;
    load(loaded ? nextCursor : null);
  }, [load]);

  const retry = useCallback(() => load(current.current.loaded ? current.current.nextCursor : null), [load]);

  const refresh = useCallback(() => {
    if (!current.current.loaded) return;
    sourceRef.current(null, PAGE_SIZE).then(
      (page) => dispatch({ type: 'loaded', page, cursor: null }),
      () => undefined,
    );
  }, []);

  const apply = useCallback((change: LiveChange) => {
    if (change.type === 'photo.deleted') dispatch({ type: 'remove', id: change.photo.id });
    // Only photos already listed here: a live change never adds a photo to an album.
    else if (current.current.items.some((photo) => photo.id === change.photo.id)) dispatch({ type: 'upsert', photo: change.photo, insert: false });
  }, []);

  const addUploaded = useCallback((photo: Photo) => dispatch({ type: 'upsert', photo, insert: true, revive: true }), []);
  const remove = useCallback((id: string) => dispatch({ type: 'remove', id }), []);

  useEffect(() => {
    loadMore();
  }, [loadMore]);

  return { ...state, loadMore, retry, refresh, addUploaded, apply, remove };
}

/** The photos of one album (the caller's, or shared with them), newest first. Key the caller by album id. */
export function useAlbumPhotos(albumId: string): Gallery {
  return usePhotoPages((cursor, limit) => api.albumPhotos(albumId, cursor, limit));
}
