/**
 * Every failure point of an upload: the object store fails the Nth call of a two-file upload, for
 * every N, as a transient error (the same app retries) or as a crash (every later call fails, a new
 * app on the same bucket retries), the call failing before or after it took effect. The same for every
 * call of a retry that completes an upload a crash interrupted. Then the client retries the same
 * request, and the sweeps run (as with INTENT_TTL_MS=0). What must hold: the retry is a 202 whose ids
 * all have a record and an original; each is published exactly once (see `expectSettled` for the one
 * allowed exception); nothing else is left (no original without a record, no record without an
 * original, no intent, no outbox entry). On the filesystem store and on S3 over HTTP (s3rver).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CloudEvent } from '@photos/contracts';
import { createFsObjectStore, createS3ObjectStore, type ObjectStore } from '@photos/object-store';
import { startS3rver } from '@photos/object-store/test-support/s3rver';
import { afterAll, describe, expect, it } from 'vitest';
import { originalsBucket } from './adapters/originals-bucket.js';
import { startEventRelay } from './domain/event-relay.js';
import { sweepUnfinishedUploads } from './domain/unfinished-uploads.js';
import { faultyStore, type FaultMode } from './test-support/faulty-store.js';
import { bucketState, newOwner, postPhotos, quietEnv, recordingBus, startUploadApp, tinyPng } from './test-support/upload-harness.js';

const sandbox = await mkdtemp(path.join(tmpdir(), 'upload-faults-'));
const s3rver = await startS3rver();
afterAll(async () => {
  await s3rver.close();
  await rm(sandbox, { recursive: true, force: true });
});

const modes: FaultMode[] = ['fail-before', 'fail-after', 'die-before', 'die-after'];
// Over HTTP a scenario costs several times more: there, two modes, one transient and one fatal, which
// between them fail every call once before and once after it takes effect. The filesystem runs all four.
const adapters: { name: string; fresh: () => Promise<ObjectStore>; modes: FaultMode[] }[] = [
  { name: 'filesystem', fresh: async () => createFsObjectStore({ root: path.join(sandbox, randomUUID()) }), modes },
  {
    name: 's3 on s3rver',
    fresh: async () =>
      createS3ObjectStore({
        endPoint: '127.0.0.1',
        port: s3rver.port,
        useSSL: false,
        accessKey: 'S3RVER',
        secretKey: 'S3RVER',
        bucket: `faults-${randomUUID().slice(0, 8)}`,
      }),
    modes: ['fail-after', 'die-before'],
  },
];

/** Runs `scenario(1..count)`, a few at a time: each has a bucket, bus and apps of its own. */
async function forEveryCall(count: number, scenario: (at: number) => Promise<void>): Promise<void> {
  let next = 1;
  const worker = async () => {
    for (let at = next++; at <= count; at = next++) await scenario(at);
  };
  // Every worker finishes before this returns, failed or not: no scenario outlives the test.
  const failure = (await Promise.allSettled(Array.from({ length: 4 }, worker))).find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
}

interface Answer {
  status: number;
  contentType: string | null;
  body: { photos?: { id: string; duplicate: boolean }[] };
}

async function answerOf(response: Response): Promise<Answer> {
  return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as Answer['body'] };
}

/** One upload scenario on a fresh bucket, with the apps it starts closed at the end. */
class Scenario {
  readonly owner = newOwner();
  readonly files = [tinyPng(`a-${randomUUID()}`), tinyPng(`b-${randomUUID()}`)];
  readonly recording = recordingBus();
  private readonly apps: { close(): Promise<unknown> }[] = [];

  private constructor(readonly store: ObjectStore) {}

  static async on(fresh: () => Promise<ObjectStore>): Promise<Scenario> {
    const store = await fresh();
    await store.ensureBucket();
    return new Scenario(store);
  }

  /** An app on `store` whose startup sweeps are over, so that the calls counted next are the upload's. */
  async app(store: ObjectStore, unarmedCalls?: string[]): Promise<string> {
    const { app, url } = await startUploadApp(store, this.recording.bus, quietEnv);
    this.apps.push(app);
    // Each of the two startup sweeps lists the outbox and older releases' intents.
    if (unarmedCalls) await expect.poll(() => unarmedCalls.filter((call) => call.startsWith('list ')).length).toBe(4);
    return url;
  }

  async upload(url: string): Promise<Answer> {
    return answerOf(await postPhotos(url, this.files, this.owner));
  }

  async closeApps(): Promise<void> {
    await Promise.all(this.apps.splice(0).map((app) => app.close()));
  }

