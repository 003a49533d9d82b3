import { EventCatalogue, type LatestEvent } from './catalogue.js';
import { defineFamily } from './event-family.js';
import {
  AlbumCreatedV1,
  AlbumDeletedV1,
  AlbumPhotosAddedV1,
  AlbumSharedV1,
  AlbumShareRevokedV1,
  ShareLinkCreatedV1,
  ShareLinkRevokedV1,
} from './events/album-events.js';
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

/**
 * The families of albums and sharing (published by metadata, for notifications and other teams). On the
 * same channel as the photo events: a consumer sees an album's events in order with its photos' (album
 * events are keyed by album id), and the groups that do not handle them acknowledge them unread.
 */
export const albumFamilies = [
  defineFamily([AlbumCreatedV1]),
  defineFamily([AlbumPhotosAddedV1]),
  defineFamily([AlbumSharedV1]),
  defineFamily([AlbumShareRevokedV1]),
  defineFamily([AlbumDeletedV1]),
  defineFamily([ShareLinkCreatedV1]),
  defineFamily([ShareLinkRevokedV1]),
] as const;

/** One of the event families of the platform's channel: the photo lifecycle and albums. */
export type PhotoFamily = (typeof photoFamilies)[number] | (typeof albumFamilies)[number];

/** A catalogue of the platform's events (tests make their own, on a channel of their own). */
export type PhotoCatalogue = EventCatalogue<PhotoFamily>;

/** The catalogue every service publishes and consumes with. */
export const photoCatalogue: PhotoCatalogue = new EventCatalogue<PhotoFamily>('photo-events', [...photoFamilies, ...albumFamilies]);

/** Names of the events of the channel (without version): the photo lifecycle's and the albums'. */
export type PhotoEventName = PhotoFamily['name'];

/** `photo.uploaded`, latest version, as a CloudEvent. */
export type PhotoUploaded = LatestEvent<(typeof photoFamilies)[number], 'photo.uploaded'>;
/** `photo.processed`, latest version, as a CloudEvent. */
export type PhotoProcessed = LatestEvent<(typeof photoFamilies)[number], 'photo.processed'>;
/** `photo.processing-failed`, latest version, as a CloudEvent. */
export type PhotoProcessingFailed = LatestEvent<(typeof photoFamilies)[number], 'photo.processing-failed'>;
/** `photo.deleted`, latest version, as a CloudEvent. */
export type PhotoDeleted = LatestEvent<(typeof photoFamilies)[number], 'photo.deleted'>;
/** `album.created`, latest version, as a CloudEvent. */
export type AlbumCreated = LatestEvent<PhotoFamily, 'album.created'>;
/** `album.photos-added`, latest version, as a CloudEvent. */
export type AlbumPhotosAdded = LatestEvent<PhotoFamily, 'album.photos-added'>;
/** `album.shared`, latest version, as a CloudEvent. */
export type AlbumShared = LatestEvent<PhotoFamily, 'album.shared'>;
/** `album.share-revoked`, latest version, as a CloudEvent. */
export type AlbumShareRevoked = LatestEvent<PhotoFamily, 'album.share-revoked'>;
/** `album.deleted`, latest version, as a CloudEvent. */
export type AlbumDeleted = LatestEvent<PhotoFamily, 'album.deleted'>;
/** `share-link.created`, latest version, as a CloudEvent. */
export type ShareLinkCreated = LatestEvent<PhotoFamily, 'share-link.created'>;
/** `share-link.revoked`, latest version, as a CloudEvent. */
export type ShareLinkRevoked = LatestEvent<PhotoFamily, 'share-link.revoked'>;
/** Any album event (share links included), latest version. */
export type AlbumEvent = AlbumCreated | AlbumPhotosAdded | AlbumShared | AlbumShareRevoked | AlbumDeleted | ShareLinkCreated | ShareLinkRevoked;
/** Any event of the channel, latest version: a photo's or an album's. */
export type PhotoEvent = PhotoUploaded | PhotoProcessed | PhotoProcessingFailed | PhotoDeleted | AlbumEvent;
