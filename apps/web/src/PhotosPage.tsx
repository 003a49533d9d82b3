import { useCallback, useState } from 'react';
import { AlbumPicker } from './AlbumPicker';
import { ConfirmDialog } from './ConfirmDialog';
import { deletePhotos } from './photo-actions';
import { PhotoDetail } from './PhotoDetail';
import { Gallery } from './Gallery';
import { SelectionBar } from './SelectionBar';
import { UploadDropzone } from './UploadDropzone';
import type { Gallery as PhotoGallery } from './use-gallery';

const NONE: ReadonlySet<string> = new Set();

interface Props {
  gallery: PhotoGallery;
  photoId: string | null;
  openPhoto: (id: string) => void;
  closePhoto: () => void;
}

/** The caller's own photos: upload, the grid with multi-select (add to an album, delete), one photo open. */
export function PhotosPage({ gallery, photoId, openPhoto, closePhoto }: Props) {
  const [selection, setSelection] = useState<ReadonlySet<string>>(NONE);
  const [action, setAction] = useState<'add' | 'delete' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const { remove } = gallery;
  const selected = [...selection];

  const onDeleted = useCallback(
    (id: string) => {
      remove(id);
      closePhoto();
    },
    [remove, closePhoto],
  );

  const deleteSelected = async () => {
    const { deleted, failed } = await deletePhotos(selected, remove);
    setSelection(new Set(failed.map((failure) => failure.id)));
    setAction(null);
    setNotice(
      failed.length === 0
        ? `Deleted ${deleted.length} photo${deleted.length === 1 ? '' : 's'}.`
        : `Deleted ${deleted.length}; ${failed.length} could not be deleted (still selected): ${failed[0]!.reason}`,
    );
  };

  return (
    <>
      <UploadDropzone onAccepted={gallery.addUploaded} />
      {notice && (
        <p className="notice" role="status" data-testid="selection-notice">
          {notice}{' '}
          <button type="button" className="link" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </p>
      )}
      <SelectionBar count={selection.size} onClear={() => setSelection(NONE)}>
        <button type="button" className="primary" onClick={() => setAction('add')} data-testid="add-to-album">
          Add to album
        </button>
        <button type="button" className="danger" onClick={() => setAction('delete')} data-testid="delete-selected">
          Delete
        </button>
      </SelectionBar>
      <Gallery gallery={gallery} onOpen={openPhoto} selection={selection} onSelectionChange={setSelection} title="Your photos" />
      {action === 'add' && (
        <AlbumPicker
          photoIds={selected}
          onClose={() => setAction(null)}
          onAdded={(album, added) => {
            setAction(null);
            setSelection(NONE);
            const already = selected.length - added;
            setNotice(`Added ${added} photo${added === 1 ? '' : 's'} to “${album.name}”${already > 0 ? ` (${already} already there)` : ''}.`);
          }}
        />
      )}
      {action === 'delete' && (
        <ConfirmDialog
          title={`Delete ${selected.length} photo${selected.length === 1 ? '' : 's'}?`}
          confirmLabel="Delete"
          onConfirm={deleteSelected}
          onClose={() => setAction(null)}
        >
          <p>They are deleted for good, and taken out of every album. This cannot be undone.</p>
        </ConfirmDialog>
      )}
      {photoId && (
        <PhotoDetail
          key={photoId}
          id={photoId}
          photo={gallery.items.find((photo) => photo.id === photoId)}
          onClose={closePhoto}
          onDeleted={onDeleted}
          shareable
        />
      )}
    </>
  );
}
