/** Why a file was refused. */
export type RejectionKind = 'empty-file' | 'unsupported-type' | 'too-many-pixels' | 'too-many-frames' | 'too-large';

/** A file the platform will not store, with a reason a person can read. */
export class UploadRejected extends Error {
  override readonly name = 'UploadRejected';
  constructor(
    readonly kind: RejectionKind,
    message: string,
    readonly filename: string,
  ) {
    super(message);
  }
}
