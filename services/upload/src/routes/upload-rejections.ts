import { UploadRejected, type RejectionKind } from '../domain/upload-rejected.js';

const STATUS: Record<RejectionKind, 400 | 413 | 415 | 422> = {
  'empty-file': 400,
  'unsupported-type': 415,
  'too-many-pixels': 422,
  'too-many-frames': 422,
  'too-large': 413,
};

/** The HTTP error for a refused file (its kind as the problem's `code`); any other error as it is. */
export function asHttpError(error: unknown): unknown {
  if (!(error instanceof UploadRejected)) return error;
  return Object.assign(new Error(error.message, { cause: error }), { statusCode: STATUS[error.kind], code: error.kind });
}
