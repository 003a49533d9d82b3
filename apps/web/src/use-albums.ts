import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from './problem';
import type { Album } from './types';

export interface AlbumsState {
  albums: Album[] | null;
  error: string | null;
  reload(): void;
}

/** A list of albums read once, and again on demand (after a change). */
export function useAlbums(read: () => Promise<Album[]>): AlbumsState {
  const [albums, setAlbums] = useState<Album[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    read().then(
      (items) => {
        if (!live) return;
        setAlbums(items);
        setError(null);
      },
      (failure: unknown) => live && setError(errorMessage(failure)),
    );
    return () => {
      live = false;
    };
    // `read` is a module function (api.albums / api.sharedAlbums); `version` asks again.
  }, [read, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { albums, error, reload };
}
