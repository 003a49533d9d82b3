import Type from 'typebox';
import { defineEvent } from '../define-event.js';
import { ImageContentType, ObjectKey, OwnerId, PhotoId, Timestamp, openObject } from './common.js';

/**
 * `photo.uploaded.v1`: an original is stored in the originals bucket. Published by the upload service
 * only after the object is durably stored; may be published more than once for one photo.
 */
export const PhotoUploadedV1 = defineEvent({
  name: 'photo.uploaded',
  version: 1,
  description: 'An original photo was stored. Published only after the bytes are durable; at least once.',
  schema: Type.Object(
    {
      photoId: PhotoId,
      ownerId: OwnerId,
      objectKey: ObjectKey,
      filename: Type.String({ maxLength: 255, description: "The client's file name, as data only." }),
      contentType: ImageContentType,
      bytes: Type.Integer({ minimum: 1 }),
      sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
      width: Type.Optional(Type.Integer({ minimum: 1, description: 'From the file header, before orientation.' })),
      height: Type.Optional(Type.Integer({ minimum: 1, description: 'From the file header, before orientation.' })),
      uploadedAt: Timestamp,
    },
    openObject,
  ),
  example: {
    photoId: '0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30',
    ownerId: 'user-7f3a',
    objectKey: 'originals/user-7f3a/0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30',
    filename: 'IMG_2041.jpg',
    contentType: 'image/jpeg',
    bytes: 2_483_112,
    sha256: '9f2c6a1b0d8e7f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a',
    width: 4032,
    height: 3024,
    uploadedAt: '2026-11-22T10:15:30.000Z',
  },
});
