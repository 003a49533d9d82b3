import { memo, useState, type CSSProperties } from 'react';
import { tileAspectRatio } from './format';
import { placeholderDataUrl } from './placeholder';
import type { Photo } from './types';

/**
 * One gallery tile, drawn at the photo's aspect ratio: the ThumbHash placeholder (or the dominant colour)
 * until the thumbnail has loaded, then the thumbnail fading in over it. Processing and failed photos say so.
 */
export const PhotoTile = memo(function PhotoTile({ photo, onOpen }: { photo: Photo; onOpen: (id: string) => void }) {
  const [loadedUrl, setLoadedUrl] = useState<string | null>(null);
  const [brokenUrl, setBrokenUrl] = useState<string | null>(null);
  const thumb = photo.status === 'ready' ? photo.variants.thumb : undefined;
  const placeholder = placeholderDataUrl(photo.placeholder);
  const name = photo.filename ?? 'Untitled photo';
  const loaded = thumb !== undefined && loadedUrl === thumb.url;

  const style: CSSProperties = { aspectRatio: String(tileAspectRatio(photo)) };
  if (placeholder) style.backgroundImage = `url("${placeholder}")`;
  else if (photo.dominantColor) style.backgroundColor = photo.dominantColor;

  const state = photo.status === 'processing' ? 'processing' : photo.status === 'failed' ? 'failed' : 'ready';
  return (
    <button
      type="button"
      className={`tile ${state}${loaded ? ' loaded' : ''}`}
      style={style}
      onClick={() => onOpen(photo.id)}
      data-testid="photo-tile"
      data-photo-id={photo.id}
      data-status={photo.status}
      data-loaded={loaded ? 'true' : 'false'}
      aria-label={`${name}${state === 'processing' ? ' (processing)' : state === 'failed' ? ' (processing failed)' : ''}`}
    >
      {thumb && brokenUrl !== thumb.url && (
        <img
          src={thumb.url}
          alt={name}
          width={thumb.width}
          height={thumb.height}
          loading="lazy"
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
  );
});
