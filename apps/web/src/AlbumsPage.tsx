import { useState, type FormEvent } from 'react';
import { api } from './api';
import { AlbumCard } from './AlbumCard';
import { errorMessage } from './problem';
import { useAlbums } from './use-albums';

/** My albums, newest first, with counts and covers; create one here. */
export function AlbumsPage({ onOpen }: { onOpen: (id: string) => void }) {
  const { albums, error, reload } = useAlbums(api.albums);
  const [name, setName] = useState('');
  const [createError, setCreateError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return;
    setBusy(true);
    setCreateError(null);
    try {
      await api.createAlbum(name.trim());
      setName('');
      reload();
    } catch (failure) {
      setCreateError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="albums" aria-labelledby="albums-title">
      <h2 id="albums-title" className="gallery-title">
        Albums
      </h2>
      <form className="inline-form" onSubmit={(event) => void create(event)}>
        <label htmlFor="album-name">New album</label>
        <input id="album-name" value={name} onChange={(event) => setName(event.target.value)} maxLength={200} data-testid="album-name-input" />
        <button type="submit" className="primary" disabled={busy || !name.trim()} data-testid="create-album">
          Create
        </button>
      </form>
      {createError && (
        <p className="error" role="alert">
          {createError}
        </p>
      )}
      <AlbumGrid albums={albums} error={error} onOpen={onOpen} onChanged={reload} empty="No albums yet. Create one, or select photos and add them to one." />
    </section>
  );
}

/** Albums shared with me, most recently shared first. */
export function SharedPage({ onOpen }: { onOpen: (id: string) => void }) {
  const { albums, error } = useAlbums(api.sharedAlbums);
  return (
    <section className="albums" aria-labelledby="shared-title">
      <h2 id="shared-title" className="gallery-title">
        Shared with me
      </h2>
      <AlbumGrid albums={albums} error={error} onOpen={onOpen} empty="Nothing is shared with you yet." />
    </section>
  );
}

interface GridProps {
  albums: ReturnType<typeof useAlbums>['albums'];
  error: string | null;
  onOpen: (id: string) => void;
  onChanged?: () => void;
  empty: string;
}

function AlbumGrid({ albums, error, onOpen, onChanged, empty }: GridProps) {
  if (error)
    return (
      <p className="error" role="alert" data-testid="albums-error">
        {error}
      </p>
    );
  if (albums === null)
    return (
      <p className="loading" role="status">
        <span className="spinner" /> Loading albums…
      </p>
    );
  if (albums.length === 0)
    return (
      <p className="empty" data-testid="albums-empty">
        {empty}
      </p>
    );
  return (
    <ul className="album-grid" data-testid="album-list">
      {albums.map((album) => (
        <AlbumCard key={album.id} album={album} onOpen={onOpen} {...(onChanged ? { onChanged } : {})} />
      ))}
    </ul>
  );
}
