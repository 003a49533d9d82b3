import { Readable } from 'node:stream';
import type { ObjectStore } from '@photos/object-store';

/**
 * How the store fails, counting calls from `arm`:
 * - `fail-before`: call `at` fails without reaching the store; later calls work (a transient error).
 * - `fail-after`: call `at` reaches the store, then fails (the answer was lost on the way back).
 * - `die-before` / `die-after`: likewise, and every later call fails too: the process is dead from
 *   there on (nothing it would still do, rollbacks included, reaches the store).
 */
export type FaultMode = 'fail-before' | 'fail-after' | 'die-before' | 'die-after';

export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

type Counted = 'put' | 'putIfAbsent' | 'get' | 'stat' | 'delete' | 'deleteMany' | 'deletePrefix' | 'list';

/** An ObjectStore that fails where told, and a log of the calls it counted (`method key`). */
export function faultyStore(inner: ObjectStore) {
  let armed = false;
  let plan: { mode: FaultMode; at: number } | undefined;
  let dead = false;
  const calls: string[] = [];
  const unarmedCalls: string[] = [];

  const fail = (what: string, body?: unknown): never => {
    // A real adapter stops reading the body when the store fails; so does this one.
    if (body instanceof Readable) body.destroy();
    throw new InjectedFault(`injected storage failure at ${what}`);
  };

  async function call<T>(method: Counted, key: string, run: () => Promise<T>, body?: unknown): Promise<T> {
    const what = `${method} ${key}`;
    if (!armed) return run().finally(() => unarmedCalls.push(what));
    calls.push(what);
    if (dead) return fail(what, body);
    if (!plan || calls.length !== plan.at) return run();
    if (plan.mode.startsWith('die')) dead = true;
    if (plan.mode.endsWith('before')) return fail(what, body);
    const result = await run();
    if (result instanceof Readable) result.destroy();
    return fail(what);
  }

  const store: ObjectStore = {
    put: (key, body, options) => call('put', key, () => inner.put(key, body, options), body),
    putIfAbsent: (key, body, options) => call('putIfAbsent', key, () => inner.putIfAbsent(key, body, options)),
    get: (key) => call('get', key, () => inner.get(key)),
    stat: (key) => call('stat', key, () => inner.stat(key)),
    delete: (key) => call('delete', key, () => inner.delete(key)),
    deleteMany: (keys) => call('deleteMany', keys.join(' '), () => inner.deleteMany(keys)),
    deletePrefix: (prefix) => call('deletePrefix', prefix, () => inner.deletePrefix(prefix)),
    list: (prefix, limit) => call('list', prefix, () => inner.list(prefix, limit)),
    signedUrl: (key, seconds) => inner.signedUrl(key, seconds),
    isHealthy: () => inner.isHealthy(),
    ensureBucket: () => inner.ensureBucket(),
  };

  return {
    store,
    /** Calls counted since `arm`, in order. */
    calls,
    /** Calls made, and finished, before `arm` (e.g. the sweeps a starting app runs). */
    unarmedCalls,
    /** Starts counting from 0, failing as `next` says (or never). */
    arm(next?: { mode: FaultMode; at: number }) {
      armed = true;
      plan = next;
      dead = false;
      calls.length = 0;
    },
    get dead() {
      return dead;
    },
  };
}
