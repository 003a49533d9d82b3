import { PhotoStatusSchema } from '@photos/api-contracts';
import Type from 'typebox';
import { TAKEN_FILTER_PATTERN } from '../domain/taken-at.js';

/** The caller's photos, newest first: the page the BFF sends on, once it has signed the variant URLs. */
export { StoredPhotoPageSchema as PageSchema, StoredPhotoSchema as PhotoSchema } from '@photos/api-contracts';

const Status = PhotoStatusSchema;

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
