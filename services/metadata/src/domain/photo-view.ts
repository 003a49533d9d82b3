import type { StoredPhoto, StoredVariant } from '@photos/api-contracts';
import type { VisiblePhoto } from './photo-record.js';

/** A photo as the API shows it to its owner (`StoredPhoto` of @photos/api-contracts: the BFF adds URLs and nothing else). */
export type PhotoView = Omit<StoredPhoto, 'exif'>;

/** One photo as the API shows it to its owner: with the EXIF summary, which pages leave out. */
export type PhotoDetail = PhotoView & { exif: NonNullable<StoredPhoto['exif']> | null };

const variantView = ({ key, width, height }: StoredVariant): StoredVariant => ({ key, width, height });

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
  return { ...toPhotoView(record), exif: record.exif, ...(record.originalKey ? { originalKey: record.originalKey } : {}) };
}
