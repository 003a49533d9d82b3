import type { Photo, PhotoPage } from './types';

/**
 * The gallery as a pure reducer, so the merging rules are testable without a browser. The same photo can
 * reach the browser three ways, in any order: a page of the list, the upload's 202 answer and the SSE
 * stream. The rules: the list stays newest first (uploadedAt, then id, as the server sorts); a status
 * never goes back from ready/failed to processing (the metadata projection may lag behind the live
 * stream); a deleted photo never comes back; a live change for a photo not in the list yet is kept aside
 * until the photo itself arrives.
 */
export interface GalleryState {
  items: Photo[];
  nextCursor: string | null;
  /** The first page has arrived. */
  loaded: boolean;
  loading: boolean;
  error: string | null;
  /** Live changes for photos not (yet) in `items`, by id. */
  pending: Record<string, Partial<Photo>>;
  /** Ids deleted during this session. */
  removed: Record<string, true>;
}

export type GalleryAction =
  | { type: 'loading' }
  | { type: 'failed'; error: string }
  | { type: 'loaded'; page: PhotoPage; cursor: string | null }
  /** `insert`: add it if absent (a complete photo); `revive`: even if deleted earlier (a new upload answer). */
  | { type: 'upsert'; photo: Partial<Photo> & { id: string }; insert: boolean; revive?: boolean }
  | { type: 'remove'; id: string }
  | { type: 'reset' };

export const initialGallery: GalleryState = { items: [], nextCursor: null, loaded: false, loading: false, error: null, pending: {}, removed: {} };

const settled = (status: Photo['status'] | undefined) => status === 'ready' || status === 'failed';

/** `update` over `base`, except that a settled status is not replaced by "processing" (nor its results). */
export function mergePhoto<T extends Partial<Photo>>(base: T, update: Partial<Photo>): T {
  if (settled(base.status) && update.status === 'processing') {
    const { status: _status, variants: _variants, placeholder: _placeholder, failure: _failure, ...rest } = update;
    return { ...base, ...rest };
  }
  const merged = { ...base, ...update };
  // A partial update without variants must not erase the ones we have.
  if (base.variants && (!update.variants || Object.keys(update.variants).length === 0)) merged.variants = base.variants;
  if (update.status === 'ready') delete merged.failure;
  return merged;
}

/** Newest first: uploadedAt descending, then id descending; photos without a time first. */
export function compareNewestFirst(a: Pick<Photo, 'id' | 'uploadedAt'>, b: Pick<Photo, 'id' | 'uploadedAt'>): number {
  const ta = a.uploadedAt ? Date.parse(a.uploadedAt) : Number.POSITIVE_INFINITY;
  const tb = b.uploadedAt ? Date.parse(b.uploadedAt) : Number.POSITIVE_INFINITY;
  if (ta !== tb) return tb > ta ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function isComplete(photo: Partial<Photo>): photo is Photo {
  return typeof photo.id === 'string' && typeof photo.status === 'string' && photo.variants !== undefined && 'uploadedAt' in photo;
}

/** Adds or updates `incoming` photos; returns the same array when nothing changed. */
function mergeInto(state: GalleryState, incoming: Photo[]): Pick<GalleryState, 'items' | 'pending'> {
  const index = new Map(state.items.map((photo, i) => [photo.id, i]));
  const items = state.items.slice();
  let pending = state.pending;
  let added = false;
  for (const photo of incoming) {
    if (state.removed[photo.id]) continue;
    const at = index.get(photo.id);
    if (at !== undefined) {
      items[at] = mergePhoto(items[at]!, photo);
      continue;
    }
    let next: Photo = photo;
    const waiting = pending[photo.id];
    if (waiting) {
      next = mergePhoto(photo, waiting);
      pending = { ...pending };
      delete pending[photo.id];
    }
    index.set(photo.id, items.length);
    items.push(next);
    added = true;
  }
  if (added) items.sort(compareNewestFirst);
  return { items, pending };
}

export function galleryReducer(state: GalleryState, action: GalleryAction): GalleryState {
  switch (action.type) {
    case 'reset':
      return initialGallery;
    case 'loading':
      return { ...state, loading: true, error: null };
    case 'failed':
      return { ...state, loading: false, error: action.error };
    case 'loaded': {
      const merged = mergeInto(state, action.page.items);
      // A refresh of the first page (after the live stream reconnects) keeps the cursor we are at.
      const nextCursor = action.cursor === null && state.loaded ? state.nextCursor : action.page.nextCursor;
      return { ...state, ...merged, nextCursor, loaded: true, loading: false, error: null };
    }
    case 'upsert': {
      const { photo } = action;
      if (state.removed[photo.id]) {
        if (!action.revive) return state;
        const removed = { ...state.removed };
        delete removed[photo.id];
        state = { ...state, removed };
      }
      const at = state.items.findIndex((item) => item.id === photo.id);
      if (at !== -1) {
        const items = state.items.slice();
        items[at] = mergePhoto(items[at]!, photo);
        return { ...state, items };
      }
      if (action.insert && isComplete(photo)) return { ...state, ...mergeInto(state, [photo]) };
      const waiting = state.pending[photo.id];
      return { ...state, pending: { ...state.pending, [photo.id]: waiting ? mergePhoto(waiting, photo) : photo } };
    }
    case 'remove': {
      const pending = { ...state.pending };
      delete pending[action.id];
      return { ...state, items: state.items.filter((photo) => photo.id !== action.id), pending, removed: { ...state.removed, [action.id]: true } };
    }
  }
}
