export type { ObjectInfo, ObjectStore, PutOptions } from './object-store.js';
export { ObjectNotFound } from './object-store.js';
export { InvalidObjectKey, assertKeyPrefix, assertObjectKey } from './object-key.js';
export { InvalidPutOptions } from './object-metadata.js';
export { createS3ObjectStore, type S3ObjectStoreOptions } from './adapters/s3-object-store.js';
export { createFsObjectStore, type FsObjectStoreOptions } from './adapters/fs-object-store.js';
export { createObjectStore, objectStoreConfigSchema } from './create-object-store.js';
export type { ObjectStoreConfig } from './create-object-store.js';
