import type { PutOptions } from './object-store.js';

/** A content type or metadata entry the store refuses before doing any I/O. */
export class InvalidPutOptions extends Error {
  override readonly name = 'InvalidPutOptions';
}

const METADATA_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// S3's limit on user metadata, names and values together.
const MAX_METADATA_BYTES = 2048;

/** Names S3 clients report beside user metadata (content-type...), which users therefore may not take. */
export function isReservedMetadataName(name: string): boolean {
  return name.startsWith('content-') || name.startsWith('x-amz-') || name === 'cache-control' || name === 'expires';
}

/** Throws `InvalidPutOptions` unless the content type and metadata round-trip through every adapter. */
export function assertPutOptions(options: PutOptions): void {
  const { contentType, metadata = {} } = options;
  if (typeof contentType !== 'string' || !/^[\x21-\x7e]+\/[\x21-\x7e]+(?:;[\x20-\x7e]*)?$/.test(contentType)) {
    throw new InvalidPutOptions(`content type "${String(contentType)}" is not a printable media type`);
  }
  let bytes = 0;
  for (const [name, value] of Object.entries(metadata)) {
    if (!METADATA_NAME.test(name) || isReservedMetadataName(name)) {
      throw new InvalidPutOptions(`metadata name "${name}" is not lowercase [a-z0-9-] or is reserved`);
    }
    if (typeof value !== 'string' || !PRINTABLE_ASCII.test(value) || value.trim() !== value) {
      throw new InvalidPutOptions(`metadata "${name}" must be printable ASCII without outer spaces`);
    }
    bytes += name.length + value.length;
  }
  if (bytes > MAX_METADATA_BYTES) throw new InvalidPutOptions(`metadata is over ${MAX_METADATA_BYTES} bytes`);
}
