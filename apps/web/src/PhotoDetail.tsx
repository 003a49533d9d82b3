import { useEffect, useId, useRef, useState, type CSSProperties } from 'react';
import { api } from './api';
import { cameraName, exposureSummary, formatBytes, formatCoordinates, formatDimensions, formatInstant, formatTakenAt, gpsOf, openStreetMapUrl } from './format';
import { mergePhoto } from './gallery-state';
import { placeholderDataUrl } from './placeholder';
import { ApiError, errorMessage } from './problem';
import { ShareDialog } from './ShareDialog';
import { useModalDialog } from './use-modal-dialog';
import type { Photo } from './types';

interface Props {
  id: string;
  /** The gallery's copy, kept live by the status stream (undefined when opened by a link before it loaded). */
  photo: Photo | undefined;
  onClose: () => void;
  onDeleted: (id: string) => void;
  /** Offer "Delete" (false for a photo seen through a shared album). */
  canDelete?: boolean;
  /** Offer "Share" by link (the caller's own photos). */
  shareable?: boolean;
}

/** One photo large, with its details and EXIF, a link to the original, and delete. Escape closes it. */
export function PhotoDetail({ id, photo, onClose, onDeleted, canDelete = true, shareable = false }: Props) {
  const { dialog, close } = useModalDialog(onClose);
  const titleId = useId();
  const [detail, setDetail] = useState<Photo | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [previewLoaded, setPreviewLoaded] = useState<string | null>(null);
  const [sharing, setSharing] = useState(false);

  useEffect(() => {
    const element = dialog.current;
    const onKey = (event: KeyboardEvent) => {
      // A dialog opened over this one (Share) takes its own Escape, even when focus has fallen to the page.
      if (event.key === 'Escape' && !element?.querySelector('dialog[open]')) close();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [dialog, close]);

  // The full record (EXIF, original URL, fresh signed URLs); again when the live status changes.
  const liveStatus = photo?.status;
  const wasInGallery = useRef(false);
  if (photo) wasInGallery.current = true;
  useEffect(() => {
    // Gone from the gallery (just deleted, here or elsewhere): there is nothing left to load.
    if (wasInGallery.current && !liveStatus) return;
    const abort = new AbortController();
    setLoadError(null);
    api.getPhoto(id, abort.signal).then(setDetail, (error: unknown) => {
      if (abort.signal.aborted) return;
      setLoadError(error instanceof ApiError && error.status === 404 ? 'This photo does not exist, or it is not yours.' : errorMessage(error));
    });
    return () => abort.abort();
  }, [id, liveStatus]);

  const view: Photo | undefined =
    detail && photo
      ? {
          ...mergePhoto(detail, photo),
          exif: detail.exif ?? null,
          variants: detail.variants.preview ? detail.variants : photo.variants,
          ...(detail.originalUrl ? { originalUrl: detail.originalUrl } : {}),
        }
      : (detail ?? photo);

  const remove = async () => {
    setDeleting(true);
    setDeleteError(null);
    try {
      await api.deletePhoto(id);
      onDeleted(id);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return onDeleted(id);
      setDeleteError(errorMessage(error));
      setDeleting(false);
    }
  };

  const name = view?.filename ?? 'Untitled photo';
  const image = view?.variants.preview ?? view?.variants.thumb;
  const placeholder = placeholderDataUrl(view?.placeholder);
  const width = image?.width ?? view?.width ?? 4;
  const height = image?.height ?? view?.height ?? 3;
  const mediaStyle: CSSProperties = { aspectRatio: `${width} / ${height}` };
  if (placeholder) mediaStyle.backgroundImage = `url("${placeholder}")`;
  else if (view?.dominantColor) mediaStyle.backgroundColor = view.dominantColor;

  const exif = view?.exif ?? undefined;
  const gps = gpsOf(exif);
  const camera = cameraName(exif);
  const exposure = exposureSummary(exif);

  return (
    <dialog
      ref={dialog}
      className="detail"
      aria-labelledby={titleId}
      data-testid="photo-detail"
      data-photo-id={id}
      data-status={view?.status}
      onClose={close}
      onClick={(event) => {
        // A click on the backdrop (the dialog element itself, outside its content) closes.
        if (event.target === dialog.current) close();
      }}
    >
      <div className="detail-body">
        <header className="detail-head">
          <h2 id={titleId} title={name}>
            {name}
          </h2>
          <button type="button" className="icon" onClick={close} aria-label="Close" data-testid="close-detail">
            ×
          </button>
        </header>

        <div className="detail-media" style={mediaStyle}>
          {view?.status === 'ready' && image && (
            <img
              key={image.url}
              src={image.url}
              alt={name}
              width={image.width}
              height={image.height}
              decoding="async"
              className={previewLoaded === image.url ? 'loaded' : ''}
              onLoad={() => setPreviewLoaded(image.url)}
              data-testid="photo-preview"
            />
          )}
          {view?.status === 'processing' && (
            <p className="media-status" role="status">
              <span className="spinner" /> Still processing…
            </p>
          )}
          {view?.status === 'failed' && (
            <p className="media-status error" role="status">
              Processing failed{view.failure?.reason ? `: ${view.failure.reason}` : '.'}
            </p>
          )}
        </div>

        <div className="detail-info">
          {loadError && (
            <p className="error" role="alert" data-testid="detail-error">
              {loadError}
            </p>
          )}
          {view && (
            <dl className="facts">
              <dt>Size</dt>
              <dd>{formatBytes(view.bytes)}</dd>
              <dt>Dimensions</dt>
              <dd>{formatDimensions(view.width, view.height)}</dd>
              {view.contentType && (
                <>
                  <dt>Type</dt>
                  <dd>{view.contentType}</dd>
                </>
              )}
              <dt>Taken</dt>
              <dd>{formatTakenAt(view.takenAt ?? exif?.takenAt)}</dd>
              <dt>Uploaded</dt>
              <dd>{formatInstant(view.uploadedAt)}</dd>
              {camera && (
                <>
                  <dt>Camera</dt>
                  <dd data-testid="exif-camera">{camera}</dd>
                </>
              )}
              {exif?.lens && (
                <>
                  <dt>Lens</dt>
                  <dd>{exif.lens}</dd>
                </>
              )}
              {exposure && (
                <>
                  <dt>Exposure</dt>
                  <dd data-testid="exif-exposure">{exposure}</dd>
                </>
              )}
              {gps && (
                <>
                  <dt>Location</dt>
                  <dd>
                    <a href={openStreetMapUrl(gps)} target="_blank" rel="noopener noreferrer" data-testid="exif-location">
                      {formatCoordinates(gps)}
                    </a>
                    {gps.altitude !== undefined && <span className="hint"> · {Math.round(gps.altitude)} m</span>}
                  </dd>
                </>
              )}
            </dl>
          )}

          <div className="detail-actions">
            {view?.originalUrl && (
              <a className="button" href={view.originalUrl} target="_blank" rel="noopener noreferrer" data-testid="original-link">
                Open original
              </a>
            )}
            {shareable && (
              <button type="button" onClick={() => setSharing(true)} data-testid="share-photo">
                Share…
              </button>
            )}
            {canDelete && !confirming && (
              <button type="button" className="danger" onClick={() => setConfirming(true)} data-testid="delete-button">
                Delete…
              </button>
            )}
          </div>

          {confirming && (
            <div className="confirm" role="group" aria-label="Confirm deletion">
              <p>
                Delete <strong>{name}</strong> for good? This cannot be undone.
              </p>
              <div className="detail-actions">
                <button type="button" onClick={() => setConfirming(false)} disabled={deleting} autoFocus data-testid="cancel-delete">
                  Keep it
                </button>
                <button type="button" className="danger solid" onClick={remove} disabled={deleting} data-testid="confirm-delete">
                  {deleting ? 'Deleting…' : 'Delete'}
                </button>
              </div>
            </div>
          )}
          {deleteError && (
            <p className="error" role="alert" data-testid="form-error">
              {deleteError}
            </p>
          )}
        </div>
      </div>
      {sharing && <ShareDialog target={{ kind: 'photo', id }} title={`Share “${name}”`} onClose={() => setSharing(false)} />}
    </dialog>
  );
}
