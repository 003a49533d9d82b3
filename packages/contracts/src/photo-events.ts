import { EventCatalogue, type LatestEvent } from './catalogue.js';
import { defineFamily } from './event-family.js';
import { PhotoDeletedV1 } from './events/photo-deleted.js';
import { PhotoProcessedV1 } from './events/photo-processed.js';
import { PhotoProcessingFailedV1 } from './events/photo-processing-failed.js';
import { PhotoUploadedV1 } from './events/photo-uploaded.js';

/** The families of the photo lifecycle, each with every version still published. */
export const photoFamilies = [
  defineFamily([PhotoUploadedV1]),
  defineFamily([PhotoProcessedV1]),
  defineFamily([PhotoProcessingFailedV1]),
  defineFamily([PhotoDeletedV1]),
] as const;

/** One of the photo event families. */
export type PhotoFamily = (typeof photoFamilies)[number];

/** A catalogue of the photo events (tests make their own, on a channel of their own). */
export type PhotoCatalogue = EventCatalogue<PhotoFamily>;

/** The catalogue every service publishes and consumes with. */
export const photoCatalogue: PhotoCatalogue = new EventCatalogue<PhotoFamily>('photo-events', photoFamilies);

/** Names of the photo events (without version). */
export type PhotoEventName = (typeof photoFamilies)[number]['name'];

/** `photo.uploaded`, latest version, as a CloudEvent. */
export type PhotoUploaded = LatestEvent<(typeof photoFamilies)[number], 'photo.uploaded'>;
/** `photo.processed`, latest version, as a CloudEvent. */
export type PhotoProcessed = LatestEvent<(typeof photoFamilies)[number], 'photo.processed'>;
/** `photo.processing-failed`, latest version, as a CloudEvent. */
export type PhotoProcessingFailed = LatestEvent<(typeof photoFamilies)[number], 'photo.processing-failed'>;
/** `photo.deleted`, latest version, as a CloudEvent. */
export type PhotoDeleted = LatestEvent<(typeof photoFamilies)[number], 'photo.deleted'>;
/** Any photo event, latest version. */
export type PhotoEvent = PhotoUploaded | PhotoProcessed | PhotoProcessingFailed | PhotoDeleted;
