import Type from 'typebox';

/** A photo id: a UUID chosen by the upload service. */
export const PhotoId = Type.String({ format: 'uuid', description: 'The photo id (UUID); also the CloudEvents subject.' });

/** The owner: the `sub` of the uploader's access token (an opaque string, not always a UUID). */
export const OwnerId = Type.String({ minLength: 1, maxLength: 255, description: "The `sub` of the owner's token." });

/** An object key inside a bucket. Never derived from a client-supplied file name. */
export const ObjectKey = Type.String({ minLength: 1, maxLength: 1024, pattern: '^[A-Za-z0-9._/-]+$' });

export const Timestamp = Type.String({ format: 'date-time' });

/** Image formats the platform accepts and produces. */
export const ImageContentType = Type.Union([
  Type.Literal('image/jpeg'),
  Type.Literal('image/png'),
  Type.Literal('image/webp'),
  Type.Literal('image/avif'),
  Type.Literal('image/heic'),
  Type.Literal('image/heif'),
  Type.Literal('image/gif'),
  Type.Literal('image/tiff'),
]);

/** Options shared by every event's data schema: open content, so additive changes never break readers. */
export const openObject = { additionalProperties: true } as const;
