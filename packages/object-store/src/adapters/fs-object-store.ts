import { createHash } from 'node:crypto';
import { access, link, mkdir, open, readdir, readFile, rename, rm, rmdir, stat as fsStat, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';
import { chunksOf } from '../body-chunks.js';
import { assertKeyPrefix, assertObjectKey, InvalidObjectKey } from '../object-key.js';
import { assertPutOptions } from '../object-metadata.js';
import { ObjectNotFound, type ObjectInfo, type ObjectStore } from '../object-store.js';
import { FsObjectPaths } from './fs-object-paths.js';

/** Where the filesystem store keeps its objects. */
export interface FsObjectStoreOptions {
  /** The store's own directory (one per bucket); created by `ensureBucket`. */
  root: string;
}

interface Sidecar {
  contentType: string;
  metadata: Record<string, string>;
}

// Temp files older than this belong to a process that died mid-write.
const STALE_TEMP_MS = 60 * 60 * 1000;

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
const isTaken = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code === 'EEXIST';
const MAX_CREATE_BYTES = 5 * 1024 * 1024;

async function writeAll(file: FileHandle, chunk: Buffer): Promise<void> {
  for (let offset = 0; offset < chunk.length;) offset += (await file.write(chunk, offset)).bytesWritten;
}

async function syncAndClose(file: FileHandle): Promise<void> {
  try {
    await file.sync();
  } finally {
    await file.close();
  }
}

// Makes a rename durable. Some platforms (Windows) cannot open a directory for syncing; they get the
// file's own fsync only.
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (handle)
    await handle
      .sync()
      .catch(() => undefined)
      .finally(() => handle.close());
}

/**
 * An `ObjectStore` in a directory, for the embedded single-machine mode. Writes go to a temp file that
 * is fsynced, then renamed into place: readers see the old object or the new one, never half of one.
 * Content type and metadata live in a JSON sidecar beside the bytes. `signedUrl` is always undefined.
 */
