import Type, { type Static } from 'typebox';

/** One stored original, as the upload answers it (and the BFF relays unchanged); processing has not begun. */
export const UploadedPhotoSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: Type.Literal('processing'),
    filename: Type.String(),
    contentType: Type.String({ description: 'The type read from the bytes.' }),
    bytes: Type.Integer(),
    width: Type.Integer({ description: 'From the image header, before EXIF orientation.' }),
    height: Type.Integer(),
    sha256: Type.String(),
    uploadedAt: Type.String({ format: 'date-time' }),
    duplicate: Type.Boolean({ description: 'True when the caller had already uploaded these exact bytes (the same photo is answered).' }),
  },
  { $id: 'UploadedPhoto', title: 'UploadedPhoto' },
);

/** The 202 answer to an upload: one entry per `file` part, in order. */
export const UploadAnswerSchema = Type.Object({ photos: Type.Array(UploadedPhotoSchema) }, { $id: 'UploadAnswer', title: 'UploadAnswer' });

export type UploadedPhoto = Static<typeof UploadedPhotoSchema>;
export type UploadAnswer = Static<typeof UploadAnswerSchema>;
