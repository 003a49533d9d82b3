import Type from 'typebox';
import { defineEvent } from '../define-event.js';
import { OwnerId, PhotoId, Timestamp, openObject } from './common.js';

/**
 * `photo.processing-failed.v1`: the processor gave up on a photo for a permanent reason
 * (undecodable, corrupt, over a limit). Transient trouble is retried and never produces this event.
 */
export const PhotoProcessingFailedV1 = defineEvent({
  name: 'photo.processing-failed',
  version: 1,
  description: 'A photo cannot be processed, for a permanent reason given in `reason`.',
  schema: Type.Object(
    {
      photoId: PhotoId,
      ownerId: OwnerId,
      code: Type.String({
        pattern: '^[a-z][a-z0-9-]*$',
        description: 'Machine-readable cause, e.g. "undecodable", "too-many-pixels", "original-missing". New codes may appear.',
      }),
      reason: Type.String({ minLength: 1, maxLength: 1000, description: 'A sentence a person can read.' }),
      failedAt: Timestamp,
    },
    openObject,
  ),
  example: {
    photoId: '0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30',
    ownerId: 'user-7f3a',
    code: 'undecodable',
    reason: 'The file is a truncated JPEG: premature end of data.',
    failedAt: '2026-11-22T10:15:31.200Z',
  },
});
