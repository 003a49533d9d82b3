export { CloudEventAttributes, SCHEMA_BASE_URI } from './envelope.js';
export type { CloudEvent } from './envelope.js';
export { defineEvent } from './define-event.js';
export type { EventDefinition } from './define-event.js';
export { defineFamily } from './event-family.js';
export type { EventFamily, LatestData } from './event-family.js';
export { EventCatalogue, InvalidEventError } from './catalogue.js';
export type { EventContext, LatestEvent } from './catalogue.js';
export { breakingChanges } from './compatibility.js';
export { asyncApiDocument } from './asyncapi.js';
export { PhotoUploadedV1 } from './events/photo-uploaded.js';
export { ExifSummarySchema, PhotoProcessedV1 } from './events/photo-processed.js';
export { PhotoProcessingFailedV1 } from './events/photo-processing-failed.js';
export { PhotoDeletedV1 } from './events/photo-deleted.js';
export {
  AlbumCreatedV1,
  AlbumDeletedV1,
  AlbumPhotosAddedV1,
  AlbumSharedV1,
  AlbumShareRevokedV1,
  ShareLinkCreatedV1,
  ShareLinkRevokedV1,
} from './events/album-events.js';
export { albumFamilies, photoCatalogue, photoFamilies } from './photo-events.js';
export type {
  AlbumCreated,
  AlbumDeleted,
  AlbumEvent,
  AlbumPhotosAdded,
  AlbumShared,
  AlbumShareRevoked,
  ShareLinkCreated,
  ShareLinkRevoked,
  PhotoDeleted,
  PhotoEvent,
  PhotoCatalogue,
  PhotoEventName,
  PhotoFamily,
  PhotoProcessed,
  PhotoProcessingFailed,
  PhotoUploaded,
} from './photo-events.js';