  /**
   * What the sweeps of an app with INTENT_TTL_MS=0 do, run here directly so that the test waits for
   * them rather than for timers: roll back every unfinished upload, then relay the outbox until empty.
   */
  async sweep(): Promise<void> {
    await this.closeApps();
    const storage = originalsBucket(this.store);
    await sweepUnfinishedUploads(storage, { ttlMs: 0, now: () => new Date() });
    const relay = startEventRelay({
      storage,
      publish: (event) => this.recording.bus.publish(event),
      intervalMs: 10,
      minAgeMs: 0,
      now: () => new Date(),
      logger: { warn: () => undefined },
    });
    try {
      await expect.poll(async () => (await bucketState(this.store)).outbox, { interval: 10 }).toEqual([]);
    } finally {
      await relay.stop();
    }
  }

  /**
   * What must hold once the retry got `answer` and the sweeps ran. `deadAppAnswered`: a process whose
   * store had died answered 202 (its commit was complete, only the intent removal failed) and then
   * published, but could not remove the outbox entries: the sweep publishes them once more. That is
   * the at-least-once every outbox has (consumers dedupe on the event id), the only double allowed.
   */
  async expectSettled(answer: Answer, context: string, deadAppAnswered = false): Promise<void> {
    expect(answer.status, context).toBe(202);
    const ids = answer.body.photos!.map((photo) => photo.id).sort();
    expect(new Set(ids).size, context).toBe(2);
    const state = await bucketState(this.store);
    expect(state, context).toEqual({ originals: ids, records: ids, claimed: ids, outbox: [] });
    const uploaded = this.recording.published.filter((event: CloudEvent) => event.type.startsWith('photo.uploaded'));
    const eventIds = new Map(uploaded.map((event) => [event.subject, event.id]));
    expect([...eventIds.keys()].sort(), `${context}: events for exactly the answered photos`).toEqual(ids);
    expect(new Set(uploaded.map((event) => event.id)).size, `${context}: one event per photo, whoever wrote it`).toBe(2);
    if (!deadAppAnswered) expect(uploaded, `${context}: each photo published exactly once`).toHaveLength(2);
    else expect(uploaded.length, context).toBeLessThanOrEqual(4);
  }
}

/**
 * The store calls of a fault-free upload of two files, in order: those the request makes before its
 * answer, and how many of them stage (before the first commit write); then, once the relay has
 * published, every call the upload cost.
 */
async function cleanRun(fresh: () => Promise<ObjectStore>): Promise<{ calls: string[]; staging: number; allCalls: string[] }> {
  const scenario = await Scenario.on(fresh);
  const faulty = faultyStore(scenario.store);
  const url = await scenario.app(faulty.store, faulty.unarmedCalls);
  faulty.arm();
  const answer = await scenario.upload(url);
  const calls = [...faulty.calls];
  // The relay's removal of the published events' entries follows the answer.
  const removals = () => faulty.calls.filter((call) => call.startsWith('deleteMany outbox/'));
  await expect.poll(() => removals().flatMap((call) => call.split(' ').slice(1)).length).toBe(2);
  const allCalls = [...faulty.calls];
  await scenario.sweep();
  await scenario.expectSettled(answer, 'clean run');
  const requestCalls = calls.filter((call) => !call.startsWith('deleteMany outbox/'));
  return { calls: requestCalls, staging: requestCalls.findIndex((call) => call.startsWith('put records/')), allCalls };
}

const shapeOf = (calls: string[]) => calls.map((call) => call.replace(/ (\w+)\/.*$/, ' $1/'));

