/** Runs s3rver (our test wrapper) in a process of its own; prints `{"endpoint": ...}` once listening. */
import { unlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { startS3rver } from '@photos/object-store/test-support/s3rver';

// s3rver prunes a key's emptied directories on delete; a put racing into the same directory (the upload
// service's outbox/ under load) then dies on an unhandled ENOENT that kills the server. Keep directories.
type Store = { getResourcePath(bucket: string, key: string, resource: string): string };
const FilesystemStore = createRequire(import.meta.url)('s3rver/lib/stores/filesystem.js') as { prototype: Store & { deleteObject(bucket: string, key: string): Promise<void> } };
FilesystemStore.prototype.deleteObject = async function (this: Store, bucket: string, key: string) {
  const files = ['object', 'object.md5', 'metadata.json'].map((resource) => this.getResourcePath(bucket, key, resource));
  await Promise.all(files.map((file) => unlink(file).catch((error: NodeJS.ErrnoException) => { if (error.code !== 'ENOENT') throw error; })));
};

const s3 = await startS3rver();
process.stdout.write(`${JSON.stringify({ endpoint: s3.endpoint })}\n`);
const stop = () => void s3.close().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
