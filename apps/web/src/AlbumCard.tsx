import { useState, type FormEvent } from 'react';
import { api } from './api';
import { AlbumCover } from './AlbumCover';
import { ConfirmDialog } from './ConfirmDialog';
import { errorMessage } from './problem';
import type { Album } from './types';

const ACCESS_LABEL = { owner: null, viewer: 'You can view', contributor: 'You can add photos' } as const;

interface Props {
  album: Album;
  onOpen: (id: string) => void;
  /** After a rename or delete (owner only): read the list again. */
  onChanged?: () => void;
}

/** One album in a list: cover, name, count; for its owner, rename and delete (the photos stay). */
export function AlbumCard({ album, onOpen, onChanged }: Props) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(album.name);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const manage = album.access === 'owner' && onChanged;
  const count = `${album.photoCount} photo${album.photoCount === 1 ? '' : 's'}`;

  const rename = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return;
    setError(null);
    try {
      await api.updateAlbum(album.id, { name: name.trim() });
      setRenaming(false);
      onChanged?.();
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };

  return (
    <li className="album-card" data-testid="album-card" data-album-id={album.id}>
      <button type="button" className="album-open" onClick={() => onOpen(album.id)} aria-label={`${album.name}, ${count}`}>
        <AlbumCover album={album} />
      </button>
      {renaming ? (
        <form className="inline-form" onSubmit={(event) => void rename(event)}>
          <label htmlFor={`rename-${album.id}`} className="visually-hidden">
            Album name
          </label>
          <input
            id={`rename-${album.id}`}
            value={name}
            onChange={(event) => setName(event.target.value)}
            maxLength={200}
            autoFocus
            data-testid="rename-input"
          />
          <button type="submit" className="primary" data-testid="rename-save">
            Save
          </button>
          <button type="button" onClick={() => setRenaming(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <div className="album-meta">
          <span className="album-name" data-testid="album-name">
            {album.name}
          </span>
          <span className="hint" data-testid="album-count">
            {count}
            {ACCESS_LABEL[album.access] ? ` · ${ACCESS_LABEL[album.access]}` : ''}
          </span>
        </div>
      )}
      {manage && !renaming && (
        <div className="album-actions">
          <button type="button" className="link" onClick={() => setRenaming(true)} data-testid="rename-album">
            Rename
          </button>
          <button type="button" className="link danger" onClick={() => setDeleting(true)} data-testid="delete-album">
            Delete
          </button>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete the album “${album.name}”?`}
          confirmLabel="Delete album"
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            await api.deleteAlbum(album.id);
            setDeleting(false);
            onChanged?.();
          }}
        >
          <p>The album goes, and whoever it is shared with loses it. Its photos stay in your photos.</p>
        </ConfirmDialog>
      )}
    </li>
  );
}