describe.each(adapters)('upload under storage faults: $name', ({ fresh, modes: adapterModes }) => {
  // The round-trip budget of an upload: 4 store calls per new file before the answer (outbox entry and
  // original at once, claim, record), and after it one call removing the entries of the events published
  // together (here both files'). Was 6 + 1 per file, then 4 + 1.
  it('makes 4 store calls per new file: entry and original together, claim, record; then one removing the published entries', async () => {
    const { calls, staging, allCalls } = await cleanRun(fresh);
    const shape = shapeOf(calls);
    expect(shape.slice(0, staging)).toEqual([
      'put outbox/',
      'put originals/',
      'putIfAbsent checksums/',
      'put outbox/',
      'put originals/',
      'putIfAbsent checksums/',
    ]);
    expect(shape.slice(staging)).toEqual(['put records/', 'put records/']);
    expect(shapeOf(allCalls).sort()).toEqual(
      [...['put outbox/', 'put originals/', 'putIfAbsent checksums/', 'put records/'].flatMap((call) => [call, call]), 'deleteMany outbox/'].sort(),
    );
    const [removal] = allCalls.filter((call) => call.startsWith('deleteMany '));
    expect(removal!.split(' ').slice(1).sort()).toEqual(
      calls
        .filter((call) => call.startsWith('put outbox/'))
        .map((call) => call.slice('put '.length))
        .sort(),
    );
  });

  it.each(adapterModes)('%s at every call of a two-file upload, then a retry of the same request', async (mode) => {
    const { calls } = await cleanRun(fresh);
    await forEveryCall(calls.length, async (at) => {
      const context = `${mode} at call ${at} (${calls[at - 1]})`;
      const scenario = await Scenario.on(fresh);
      const faulty = faultyStore(scenario.store);
      const url = await scenario.app(faulty.store, faulty.unarmedCalls);
      faulty.arm({ mode, at });
      const first = await scenario.upload(url);
      if (first.status !== 202) {
        expect(first.status, context).toBe(500);
        expect(first.contentType, context).toMatch(/application\/problem\+json/);
        expect(JSON.stringify(first.body), context).not.toMatch(/InjectedFault|at .*\.ts:\d+/);
      }
      let retryUrl = url;
      if (faulty.dead) {
        await scenario.closeApps();
        retryUrl = await scenario.app(scenario.store);
      } else faulty.arm();
      const retry = await scenario.upload(retryUrl);
      if (first.status === 202)
        expect(
          retry.body.photos?.map((p) => p.id),
          `${context}: the retry names the answered photos`,
        ).toEqual(first.body.photos?.map((p) => p.id));
      await scenario.sweep();
      await scenario.expectSettled(retry, context, faulty.dead && first.status === 202);
    });
  });

  it.each(adapterModes)('%s at every call of a retry that completes an upload a crash interrupted', async (mode) => {
    const { staging } = await cleanRun(fresh);
    // The calls of a retry that finds both files claimed by a dead upload and completes it, fault-free.
    const probe = await Scenario.on(fresh);
    const probeFaulty = faultyStore(probe.store);
    const probeUrl = await probe.app(probeFaulty.store, probeFaulty.unarmedCalls);
    probeFaulty.arm({ mode: 'die-before', at: staging + 1 });
    expect((await probe.upload(probeUrl)).status).toBe(500);
    await probe.closeApps();
    const retryFaulty = faultyStore(probe.store);
    const retryUrl = await probe.app(retryFaulty.store, retryFaulty.unarmedCalls);
    retryFaulty.arm();
    const completed = await probe.upload(retryUrl);
    // Nothing this retry commits is its own: the relay makes no call, the sweep publishes the completed photos.
    const retryCalls = [...retryFaulty.calls];
    const shape = shapeOf(retryCalls);
    // Per file: stage (3), read the claim, see the photo uncommitted with its original there, commit it
    // (its record), drop its own copy (2): 9.
    expect(shape.slice(6).sort()).toEqual(
      ['get checksums/', 'get records/', 'stat originals/', 'put records/', 'delete originals/', 'delete outbox/'].flatMap((call) => [call, call]).sort(),
    );
    expect(completed.body.photos?.every((photo) => photo.duplicate)).toBe(true);
    await probe.sweep();
    await probe.expectSettled(completed, 'completing retry');

    await forEveryCall(retryCalls.length, async (at) => {
      const context = `${mode} at call ${at} of the completing retry (${retryCalls[at - 1]})`;
      const scenario = await Scenario.on(fresh);
      const crashing = faultyStore(scenario.store);
      const firstUrl = await scenario.app(crashing.store, crashing.unarmedCalls);
      crashing.arm({ mode: 'die-before', at: staging + 1 });
      expect((await scenario.upload(firstUrl)).status, context).toBe(500);
      await scenario.closeApps();
      const faulty = faultyStore(scenario.store);
      const url = await scenario.app(faulty.store, faulty.unarmedCalls);
      faulty.arm({ mode, at });
      const second = await scenario.upload(url);
      if (second.status !== 202) expect(second.status, context).toBe(500);
      let lastUrl = url;
      if (faulty.dead) {
        await scenario.closeApps();
        lastUrl = await scenario.app(scenario.store);
      } else faulty.arm();
      const last = await scenario.upload(lastUrl);
      await scenario.sweep();
      await scenario.expectSettled(last, context, faulty.dead && second.status === 202);
    });
  });
});
