import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { InvalidObjectKey } from '../object-key.js';

// '~' is not allowed in keys, so these names never clash with a key's segments: a key and a key beneath
// it ("a" -> a~object, "a/b" -> a/b~object) coexist, and no key can reach the temp directory.
const DATA_SUFFIX = '~object';
const META_SUFFIX = '~meta.json';
const TEMP_DIR = '~tmp';

/** Where the filesystem store keeps each key's bytes, its sidecar, and files still being written. */
export class FsObjectPaths {
  readonly root: string;
  readonly tempDir: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.tempDir = path.join(this.root, TEMP_DIR);
  }

  /** The bytes of a validated key. */
  data(key: string): string {
    return this.inside(key) + DATA_SUFFIX;
  }

  /** The JSON sidecar (content type, metadata) of a validated key. */
  meta(key: string): string {
    return this.inside(key) + META_SUFFIX;
  }

  /** A fresh file name on the same filesystem as the objects, so a rename moves it into place atomically. */
  temp(): string {
    return path.join(this.tempDir, randomUUID());
  }

  /** Every stored key that starts with `prefix`, unsorted. Symbolic links are never followed. */
  async keysUnder(prefix: string): Promise<string[]> {
    const dirPart = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const keys: string[] = [];
    const walk = async (dir: string, keyDir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      });
      for (const entry of entries) {
        if (entry.isDirectory() && !entry.name.includes('~')) {
          await walk(path.join(dir, entry.name), `${keyDir}${entry.name}/`);
        } else if (entry.isFile() && entry.name.endsWith(DATA_SUFFIX)) {
          const key = keyDir + entry.name.slice(0, -DATA_SUFFIX.length);
          if (key.startsWith(prefix)) keys.push(key);
        }
      }
    };
    await walk(dirPart === '' ? this.root : this.inside(dirPart.slice(0, -1)), dirPart);
    return keys;
  }

  // Keys are validated before they get here; this is the last guard that nothing lands outside the root.
  private inside(key: string): string {
    const full = path.resolve(this.root, ...key.split('/'));
    if (!full.startsWith(this.root + path.sep)) throw new InvalidObjectKey(`key "${key}" resolves outside the store`);
    return full;
  }
}
