import { ExifSummarySchema } from '@photos/contracts';
import Type, { type Static, type TSchema } from 'typebox';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Where a photo is: being processed, ready to show, or failed for a permanent reason. */
export const PhotoStatusSchema = Type.Union([Type.Literal('processing'), Type.Literal('ready'), Type.Literal('failed')]);

// Variants carry no $id: one schema may hold two of them (thumb, preview), and an $id must be unique in it.
/** A variant as metadata stores it: the object key, which only the BFF turns into a URL. */
export const StoredVariantSchema = Type.Object(
  { key: Type.String({ description: 'Object key in the variants bucket.' }), width: Type.Integer(), height: Type.Integer() },
  { title: 'StoredVariant' },
);

/** A variant as the public API shows it: a URL an <img> loads directly (signed, expiring). */
export const VariantSchema = Type.Object(
  {
    url: Type.String({ description: 'Signed, expiring URL: loads in an <img> without credentials.' }),
    width: Type.Integer(),
    height: Type.Integer(),
  },
  { title: 'Variant' },
);

export const ExifSchema = Type.Object(ExifSummarySchema.properties, {
  $id: 'Exif',
  title: 'Exif',
  additionalProperties: true,
  description: 'The EXIF summary the processor read; every field optional, other fields may appear.',
});

/**
 * The fields of a photo, whoever shows it; only the variants differ: object keys at metadata, URLs at the
 * BFF. A photo is shown once its upload is recorded, so the upload's facts are never null.
 */
function photoFields<V extends TSchema>(variants: V) {
  return {
    id: Type.String({ format: 'uuid' }),
    status: PhotoStatusSchema,
    filename: Type.String({ description: 'The name the file had when uploaded.' }),
    contentType: Type.String({ description: 'The type read from the bytes (image/jpeg, image/heic...), not the one declared.' }),
    bytes: Type.Integer({ description: 'Size of the original.' }),
    sha256: Type.String({ description: 'Hex SHA-256 of the original.' }),
    width: Nullable(Type.Integer({ description: 'Displayed width (after EXIF orientation); null until processed.' })),
    height: Nullable(Type.Integer({ description: 'Displayed height; null until processed.' })),
    takenAt: Nullable(Type.String({ description: 'EXIF capture time as the camera wrote it, with an offset only if it recorded one.' })),
    uploadedAt: Type.String({ format: 'date-time' }),
    placeholder: Nullable(Type.String({ description: 'ThumbHash (base64) to paint while the thumbnail loads.' })),
    dominantColor: Nullable(Type.String({ description: 'CSS colour, #rrggbb.' })),
    variants,
    exif: Type.Optional(Nullable(ExifSchema)),
    failure: Type.Optional(
      Type.Object(
        { code: Type.String({ description: 'Stable reason code, e.g. undecodable.' }), reason: Type.String() },
        { description: 'Why processing failed (status failed).' },
      ),
    ),
  };
}

/** A photo as the metadata service answers the BFF: variant keys; `exif` on the single-photo read only. */
export const StoredPhotoSchema = Type.Object(
  {
    ...photoFields(Nullable(Type.Object({ thumb: StoredVariantSchema, preview: StoredVariantSchema }, { description: 'Null until processed.' }))),
    originalKey: Type.Optional(
      Type.String({ description: 'Object key of the original in the originals bucket, as photo.uploaded named it (single-photo read only).' }),
    ),
  },
  { $id: 'StoredPhoto', title: 'StoredPhoto' },
);

/** A page of photos as the metadata service answers it. */
export const StoredPhotoPageSchema = Type.Object(
  {
    items: Type.Array(StoredPhotoSchema),
    nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` for the next page; null on the last one.' })),
  },
  { $id: 'StoredPhotoPage', title: 'StoredPhotoPage' },
);

/**
 * BRIEF's Photo: the metadata service's photo with URLs for its variants; `exif` and `originalUrl` on
 * GET /api/photos/{id} only.
 */
export const PhotoSchema = Type.Object(
  {
    ...photoFields(
      Type.Object(
        { thumb: Type.Optional(VariantSchema), preview: Type.Optional(VariantSchema) },
        { description: 'Empty until processed; then thumb (about 400 px wide) and preview (about 1440 px).' },
      ),
    ),
    originalUrl: Type.Optional(Type.String({ description: 'Signed, short-lived URL of the original (GET /api/photos/{id} only).' })),
  },
  {
    $id: 'Photo',
    title: 'Photo',
    examples: [
      {
        id: '0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30',
        status: 'ready',
        filename: 'beach.jpg',
        contentType: 'image/jpeg',
        bytes: 2_841_305,
        sha256: '9f2c6a1b0d4e8f7a3c5b1e2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2c',
        width: 3024,
        height: 4032,
        takenAt: '2026-08-14T18:02:11+02:00',
        uploadedAt: '2026-08-15T09:30:00.000Z',
        placeholder: 'mxgKFQBnh4d4h3d4mHiHd4eHeIB3',
        dominantColor: '#6a8fb0',
        variants: {
          thumb: { url: '/media/variants/0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30/thumb.webp?expires=1786800000&signature=…', width: 300, height: 400 },
          preview: { url: '/media/variants/0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30/preview.jpeg?expires=1786800000&signature=…', width: 1080, height: 1440 },
        },
      },
    ],
  },
);

/** A page of the caller's photos, newest first. */
export const PhotoPageSchema = Type.Object(
  {
    items: Type.Array(PhotoSchema),
    nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` for the next page; null on the last one.' })),
  },
  { $id: 'PhotoPage', title: 'PhotoPage' },
);

export type PhotoStatus = Static<typeof PhotoStatusSchema>;
export type StoredVariant = Static<typeof StoredVariantSchema>;
export type Variant = Static<typeof VariantSchema>;
export type Exif = Static<typeof ExifSchema>;
export type StoredPhoto = Static<typeof StoredPhotoSchema>;
export type StoredPhotoPage = Static<typeof StoredPhotoPageSchema>;
export type Photo = Static<typeof PhotoSchema>;
export type PhotoPage = Static<typeof PhotoPageSchema>;
