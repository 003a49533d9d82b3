import Type, { type Static } from 'typebox';
import { VariantSchema } from './photo-view.js';

/** `event: photo.processed`: the fields processing filled in; the rest of the photo is unchanged. */
export const PhotoProcessedChangeSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: Type.Literal('ready'),
    width: Type.Integer(),
    height: Type.Integer(),
    placeholder: Type.String(),
    dominantColor: Type.String(),
    takenAt: Type.Union([Type.String(), Type.Null()]),
    variants: Type.Object({ thumb: VariantSchema, preview: VariantSchema }),
  },
  { $id: 'PhotoProcessedChange', title: 'PhotoProcessedChange' },
);

/** `event: photo.processing-failed`. */
export const PhotoFailedChangeSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: Type.Literal('failed'),
    failure: Type.Object({ code: Type.String(), reason: Type.String() }),
  },
  { $id: 'PhotoFailedChange', title: 'PhotoFailedChange' },
);

/** `event: photo.deleted`. */
export const PhotoDeletedChangeSchema = Type.Object(
  { id: Type.String({ format: 'uuid' }), status: Type.Literal('deleted') },
  { $id: 'PhotoDeletedChange', title: 'PhotoDeletedChange' },
);

/** The event types of GET /api/events and the JSON each one's `data:` line holds. */
export const PHOTO_CHANGE_EVENTS = {
  'photo.processed': PhotoProcessedChangeSchema,
  'photo.processing-failed': PhotoFailedChangeSchema,
  'photo.deleted': PhotoDeletedChangeSchema,
} as const;

export type PhotoProcessedChange = Static<typeof PhotoProcessedChangeSchema>;
export type PhotoFailedChange = Static<typeof PhotoFailedChangeSchema>;
export type PhotoDeletedChange = Static<typeof PhotoDeletedChangeSchema>;

/** One status change pushed on the event stream. */
export type PhotoChange =
  | { type: 'photo.processed'; photo: PhotoProcessedChange }
  | { type: 'photo.processing-failed'; photo: PhotoFailedChange }
  | { type: 'photo.deleted'; photo: PhotoDeletedChange };
