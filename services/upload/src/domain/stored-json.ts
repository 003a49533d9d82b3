import { ObjectNotFound, type ObjectStore } from '@photos/object-store';

const JSON_TYPE = { contentType: 'application/json' };

/** The bytes of a small JSON object for `put` / `putIfAbsent`. */
export const jsonBody = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

/** Writes (or replaces) a small JSON object. */
export async function putJson(store: ObjectStore, key: string, value: unknown): Promise<void> {
  await store.put(key, jsonBody(value), JSON_TYPE);
}

/** Creates a small JSON object only if the key is free; true when this call created it. */
export function putJsonIfAbsent(store: ObjectStore, key: string, value: unknown): Promise<boolean> {
  return store.putIfAbsent(key, jsonBody(value), JSON_TYPE);
}

/**
 * A small JSON object, or undefined when there is none. Only `ObjectNotFound` means "none": any other
 * storage error rejects, so an outage is never mistaken for an absence.
 */
export async function readJson(store: ObjectStore, key: string): Promise<unknown> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer);
  } catch (error) {
    if (error instanceof ObjectNotFound) return undefined;
    throw error;
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}
