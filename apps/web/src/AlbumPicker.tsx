import { useEffect, useState, type FormEvent } from 'react';
import { api } from './api';
import { Modal } from './Modal';
import { errorMessage } from './problem';
import type { Album } from './types';

interface Props {
  photoIds: readonly string[];
  /** After the photos went in: the album, and how many were new to it. */
  onAdded: (album: Album, added: number) => void;
  onClose: () => void;
}

/** Where to put the selected photos: one of my albums, one shared with me as contributor, or a new one. */
export function AlbumPicker({ photoIds, onAdded, onClose }: Props) {
  const [albums, setAlbums] = useState<Album[] | null>(null);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    Promise.all([api.albums(), api.sharedAlbums()]).then(
      ([mine, shared]) => live && setAlbums([...mine, ...shared.filter((album) => album.access === 'contributor')]),
      (failure: unknown) => live && setError(errorMessage(failure)),
    );
    return () => {
      live = false;
    };
  }, []);

  const addTo = async (pick: () => Promise<Album>) => {
    setBusy(true);
    setError(null);
    try {
      const album = await pick();
      const added = await api.addToAlbum(album.id, photoIds);
      onAdded(album, added.length);
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  };

  const create = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim()) void addTo(() => api.createAlbum(name.trim()));
  };

  const count = photoIds.length;
  return (
    <Modal title={`Add ${count} photo${count === 1 ? '' : 's'} to an album`} onClose={onClose} testId="album-picker">
      <form className="inline-form" onSubmit={create}>
        <label htmlFor="new-album-name">New album</label>
        <input id="new-album-name" value={name} onChange={(event) => setName(event.target.value)} maxLength={200} data-testid="new-album-name" />
        <button type="submit" className="primary" disabled={busy || !name.trim()} data-testid="create-and-add">
          Create and add
        </button>
      </form>
      {albums === null && !error && <p className="hint">Loading albums…</p>}
      {albums && albums.length > 0 && (
        <ul className="pick-list" aria-label="Existing albums">
          {albums.map((album) => (
            <li key={album.id}>
              <button type="button" disabled={busy} onClick={() => void addTo(async () => album)} data-testid="pick-album" data-album-id={album.id}>
                <span className="pick-name">{album.name}</span>
                <span className="hint">
                  {album.photoCount} photo{album.photoCount === 1 ? '' : 's'}
                  {album.access === 'contributor' ? ' · shared with you' : ''}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="error" role="alert" data-testid="picker-error">
          {error}
        </p>
      )}
    </Modal>
  );
}
