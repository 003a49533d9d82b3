/** The shapes of the BFF's public API (BRIEF "Public HTTP API of the BFF"). */

export type PhotoStatus = 'processing' | 'ready' | 'failed';

export interface Variant {
  url: string;
  width: number;
  height: number;
}

/** EXIF summary as the processor extracts it; every field optional, unknown extras allowed. */
export interface Exif {
  takenAt?: string;
  cameraMake?: string;
  cameraModel?: string;
  lens?: string;
  /** Seconds. */
  exposureTime?: number;
  fNumber?: number;
  iso?: number;
  /** Millimetres. */
  focalLength?: number;
  orientation?: number;
  gps?: { latitude: number; longitude: number; altitude?: number };
  [extra: string]: unknown;
}

export interface Photo {
  id: string;
  status: PhotoStatus;
  filename: string | null;
  contentType: string | null;
  bytes: number | null;
  width: number | null;
  height: number | null;
  takenAt: string | null;
  uploadedAt: string | null;
  placeholder: string | null;
  dominantColor?: string | null;
  variants: { thumb?: Variant; preview?: Variant };
  exif?: Exif | null;
  /** Signed, short-lived URL of the original (detail only). */
  originalUrl?: string;
  failure?: { reason: string; code?: string };
  /** Set by the upload answer when these exact bytes were already uploaded. */
  duplicate?: boolean;
}

export interface PhotoPage {
  items: Photo[];
  nextCursor: string | null;
}

/** What the SSE stream pushes: a partial photo, always with `id` and `status`. */
export type LiveChange =
  | { type: 'photo.processed'; photo: Partial<Photo> & { id: string; status: 'ready' } }
  | { type: 'photo.processing-failed'; photo: Partial<Photo> & { id: string; status: 'failed' } }
  | { type: 'photo.deleted'; photo: { id: string; status: 'deleted' } };

/** RFC 9457 problem details, as every API error answers. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  correlationId?: string;
  code?: string;
  errors?: { in: string; pointer: string; detail: string }[];
}