export function createFsObjectStore(options: FsObjectStoreOptions): ObjectStore {
  const paths = new FsObjectPaths(options.root);

  // The sidecar goes first: once the bytes are visible, their labels are too. A concurrent delete may
  // prune the target directory between mkdir and rename, hence the retry.
  async function moveIntoPlace(temp: string, target: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        // mkdir too: a concurrent delete may prune a parent while mkdir creates the levels below it.
        await mkdir(path.dirname(target), { recursive: true });
        return await rename(temp, target);
      } catch (error) {
        if (!isMissing(error) || attempt === 5) throw error;
      }
    }
  }

  /** A fsynced temp file holding `body`. */
  async function writeTemp(body: string | Buffer): Promise<string> {
    await mkdir(paths.tempDir, { recursive: true });
    const temp = paths.temp();
    try {
      const file = await open(temp, 'wx');
      await file.writeFile(body).finally(() => syncAndClose(file));
      return temp;
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /**
   * link() fails with EEXIST when the target exists, atomically, where rename() would replace it: the
   * one way to create a complete file only if absent. ENOENT: a concurrent delete pruned the directory.
   */
  async function linkIntoPlace(temp: string, target: string): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await mkdir(path.dirname(target), { recursive: true });
        await link(temp, target);
        return true;
      } catch (error) {
        if (isTaken(error)) return false;
        if (!isMissing(error) || attempt === 5) throw error;
      }
    }
  }

  async function commit(key: string, dataTemp: string, sidecar: Sidecar): Promise<void> {
    const metaTemp = await writeTemp(JSON.stringify(sidecar));
    try {
      await moveIntoPlace(metaTemp, paths.meta(key));
      await moveIntoPlace(dataTemp, paths.data(key));
      await syncDir(path.dirname(paths.data(key)));
    } catch (error) {
      await rm(metaTemp, { force: true });
      throw error;
    }
  }

  async function readSidecar(key: string): Promise<Sidecar> {
    try {
      return JSON.parse(await readFile(paths.meta(key), 'utf8')) as Sidecar;
    } catch (error) {
      if (isMissing(error)) return { contentType: 'application/octet-stream', metadata: {} };
      throw error;
    }
  }

  async function stat(key: string): Promise<ObjectInfo | undefined> {
    assertObjectKey(key);
    const info = await fsStat(paths.data(key)).catch((error: unknown) => {
      if (isMissing(error)) return undefined;
      throw error;
    });
    if (!info?.isFile()) return undefined;
    const { contentType, metadata } = await readSidecar(key);
    return { key, bytes: info.size, contentType, metadata };
  }

  async function remove(key: string): Promise<void> {
    await rm(paths.data(key), { force: true });
    await rm(paths.meta(key), { force: true });
    // Deleted photos would otherwise leave one empty directory each behind, forever.
    for (let dir = path.dirname(paths.data(key)); dir !== paths.root; dir = path.dirname(dir)) {
      if (
        !(await rmdir(dir).then(
          () => true,
          () => false,
        ))
      )
        break;
    }
  }

  async function list(prefix: string, limit = Number.POSITIVE_INFINITY): Promise<string[]> {
    assertKeyPrefix(prefix);
    if (!(limit > 0) || (limit !== Number.POSITIVE_INFINITY && !Number.isInteger(limit))) {
      throw new RangeError(`limit must be a positive integer, got ${limit}`);
    }
    return (await paths.keysUnder(prefix)).sort().slice(0, limit);
  }

  return {
    async put(key, body, putOptions) {
      assertObjectKey(key);
      assertPutOptions(putOptions);
      await mkdir(paths.tempDir, { recursive: true });
      const temp = paths.temp();
      let bytes = 0;
      const hash = createHash('sha256');
      try {
        const file = await open(temp, 'wx');
        try {
          for await (const chunk of chunksOf(body)) {
            hash.update(chunk);
            await writeAll(file, chunk);
            bytes += chunk.length;
          }
          await file.sync();
        } finally {
          await file.close();
        }
        await commit(key, temp, { contentType: putOptions.contentType, metadata: { ...putOptions.metadata } });
        return { bytes, sha256: hash.digest('hex') };
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },

    async get(key) {
      assertObjectKey(key);
      // Opened before returning, so a missing key rejects here and a later overwrite cannot tear the read.
      const file = await open(paths.data(key), 'r').catch((error: unknown) => {
        throw isMissing(error) ? new ObjectNotFound(key, { cause: error }) : error;
      });
      return file.createReadStream();
    },

    stat,

    // The bytes are linked into place first, as the atomic "am I first" test; the sidecar follows by one
    // rename, so for that instant a stat may show the default labels (never partial bytes). Writing the
    // sidecar first is not an option: it would relabel an object this call then finds already there.
    async putIfAbsent(key, body, putOptions) {
      assertObjectKey(key);
      assertPutOptions(putOptions);
      if (!Buffer.isBuffer(body) || body.length > MAX_CREATE_BYTES) throw new RangeError(`putIfAbsent takes a Buffer of at most ${MAX_CREATE_BYTES} bytes`);
      const sidecar: Sidecar = { contentType: putOptions.contentType, metadata: { ...putOptions.metadata } };
      const dataTemp = await writeTemp(body);
      let metaTemp: string | undefined;
      try {
        metaTemp = await writeTemp(JSON.stringify(sidecar));
        if (!(await linkIntoPlace(dataTemp, paths.data(key)))) return false;
        await rename(metaTemp, paths.meta(key));
        await syncDir(path.dirname(paths.data(key)));
        return true;
      } finally {
        await rm(dataTemp, { force: true });
        if (metaTemp) await rm(metaTemp, { force: true });
      }
    },

    async delete(key) {
      assertObjectKey(key);
      await remove(key);
    },

    async deleteMany(keys) {
      keys.forEach((key) => assertObjectKey(key));
      for (const key of keys) await remove(key);
    },

    async deletePrefix(prefix) {
      assertKeyPrefix(prefix);
      if (prefix === '') throw new InvalidObjectKey('deletePrefix needs a non-empty prefix; it will not empty the bucket');
      const keys = await paths.keysUnder(prefix);
      for (const key of keys) await remove(key);
      return keys.length;
    },

    list,

    async signedUrl(key) {
      assertObjectKey(key);
      return undefined;
    },

    async isHealthy() {
      return access(paths.tempDir, constants.W_OK).then(
        () => true,
        () => false,
      );
    },

    async ensureBucket() {
      await mkdir(paths.tempDir, { recursive: true });
      const now = Date.now();
      for (const name of await readdir(paths.tempDir)) {
        const temp = path.join(paths.tempDir, name);
        const info = await fsStat(temp).catch(() => undefined);
        if (info && now - info.mtimeMs > STALE_TEMP_MS) await rm(temp, { force: true });
      }
    },
  };
}
