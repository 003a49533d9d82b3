import { useEffect, useState } from 'react';
import { api } from './api';
import type { Album, Variant } from './types';

/** The album's cover photo's thumbnail, else its newest photo's; its first photo page when the cover cannot be read. */
async function coverThumb(album: Pick<Album, 'id' | 'coverPhotoId' | 'photoCount'>, signal: AbortSignal): Promise<Variant | null> {
  if (album.photoCount === 0) return null;
  if (album.coverPhotoId) {
    try {
      const photo = await api.getPhoto(album.coverPhotoId, signal);
      if (photo.variants.thumb) return photo.variants.thumb;
    } catch {
      // A grantee may not read the photo on its own: fall through to the album's first page.
    }
  }
  const page = await api.albumPhotos(album.id, null, 1, signal);
  return page.items[0]?.variants.thumb ?? null;
}

export function AlbumCover({ album }: { album: Album }) {
  const [thumb, setThumb] = useState<Variant | null>(null);
  // The cover changes with these, not with the object's identity (the list is read again now and then).
  const { id, coverPhotoId, photoCount } = album;
  useEffect(() => {
    const abort = new AbortController();
    coverThumb({ id, coverPhotoId, photoCount }, abort.signal).then(
      (found) => !abort.signal.aborted && setThumb(found),
      () => undefined,
    );
    return () => abort.abort();
  }, [id, coverPhotoId, photoCount]);
  return (
    <span className="album-cover" aria-hidden="true">
      {thumb && <img src={thumb.url} alt="" width={thumb.width} height={thumb.height} loading="lazy" decoding="async" data-testid="album-cover" />}
    </span>
  );
}
