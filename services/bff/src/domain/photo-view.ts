import type { MetadataPhoto } from '../adapters/metadata-client.js';

/** A photo as the public API shows it (BRIEF's Photo). */
export interface PhotoView {
  id: string;
  status: 'processing' | 'ready' | 'failed';
  filename: string | null;
  contentType: string | null;
  bytes: number | null;
  width: number | null;
  height: number | null;
  takenAt: string | null;
  uploadedAt: string | null;
  placeholder: string | null;
  dominantColor: string | null;
  variants: { thumb?: VariantView; preview?: VariantView };
  exif?: Record<string, unknown>;
  failure?: { reason: string; code?: string };
}

export interface VariantView {
  url: string;
  width: number;
  height: number;
}

/** Adds URLs to a metadata record; `withExif` for the detail view. */
export async function toPhotoView(
  photo: MetadataPhoto,
  variantUrl: (key: string) => Promise<string>,
  withExif = false,
): Promise<PhotoView> {
  const variants: PhotoView['variants'] = {};
  for (const name of ['thumb', 'preview'] as const) {
    const variant = photo.variants?.[name];
    if (variant) variants[name] = { url: await variantUrl(variant.key), width: variant.width, height: variant.height };
  }
  return {
    id: photo.id,
    status: photo.status,
    filename: photo.filename,
    contentType: photo.contentType,
    bytes: photo.bytes,
    width: photo.width,
    height: photo.height,
    takenAt: photo.takenAt,
    uploadedAt: photo.uploadedAt,
    placeholder: photo.placeholder,
    dominantColor: photo.dominantColor ?? null,
    variants,
    ...(withExif && photo.exif ? { exif: photo.exif } : {}),
    ...(photo.failure ? { failure: { reason: photo.failure.reason, ...(photo.failure.code ? { code: photo.failure.code } : {}) } } : {}),
  };
}
