/** Why a file was refused; `status` is the HTTP status the route answers with. */
export type RejectionCode = 'empty-file' | 'unsupported-type' | 'too-many-pixels' | 'too-large';

const STATUS: Record<RejectionCode, 400 | 413 | 415 | 422> = {
  'empty-file': 400,
  'unsupported-type': 415,
  'too-many-pixels': 422,
  'too-large': 413,
};

/** A file the platform will not store, with a reason a person can read. */
export class UploadRejected extends Error {
  override readonly name = 'UploadRejected';
  readonly statusCode: 400 | 413 | 415 | 422;
  constructor(
    readonly code: RejectionCode,
    message: string,
    readonly filename: string,
  ) {
    super(message);
    this.statusCode = STATUS[code];
  }
}
