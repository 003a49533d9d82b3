import Type from 'typebox';
import { TAKEN_FILTER_PATTERN } from '../domain/taken-at.js';

const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const Status = Type.Union([Type.Literal('processing'), Type.Literal('ready'), Type.Literal('failed')]);

const Variant = Type.Object({ key: Type.String(), width: Type.Integer(), height: Type.Integer() });

const photoProperties = {
  id: Type.String({ format: 'uuid' }),
  status: Status,
  filename: Type.String(),
  contentType: Type.String(),
  bytes: Type.Integer(),
  sha256: Type.String(),
  width: Nullable(Type.Integer({ description: 'Displayed width (after EXIF orientation); null until processed.' })),
  height: Nullable(Type.Integer()),
  takenAt: Nullable(Type.String({ description: 'EXIF capture time as the camera wrote it, with an offset only if it recorded one.' })),
  uploadedAt: Type.String({ format: 'date-time' }),
  placeholder: Nullable(Type.String({ description: 'ThumbHash (base64) to paint while the thumbnail loads.' })),
  dominantColor: Nullable(Type.String()),
  variants: Nullable(Type.Object({ thumb: Variant, preview: Variant })),
  failure: Type.Optional(Type.Object({ code: Type.String(), reason: Type.String() })),
};

/** A photo in a page (no EXIF). */
export const PhotoListItemSchema = Type.Object(photoProperties);

/** One photo, with its EXIF summary. */
export const PhotoSchema = Type.Object({
  ...photoProperties,
  exif: Nullable(Type.Object({}, { additionalProperties: true, description: 'The EXIF summary of photo.processed.' })),
});

export const PageSchema = Type.Object({
  items: Type.Array(PhotoListItemSchema),
  nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` for the next page; null on the last one.' })),
});

export const PageQuerySchema = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'nextCursor of the previous page.' })),
    status: Type.Optional(Status),
    takenFrom: Type.Optional(Type.String({ pattern: TAKEN_FILTER_PATTERN, description: 'Local capture time, inclusive: 2026-08-01 or 2026-08-01T18:30.' })),
    takenTo: Type.Optional(Type.String({ pattern: TAKEN_FILTER_PATTERN, description: 'Local capture time, exclusive.' })),
  },
  { additionalProperties: false },
);

export const PhotoParamsSchema = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const CountsSchema = Type.Object({
  processing: Type.Integer(),
  ready: Type.Integer(),
  failed: Type.Integer(),
  total: Type.Integer(),
});
