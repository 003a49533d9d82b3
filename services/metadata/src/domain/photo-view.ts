import type { ExifSummary, PhotoStatus, VisiblePhoto } from './photo-record.js';

/** A stored variant as the API shows it; the BFF turns the key into a URL. */
export interface VariantView {
  key: string;
  width: number;
  height: number;
}

/** A photo as the API shows it to its owner, in a page. */
export interface PhotoView {
  id: string;
  status: PhotoStatus;
  filename: string;
  contentType: string;
  bytes: number;
  sha256: string;
  width: number | null;
  height: number | null;
  takenAt: string | null;
  uploadedAt: string;
  placeholder: string | null;
  dominantColor: string | null;
  variants: { thumb: VariantView; preview: VariantView } | null;
  failure?: { code: string; reason: string };
}

/** One photo as the API shows it to its owner: with the EXIF summary, which pages leave out. */
export interface PhotoDetail extends PhotoView {
  exif: ExifSummary | null;
}

const variantView = ({ key, width, height }: VariantView): VariantView => ({ key, width, height });

/** The API view of a visible record, as a page shows it. */
export function toPhotoView(record: VisiblePhoto): PhotoView {
  return {
    id: record.id,
    status: record.status,
    filename: record.filename,
    contentType: record.contentType,
    bytes: record.bytes,
    sha256: record.sha256,
    width: record.width,
    height: record.height,
    takenAt: record.takenAt,
    uploadedAt: record.uploadedAt.toISOString(),
    placeholder: record.placeholder,
    dominantColor: record.dominantColor,
    variants: record.variants ? { thumb: variantView(record.variants.thumb), preview: variantView(record.variants.preview) } : null,
    ...(record.status === 'failed' ? { failure: { code: record.failureCode ?? 'unknown', reason: record.failureReason ?? '' } } : {}),
  };
}

/** The API view of one visible record, with its EXIF summary. */
export function toPhotoDetail(record: VisiblePhoto): PhotoDetail {
  return { ...toPhotoView(record), exif: record.exif };
}
