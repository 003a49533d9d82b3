import type { CSSProperties } from 'react';
import { formatDimensions } from './format';
import { placeholderDataUrl } from './placeholder';
import { linkApi } from './share-links';
import type { Photo } from './types';

/** One photo seen through a share link: large, with a download of the original when the link allows it. */
export function LinkedPhoto({ token, photo, allowDownload }: { token: string; photo: Photo; allowDownload: boolean }) {
  const image = photo.variants.preview ?? photo.variants.thumb;
  const name = photo.filename ?? 'Untitled photo';
  const placeholder = placeholderDataUrl(photo.placeholder);
  const style: CSSProperties = { aspectRatio: `${image?.width ?? photo.width ?? 4} / ${image?.height ?? photo.height ?? 3}` };
  if (placeholder) style.backgroundImage = `url("${placeholder}")`;
  return (
    <figure className="linked-photo" data-testid="linked-photo" data-photo-id={photo.id}>
      <div className="linked-media" style={style}>
        {image && <img src={image.url} alt={name} width={image.width} height={image.height} decoding="async" data-testid="linked-photo-image" />}
      </div>
      <figcaption>
        <span>{name}</span>
        <span className="hint"> · {formatDimensions(photo.width, photo.height)}</span>
        {allowDownload && (
          <a className="button" href={linkApi.originalUrl(token, photo.id)} download={name} data-testid="download-original">
            Download original
          </a>
        )}
      </figcaption>
    </figure>
  );
}
