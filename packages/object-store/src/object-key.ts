/** A key or prefix the store refuses before doing any I/O. */
export class InvalidObjectKey extends Error {
  override readonly name = 'InvalidObjectKey';
}

const KEY_CHARACTERS = /^[A-Za-z0-9._/-]*$/;
const MAX_KEY_LENGTH = 1024;

function refuseUnsafe(value: string, what: string): void {
  if (typeof value !== 'string') throw new InvalidObjectKey(`${what} must be a string`);
  if (value.length > MAX_KEY_LENGTH) throw new InvalidObjectKey(`${what} is longer than ${MAX_KEY_LENGTH} characters`);
  if (!KEY_CHARACTERS.test(value)) throw new InvalidObjectKey(`${what} "${value}" has characters outside [A-Za-z0-9._/-]`);
  if (value.includes('..')) throw new InvalidObjectKey(`${what} "${value}" contains ".."`);
  if (value.startsWith('/')) throw new InvalidObjectKey(`${what} "${value}" starts with "/"`);
  if (value.includes('//')) throw new InvalidObjectKey(`${what} "${value}" has an empty segment`);
  // "." segments mean nothing on S3 but would be collapsed on a filesystem, aliasing two keys.
  if (value.split('/').includes('.')) throw new InvalidObjectKey(`${what} "${value}" has a "." segment`);
}

/** Throws `InvalidObjectKey` unless `key` is a full object key (see `ObjectStore`). */
export function assertObjectKey(key: string): void {
  refuseUnsafe(key, 'key');
  if (key === '') throw new InvalidObjectKey('key is empty');
  if (key.endsWith('/')) throw new InvalidObjectKey(`key "${key}" ends with "/"`);
}

/** Throws `InvalidObjectKey` unless `prefix` is the start of some valid key ('' is every key). */
export function assertKeyPrefix(prefix: string): void {
  refuseUnsafe(prefix, 'prefix');
}
