import Type from 'typebox';
import { defineEvent } from '../define-event.js';
import { OwnerId, PhotoId, Timestamp, openObject } from './common.js';

/**
 * `photo.deleted.v1`: the owner deleted a photo. Every service removes what it holds of it
 * (original, variants, record, cache entries).
 */
export const PhotoDeletedV1 = defineEvent({
  name: 'photo.deleted',
  version: 1,
  description: 'A photo was deleted by its owner; every service forgets it.',
  schema: Type.Object({ photoId: PhotoId, ownerId: OwnerId, deletedAt: Timestamp }, openObject),
  example: {
    photoId: '0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30',
    ownerId: 'user-7f3a',
    deletedAt: '2026-11-22T11:00:00.000Z',
  },
});
