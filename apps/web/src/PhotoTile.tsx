import { memo, useState, type CSSProperties, type MouseEvent } from 'react';
import { placeholderDataUrl } from './placeholder';
import type { Photo } from './types';

export interface PhotoTileProps {
  photo: Photo;
  /** The tile's box in its justified row, px. */
  width: number;
  height: number;
  /** The gallery offers selection: the tile has a checkbox and says whether it is selected. */
  selectable: boolean;
  selected: boolean;
  /** A click on the photo: the gallery opens it, or toggles it while photos are being selected. */
  onActivate: (id: string, event: MouseEvent) => void;
  /** The checkbox was clicked (`range`: with Shift, to select from the last clicked photo to this one). */
  onToggle: (id: string, range: boolean) => void;
}

/**
 * One gallery tile in its row's box: the ThumbHash placeholder (or the dominant colour) until the
 * thumbnail has loaded, then the thumbnail fading in over it. Processing and failed photos say so. The
 * photo is a button (open, or toggle while selecting); the checkbox beside it (not inside: no control
 * in a control) selects it, shown on hover and focus, and on every tile once something is selected.
 */
export const PhotoTile = memo(function PhotoTile({ photo, width, height, selectable, selected, onActivate, onToggle }: PhotoTileProps) {
  const [loadedUrl, setLoadedUrl] = useState<string | null>(null);
  const [brokenUrl, setBrokenUrl] = useState<string | null>(null);
  const thumb = photo.status === 'ready' ? photo.variants.thumb : undefined;
  const placeholder = placeholderDataUrl(photo.placeholder);
  const name = photo.filename ?? 'Untitled photo';
  const loaded = thumb !== undefined && loadedUrl === thumb.url;

  const style: CSSProperties = {};
  if (placeholder) style.backgroundImage = `url("${placeholder}")`;
  else if (photo.dominantColor) style.backgroundColor = photo.dominantColor;

  const state = photo.status === 'processing' ? 'processing' : photo.status === 'failed' ? 'failed' : 'ready';
  return (
    <div
      role="gridcell"
      className={`tile-cell${selected ? ' selected' : ''}`}
      style={{ width, height }}
      data-testid="photo-tile"
      data-photo-id={photo.id}
      data-status={photo.status}
      data-loaded={loaded ? 'true' : 'false'}
      aria-selected={selectable ? selected : undefined}
    >
      <button
        type="button"
        className={`tile ${state}${loaded ? ' loaded' : ''}`}
        style={style}
        onClick={(event) => onActivate(photo.id, event)}
        aria-label={`${name}${state === 'processing' ? ' (processing)' : state === 'failed' ? ' (processing failed)' : ''}`}
      >
        {thumb && brokenUrl !== thumb.url && (
          // Not lazy: the timeline renders only the rows on screen and just around it.
          <img
            src={thumb.url}
            alt={name}
            width={thumb.width}
            height={thumb.height}
            decoding="async"
            draggable={false}
            data-testid="photo-thumb"
            onLoad={() => setLoadedUrl(thumb.url)}
            onError={() => setBrokenUrl(thumb.url)}
          />
        )}
        {state === 'processing' && (
          <span className="tile-status" aria-hidden="true">
            <span className="spinner" /> Processing…
          </span>
        )}
        {state === 'failed' && (
          <span className="tile-status failed" data-testid="tile-failure">
            Failed{photo.failure?.reason ? `: ${photo.failure.reason}` : ''}
          </span>
        )}
        {thumb && brokenUrl === thumb.url && <span className="tile-status">Image unavailable</span>}
      </button>
      {selectable && (
        <input
          type="checkbox"
          className="tile-check"
          checked={selected}
          // React fires a checkbox's change from its click: the event carries the Shift key.
          onChange={(event) => onToggle(photo.id, (event.nativeEvent as globalThis.MouseEvent).shiftKey === true)}
          aria-label={`Select ${name}`}
          data-testid="photo-select"
        />
      )}
    </div>
  );
});
