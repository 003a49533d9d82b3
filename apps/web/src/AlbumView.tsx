import { useEffect, useRef, useState } from 'react';
import { api } from './api';
import { PhotoDetail } from './PhotoDetail';
import { ApiError, errorMessage } from './problem';
import { Gallery } from './Gallery';
import { SelectionBar } from './SelectionBar';
import { ShareDialog } from './ShareDialog';
import type { Album } from './types';
import { useAlbumPhotos } from './use-album-photos';

const NONE: ReadonlySet<string> = new Set();
const ROLE_NOTE = {
  owner: null,
  viewer: 'Shared with you: you can view.',
  contributor: 'Shared with you: you can add your own photos (select them in Photos, then “Add to album”) and take out those you added.',
} as const;

interface Props {
  albumId: string;
  photoId: string | null;
  openPhoto: (id: string) => void;
  closePhoto: () => void;
  /** The album has been read (the caller's access to it is known). */
  onLoaded?: (album: Album) => void;
  /** Back to the list this album was found in. */
  onBack: (access: Album['access'] | null) => void;
}

/** One album: its photos newest first; the owner shares it, sets its cover, takes photos out. Key it by album id. */
export function AlbumView({ albumId, photoId, openPhoto, closePhoto, onLoaded, onBack }: Props) {
  const [album, setAlbum] = useState<Album | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [selection, setSelection] = useState<ReadonlySet<string>>(NONE);
  const [sharing, setSharing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const photos = useAlbumPhotos(albumId);
  const onLoadedRef = useRef(onLoaded);
  onLoadedRef.current = onLoaded;

  useEffect(() => {
    const abort = new AbortController();
    api.getAlbum(albumId, abort.signal).then(
      (found) => {
        setAlbum(found);
        onLoadedRef.current?.(found);
      },
      (error: unknown) => {
        if (abort.signal.aborted) return;
        setLoadError(
          error instanceof ApiError && error.status === 404 ? 'This album does not exist, or it is not shared with you (any more).' : errorMessage(error),
        );
      },
    );
    return () => abort.abort();
  }, [albumId]);

  const run = async (work: () => Promise<string>) => {
    setBusy(true);
    setNotice(null);
    try {
      setNotice(await work());
    } catch (error) {
      setNotice(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  const removeSelected = () =>
    run(async () => {
      const ids = [...selection];
      await api.removeFromAlbum(albumId, ids);
      ids.forEach(photos.remove);
      setSelection(NONE);
      setAlbum((current) => current && { ...current, photoCount: Math.max(0, current.photoCount - ids.length) });
      return `Took ${ids.length} photo${ids.length === 1 ? '' : 's'} out of the album (they stay in Photos).`;
    });

  const setCover = () =>
    run(async () => {
      const [id] = [...selection];
      setAlbum(await api.updateAlbum(albumId, { coverPhotoId: id! }));
      setSelection(NONE);
      return 'Cover set.';
    });

  if (loadError)
    return (
      <section className="album-view">
        <p className="error" role="alert" data-testid="album-error">
          {loadError}
        </p>
        <button type="button" onClick={() => onBack(null)}>
          Back to albums
        </button>
      </section>
    );

  const access = album?.access ?? 'viewer';
  const canSelect = access !== 'viewer';
  return (
    <section className="album-view" aria-busy={album === null} data-testid="album-view" data-access={album?.access}>
      <header className="album-head">
        <button type="button" className="link" onClick={() => onBack(album?.access ?? null)} data-testid="album-back">
          ← {access === 'owner' ? 'Albums' : 'Shared with me'}
        </button>
        <h2 className="album-title" data-testid="album-title">
          {album?.name ?? 'Album'}
        </h2>
        {album && (
          <span className="hint">
            {album.photoCount} photo{album.photoCount === 1 ? '' : 's'}
          </span>
        )}
        <span className="spacer" />
        {album?.access === 'owner' && (
          <button type="button" className="primary" onClick={() => setSharing(true)} data-testid="share-album">
            Share…
          </button>
        )}
      </header>
      {album && ROLE_NOTE[album.access] && <p className="hint">{ROLE_NOTE[album.access]}</p>}
      {notice && (
        <p className="notice" role="status" data-testid="album-notice">
          {notice}
        </p>
      )}
      {canSelect && (
        <SelectionBar count={selection.size} onClear={() => setSelection(NONE)}>
          {access === 'owner' && (
            <button type="button" disabled={busy || selection.size !== 1} onClick={() => void setCover()} data-testid="set-cover">
              Set as cover
            </button>
          )}
          <button type="button" className="danger" disabled={busy} onClick={() => void removeSelected()} data-testid="remove-from-album">
            Remove from album
          </button>
        </SelectionBar>
      )}
      <Gallery
        gallery={photos}
        onOpen={openPhoto}
        {...(canSelect ? { selection, onSelectionChange: setSelection } : {})}
        title={album ? `Photos in ${album.name}` : 'Photos'}
        emptyText="No photos in this album yet. Select some in Photos and choose “Add to album”."
      />
      {sharing && album && <ShareDialog target={{ kind: 'album', id: album.id }} title={`Share “${album.name}”`} onClose={() => setSharing(false)} />}
      {photoId && (
        <PhotoDetail
          key={photoId}
          id={photoId}
          photo={photos.items.find((photo) => photo.id === photoId)}
          onClose={closePhoto}
          onDeleted={(id) => {
            photos.remove(id);
            closePhoto();
          }}
          canDelete={false}
        />
      )}
    </section>
  );
}
