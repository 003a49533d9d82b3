/**
 * Dedupe on (owner, checksum) with a conditional create of the claim: identical concurrent uploads
 * make one photo, a storage error reading a claim is an error (never "not a duplicate"), and a
 * deleted photo frees its claim without taking another photo's. Filesystem store and S3 over HTTP.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { photoCatalogue } from '@photos/contracts';
import { createFsObjectStore, createS3ObjectStore, type ObjectStore } from '@photos/object-store';
import { startS3rver } from '@photos/object-store/test-support/s3rver';
import type { ServiceApp } from '@photos/service-kit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { originalsBucket } from './adapters/originals-bucket.js';
import { originalsLayout } from './adapters/originals-layout.js';
import { removeOriginal } from './domain/remove-original.js';
import { faultyStore } from './test-support/faulty-store.js';
import { bucketState, newOwner, postPhotos, quietEnv, recordingBus, startUploadApp, sweepingEnv, tinyPng } from './test-support/upload-harness.js';

const sandbox = await mkdtemp(path.join(tmpdir(), 'upload-dedupe-'));
const s3rver = await startS3rver();
afterAll(async () => {
  await s3rver.close();
  await rm(sandbox, { recursive: true, force: true });
});

const adapters: { name: string; fresh: () => ObjectStore }[] = [
  { name: 'filesystem', fresh: () => createFsObjectStore({ root: path.join(sandbox, randomUUID()) }) },
  {
    name: 's3 on s3rver',
    fresh: () =>
      createS3ObjectStore({
        endPoint: '127.0.0.1',
        port: s3rver.port,
        useSSL: false,
        accessKey: 'S3RVER',
        secretKey: 'S3RVER',
        bucket: `dedupe-${randomUUID().slice(0, 8)}`,
      }),
  },
];

type Photos = { photos: { id: string; duplicate: boolean }[] };

describe.each(adapters)('upload dedupe: $name', ({ fresh }) => {
  const apps: ServiceApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  async function setUp(store: ObjectStore, env: Record<string, string> = quietEnv) {
    await store.ensureBucket();
    const recording = recordingBus();
    const { app, url } = await startUploadApp(store, recording.bus, env);
    apps.push(app);
    return { url, app, ...recording };
  }

  it('makes one photo of 5 identical uploads by one owner at once: one original, one record, one event', async () => {
    const store = fresh();
    const { url, published } = await setUp(store, { ...quietEnv, OUTBOX_INTERVAL_MS: '50' });
    const owner = newOwner();
    const file = tinyPng('same');
    const responses = await Promise.all(Array.from({ length: 5 }, () => postPhotos(url, [file], owner)));
    expect(responses.map((response) => response.status)).toEqual([202, 202, 202, 202, 202]);
    const answers = (await Promise.all(responses.map((response) => response.json()))) as Photos[];
    const ids = new Set(answers.map((answer) => answer.photos[0]!.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(answers.filter((answer) => !answer.photos[0]!.duplicate)).toHaveLength(1);
    await expect.poll(() => bucketState(store).then((state) => state.outbox)).toEqual([]);
    const state = await bucketState(store);
    expect({ originals: state.originals, records: state.records, claimed: state.claimed, outbox: state.outbox }).toEqual({
      originals: [id],
      records: [id],
      claimed: [id],
      outbox: [],
    });
    expect(published.map((event) => event.subject)).toEqual([id]);
  });

  it('fails with a 500 problem when the claim cannot be read, stores no second photo, and a retry finds the first', async () => {
    const store = fresh();
    const faulty = faultyStore(store);
    const { url } = await setUp(faulty.store);
    const owner = newOwner();
    const file = tinyPng('twice');
    const first = (await (await postPhotos(url, [file], owner)).json()) as Photos;
    const photoId = first.photos[0]!.id;
    await expect.poll(() => bucketState(store).then((state) => state.outbox)).toEqual([]); // so the relay makes no call from here

    faulty.arm({ mode: 'fail-before', at: 4 }); // intent, original, claim (taken: false), then the read of the claim
    const failed = await postPhotos(url, [file], owner);
    expect(faulty.calls[3]).toMatch(/^get checksums\//);
    expect(failed.status).toBe(500);
    expect(failed.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = JSON.stringify(await failed.json());
    expect(problem).not.toMatch(/InjectedFault|injected|at .*\.ts:\d+/);
    expect(await bucketState(store)).toMatchObject({ originals: [photoId], records: [photoId], claimed: [photoId], outbox: [] });

    faulty.arm();
    const retry = (await (await postPhotos(url, [file], owner)).json()) as Photos;
    expect(retry.photos[0]).toMatchObject({ id: photoId, duplicate: true });
  });

  it('leaves nothing of a request whose claim read failed once the sweep ran, even when its own cleanup failed too', async () => {
    const store = fresh();
    const faulty = faultyStore(store);
    const { url } = await setUp(faulty.store);
    const owner = newOwner();
    const file = tinyPng('dying');
    const photoId = ((await (await postPhotos(url, [file], owner)).json()) as Photos).photos[0]!.id;
    await expect.poll(() => bucketState(store).then((state) => state.outbox)).toEqual([]);
    faulty.arm({ mode: 'die-before', at: 4 }); // the claim read fails, and so does every call after it
    expect((await postPhotos(url, [file], owner)).status).toBe(500);
    const left = await bucketState(store);
    expect(left.originals).toHaveLength(2);
    expect(left.outbox).toHaveLength(1);

    const sweeper = await setUp(store, sweepingEnv);
    await expect.poll(() => bucketState(store).then((state) => state.outbox)).toEqual([]);
    expect(await bucketState(store)).toMatchObject({ originals: [photoId], records: [photoId], claimed: [photoId] });
    const metrics = await sweeper.app.metrics.metrics();
    expect(metrics).toMatch(/^upload_orphans_swept_total 1$/m);
  });

  it('frees the claim on photo.deleted, so the same bytes make a new photo, and never frees a claim another photo took', async () => {
    const store = fresh();
    const { url, bus } = await setUp(store);
    const owner = newOwner();
    const file = tinyPng('deleted');
    const first = ((await (await postPhotos(url, [file], owner)).json()) as Photos).photos[0]!.id;
    await bus.publish(
      photoCatalogue.create('photo.deleted', first, { photoId: first, ownerId: owner, deletedAt: new Date().toISOString() }, { source: '/test' }),
    );
    await expect.poll(() => bucketState(store)).toMatchObject({ originals: [], records: [], claimed: [] });
    const second = ((await (await postPhotos(url, [file], owner)).json()) as Photos).photos[0]!;
    expect(second).toMatchObject({ duplicate: false });
    expect(second.id).not.toBe(first);

    // A delivery of an old photo.deleted for a photo whose record is back (a removal interrupted before
    // the record went) must not take the claim of the photo that now holds it.
    const record = (await store.stat(originalsLayout.record(second.id)))!;
    expect(record).toBeDefined();
    const chunks: Buffer[] = [];
    for await (const chunk of await store.get(originalsLayout.record(second.id))) chunks.push(chunk as Buffer);
    await store.put(originalsLayout.record(first), Buffer.concat(chunks), { contentType: 'application/json' });
    await removeOriginal(originalsBucket(store), first);
    expect(await bucketState(store)).toMatchObject({ originals: [second.id], records: [second.id], claimed: [second.id] });
  });
});
