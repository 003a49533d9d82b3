import { Transform } from 'node:stream';

/**
 * Passes bytes through, but ends only once `before` has resolved, and fails with its error if it
 * rejects. An object store makes an object durable only after its body ended, so whatever is streamed
 * through this lands after `before` did, while both travel at the same time.
 */
export function endingAfter(before: Promise<unknown>): Transform {
  const gate = new Transform({
    transform: (chunk: Buffer, _encoding, callback) => callback(null, chunk),
    flush: (callback) => {
      before.then(() => callback(), callback);
    },
  });
  before.catch((error: unknown) => gate.destroy(error as Error));
  return gate;
}
