import Type from 'typebox';
import { defineEvent } from '../define-event.js';
import { ObjectKey, OwnerId, PhotoId, Timestamp, openObject } from './common.js';

const Variant = Type.Object(
  {
    key: ObjectKey,
    width: Type.Integer({ minimum: 1 }),
    height: Type.Integer({ minimum: 1 }),
    bytes: Type.Integer({ minimum: 1 }),
    format: Type.Union([Type.Literal('webp'), Type.Literal('jpeg'), Type.Literal('avif')]),
  },
  openObject,
);

/** EXIF local time as written by the camera, with an offset when the camera recorded one. */
const ExifTime = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})?$' });

/** The EXIF summary the processor reads: every field optional, other fields allowed. The public Photo shows it too. */
export const ExifSummarySchema = Type.Object(
  {
    takenAt: Type.Optional(ExifTime),
    cameraMake: Type.Optional(Type.String({ maxLength: 200 })),
    cameraModel: Type.Optional(Type.String({ maxLength: 200 })),
    lens: Type.Optional(Type.String({ maxLength: 200 })),
    exposureTime: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Seconds.' })),
    fNumber: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    iso: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    focalLength: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Millimetres.' })),
    orientation: Type.Optional(Type.Integer({ minimum: 1, maximum: 8 })),
    gps: Type.Optional(
      Type.Object(
        {
          latitude: Type.Number({ minimum: -90, maximum: 90 }),
          longitude: Type.Number({ minimum: -180, maximum: 180 }),
          altitude: Type.Optional(Type.Number({ description: 'Metres above sea level.' })),
        },
        openObject,
      ),
    ),
  },
  openObject,
);

/**
 * `photo.processed.v1`: the processor made the variants of a photo and read its metadata.
 * Width and height are the displayed size, after EXIF orientation.
 */
export const PhotoProcessedV1 = defineEvent({
  name: 'photo.processed',
  version: 1,
  description: 'Variants, placeholder, dominant colour and EXIF summary of a photo are ready.',
  schema: Type.Object(
    {
      photoId: PhotoId,
      ownerId: OwnerId,
      width: Type.Integer({ minimum: 1 }),
      height: Type.Integer({ minimum: 1 }),
      variants: Type.Object({ thumb: Variant, preview: Variant }, openObject),
      placeholder: Type.Object(
        {
          algorithm: Type.Literal('thumbhash'),
          hash: Type.String({ minLength: 1, maxLength: 200, description: 'Base64 ThumbHash.' }),
        },
        openObject,
      ),
      dominantColor: Type.String({ pattern: '^#[0-9a-f]{6}$' }),
      exif: ExifSummarySchema,
      processedAt: Timestamp,
    },
    openObject,
  ),
  example: {
    photoId: '0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30',
    ownerId: 'user-7f3a',
    width: 3024,
    height: 4032,
    variants: {
      thumb: { key: 'variants/0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30/thumb-9f2c6a1b.webp', width: 240, height: 320, bytes: 14_210, format: 'webp' },
      preview: { key: 'variants/0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30/preview-9f2c6a1b.jpeg', width: 1080, height: 1440, bytes: 212_004, format: 'jpeg' },
    },
    placeholder: { algorithm: 'thumbhash', hash: '1QcSHQRnh493V4dIh4eXh1h4kJUI' },
    dominantColor: '#6a7f4c',
    exif: {
      takenAt: '2026-08-14T18:02:11+02:00',
      cameraMake: 'Apple',
      cameraModel: 'iPhone 15',
      lens: 'iPhone 15 back camera 6.86mm f/1.6',
      exposureTime: 0.008,
      fNumber: 1.6,
      iso: 64,
      focalLength: 6.86,
      orientation: 6,
      gps: { latitude: 45.4642, longitude: 9.19, altitude: 122 },
    },
    processedAt: '2026-11-22T10:15:31.200Z',
  },
});
