import Type, { type Static } from 'typebox';
import type { MetadataPhoto } from '../adapters/metadata-client.js';

const Variant = Type.Object({ url: Type.String(), width: Type.Integer(), height: Type.Integer() });

/** BRIEF's Photo. */
export const PhotoSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: Type.Union([Type.Literal('processing'), Type.Literal('ready'), Type.Literal('failed')]),
    filename: Type.Union([Type.String(), Type.Null()]),
    contentType: Type.Union([Type.String(), Type.Null()]),
    bytes: Type.Union([Type.Integer(), Type.Null()]),
    width: Type.Union([Type.Integer(), Type.Null()]),
    height: Type.Union([Type.Integer(), Type.Null()]),
    takenAt: Type.Union([Type.String(), Type.Null()]),
    uploadedAt: Type.Union([Type.String(), Type.Null()]),
    placeholder: Type.Union([Type.String({ description: 'Base64 ThumbHash.' }), Type.Null()]),
    dominantColor: Type.Union([Type.String(), Type.Null()]),
    variants: Type.Object({ thumb: Type.Optional(Variant), preview: Type.Optional(Variant) }),
    exif: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    originalUrl: Type.Optional(Type.String({ description: 'Signed, short-lived URL of the original (detail only).' })),
    failure: Type.Optional(Type.Object({ reason: Type.String(), code: Type.Optional(Type.String()) })),
  },
  { $id: 'Photo' },
);

/** A photo as the public API shows it (BRIEF's Photo). */
export type PhotoView = Static<typeof PhotoSchema>;

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
