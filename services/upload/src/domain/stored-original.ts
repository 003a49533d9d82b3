import type { AcceptedContentType } from './image-header.js';

/** What the upload service knows of a stored original; also the data of `photo.uploaded`. */
export interface StoredOriginal {
  photoId: string;
  ownerId: string;
  objectKey: string;
  filename: string;
  contentType: AcceptedContentType;
  bytes: number;
  sha256: string;
  width: number;
  height: number;
  uploadedAt: string;
}
