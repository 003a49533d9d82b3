import { createHash } from 'node:crypto';
import { ObjectNotFound, type ObjectStore } from '@photos/object-store';

/** The hex SHA-256 of a stored object, or undefined when there is none. A storage error rejects. */
export async function digestOf(store: ObjectStore, key: string): Promise<string | undefined> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of await store.get(key)) hash.update(chunk as Buffer);
  } catch (error) {
    if (error instanceof ObjectNotFound) return undefined;
    throw error;
  }
  return hash.digest('hex');
}
