/**
 * The outbox relay and the sweep of unfinished uploads, on the real storage adapter over a directory:
 * which entries they publish, roll back or leave, and what they report. Their timers are set long, so
 * each test sees only the sweep a start runs at once (waited for before stop(), which cuts a sweep short).
 */
import { randomUUID } from 'node:crypto';
import type { CloudEvent } from '@photos/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { originalsLayout as layout } from '../adapters/originals-layout.js';
import { originalsDeps, pngBytes, removeStorageBeds, stage, storageBed } from '../test-support/storage-bed.js';
import { commitUpload } from './commit-upload.js';
import { startEventRelay, type EventRelayDeps } from './event-relay.js';
import { startUnfinishedUploadSweeper } from './unfinished-upload-sweeper.js';
import { sweepUnfinishedUploads } from './unfinished-uploads.js';

afterAll(removeStorageBeds);

const T0 = new Date('2026-11-01T10:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** A relay over `storage` whose publishes, warnings and reports are recorded. */
function recordingRelay(storage: EventRelayDeps['storage'], options: { now: Date; minAgeMs?: number; publish?: (event: CloudEvent) => Promise<void> }) {
  const published: string[] = [];
  const warnings: string[] = [];
  const seen: [number, number][] = [];
  let counted = 0;
  const relay = startEventRelay({
    storage,
    publish: async (event) => {
      await options.publish?.(event);
      published.push(event.id);
    },
    intervalMs: 3_600_000,
    minAgeMs: options.minAgeMs ?? 10_000,
    now: () => options.now,
    logger: { warn: (object, message) => void warnings.push('err' in object ? message : `${message} (without its error)`) },
    observer: { outboxSeen: (pending, oldest) => void seen.push([pending, oldest]), published: () => void counted++ },
  });
  return { relay, published, warnings, seen, counted: () => counted };
}

describe('event relay', () => {
  it('publishes the events of committed uploads old enough, removes their entries, and leaves the rest', async () => {
    const { storage, keys } = await storageBed();
    const clock = { now: T0 };
    const deps = originalsDeps(storage, clock);
    const old = await stage(deps, pngBytes('old'));
    const underway = await stage(deps, pngBytes('underway'));
    clock.now = at(50);
    const young = await stage(deps, pngBytes('young'));
    await commitUpload([old, young], storage);

    const { relay, published, seen, counted } = recordingRelay(storage, { now: at(51) });
    await expect.poll(async () => (await keys()).includes(old.entryKey)).toBe(false);
    await relay.stop();
    expect(published).toEqual([old.event.id]);
    expect(counted()).toBe(1);
    expect(seen).toEqual([[3, 51]]);
    const left = await keys();
    expect(left).not.toContain(old.entryKey);
    expect(left).toEqual(expect.arrayContaining([underway.entryKey, young.entryKey]));
  });

  it('reports an empty outbox as 0 entries, 0 seconds old', async () => {
    const { storage } = await storageBed();
    const { relay, seen } = recordingRelay(storage, { now: T0 });
    await relay.stop();
    expect(seen).toEqual([[0, 0]]);
  });

  it('publishes what an upload just committed at once, once, and removes its entry', async () => {
    const { storage } = await storageBed();
    const file = await stage(originalsDeps(storage), pngBytes('now'));
    const { committed } = await commitUpload([file], storage);
    const { relay, published } = recordingRelay(storage, { now: T0 }); // its own sweep finds the entry young
    relay.publishNow(committed);
    relay.publishNow(committed);
    await relay.stop();
    expect(published).toEqual([file.event.id]);
    expect(await storage.readEntry(file.entryKey)).toBeUndefined();
  });

  it('does not publish an event again when its entry is written again after it went out', async () => {
    const { storage } = await storageBed();
    const file = await stage(originalsDeps(storage), pngBytes('again'));
    const { committed } = await commitUpload([file], storage);
    const { relay, published } = recordingRelay(storage, { now: T0 });
    relay.publishNow(committed);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await storage.addEntry({ photoId: file.record.photoId, ownerId: 'owner-1', startedAt: T0.toISOString() });
    relay.publishNow(committed);
    await relay.stop();
    expect(published).toEqual([file.event.id]);
    expect(await storage.readEntry(file.entryKey)).toBeUndefined();
  });

  it('keeps the entry of an event the broker refused, logs it, and sends nothing after stop', async () => {
    const { storage } = await storageBed();
    const file = await stage(originalsDeps(storage), pngBytes('refused'));
    const { committed } = await commitUpload([file], storage);
    const { relay, published, warnings } = recordingRelay(storage, { now: T0, publish: () => Promise.reject(new Error('broker down')) });
    relay.publishNow(committed);
    await relay.stop();
    relay.publishNow(committed);
    expect(published).toEqual([]);
    expect(warnings).toEqual(['event not published yet; the sweep will retry']);
    expect(await storage.readEntry(file.entryKey)).toBeDefined();
  });

  it('waits on stop for the publishes under way, then sends nothing more', async () => {
    const { storage } = await storageBed();
    const deps = originalsDeps(storage);
    const [first, second] = [await stage(deps, pngBytes('slow')), await stage(deps, pngBytes('late'))];
    const { committed } = await commitUpload([first], storage);
    const { relay, published } = recordingRelay(storage, { now: T0, publish: () => new Promise((resolve) => setTimeout(resolve, 50)) });
    relay.publishNow(committed);
    await relay.stop();
    expect(published).toEqual([first.event.id]);
    relay.publishNow((await commitUpload([second], storage)).committed);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(published).toEqual([first.event.id]);
  });

  it('works without an observer', async () => {
    const { storage } = await storageBed();
    const file = await stage(originalsDeps(storage), pngBytes('unobserved'));
    const { committed } = await commitUpload([file], storage);
    const published: string[] = [];
    const warnings: string[] = [];
    const relay = startEventRelay({
      storage,
      publish: async (event) => void published.push(event.id),
      intervalMs: 3_600_000,
      minAgeMs: 0,
      now: () => T0,
      logger: { warn: (_object, message) => void warnings.push(message) },
    });
    relay.publishNow(committed);
    await expect.poll(() => published).toEqual([file.event.id]);
    await relay.stop();
    expect(warnings).toEqual([]);
  });

  it('logs a sweep that failed, to retry it', async () => {
    const { storage } = await storageBed();
    const { relay, warnings } = recordingRelay({ ...storage, entries: () => Promise.reject(new Error('store down')) }, { now: T0 });
    await relay.stop();
    expect(warnings).toEqual(['pending events not published yet; will retry']);
  });

  it('settles entries of older releases: a whole event is sent once its photo is committed, dropped once it is gone', async () => {
    const { storage, store, keys } = await storageBed();
    const deps = originalsDeps(storage, { now: T0 });
    const committed = await stage(deps, pngBytes('legacy-committed'));
    await storage.writeRecord(committed.event);
    const kept = await stage(deps, pngBytes('legacy-underway'));
    const gone = await stage(deps, pngBytes('legacy-gone'));
    await storage.deleteOriginal(gone.record.photoId);
    const put = (event: CloudEvent) => store.put(`outbox/${event.id}.json`, Buffer.from(JSON.stringify(event)), { contentType: 'application/json' });
    for (const file of [committed, kept, gone]) {
      await storage.removeEntry(file.entryKey);
      await put(file.event);
    }
    // An older release's record holds the original only; its event had an entry of its own, sent already.
    const bare = await stage(deps, pngBytes('legacy-bare'));
    await store.put(layout.record(bare.record.photoId), Buffer.from(JSON.stringify(bare.record)), { contentType: 'application/json' });
    await storage.removeEntry(bare.entryKey);
    const bareEntry = `outbox/${bare.record.photoId}.json`;
    await store.put(bareEntry, Buffer.from('{}'), { contentType: 'application/json' });

    const { relay, published } = recordingRelay(storage, { now: at(3600) });
    const outbox = async () => (await keys()).filter((key) => key.startsWith('outbox/'));
    await expect.poll(outbox).toEqual([`outbox/${kept.event.id}.json`]);
    await relay.stop();
    expect(published).toEqual([committed.event.id]);
  });
});

describe('sweep of unfinished uploads', () => {
  it('rolls back uploads older than the TTL that were not committed, and leaves committed and young ones', async () => {
    const { storage, keys } = await storageBed();
    const clock = { now: T0 };
    const deps = originalsDeps(storage, clock);
    const abandoned = await stage(deps, pngBytes('abandoned'));
    const committed = await stage(deps, pngBytes('committed'));
    await commitUpload([committed], storage);
    clock.now = at(100);
    const young = await stage(deps, pngBytes('young'));

    expect(await sweepUnfinishedUploads(storage, { ttlMs: 60_000, now: () => at(120) })).toEqual({ pending: 1, rolledBack: 1 });
    const left = await keys();
    expect(left).not.toContain(abandoned.entryKey);
    expect(left).not.toContain(layout.original(abandoned.record.photoId));
    expect(left).toEqual(expect.arrayContaining([committed.entryKey, young.entryKey, layout.original(young.record.photoId)]));
    // Exactly at the TTL an upload is swept.
    expect(await sweepUnfinishedUploads(storage, { ttlMs: 20_000, now: () => at(120) })).toEqual({ pending: 0, rolledBack: 1 });
  });

  it('leaves entries of older releases: a whole event is the relay’s, an entry without a time is never expired', async () => {
    const { storage, store } = await storageBed();
    const file = await stage(originalsDeps(storage, { now: T0 }), pngBytes('legacy'));
    await storage.removeEntry(file.entryKey);
    await store.put(layout.entry(T0, randomUUID()), Buffer.from(JSON.stringify(file.event)), { contentType: 'application/json' });
    await store.put(`intents/${file.record.photoId}.json`, Buffer.from('{}'), { contentType: 'application/json' });
    expect(await sweepUnfinishedUploads(storage, { ttlMs: 0, now: () => at(3600) })).toEqual({ pending: 2, rolledBack: 0 });
    expect(await storage.hasOriginal(file.record.photoId)).toBe(true);
  });

  it('sweeps without an observer', async () => {
    const { storage, keys } = await storageBed();
    await stage(originalsDeps(storage, { now: T0 }), pngBytes('unobserved'));
    const warnings: string[] = [];
    await startUnfinishedUploadSweeper({
      storage,
      ttlMs: 1000,
      intervalMs: 3_600_000,
      now: () => at(60),
      logger: { warn: (_o, m) => void warnings.push(m) },
    }).stop();
    expect(warnings).toEqual(['rolled back uploads that were never committed']);
    expect(await keys()).toEqual([]);
  });

  it('reports each sweep, logs the rollbacks and the failures', async () => {
    const { storage } = await storageBed();
    await stage(originalsDeps(storage, { now: T0 }), pngBytes('swept'));
    const reports: string[] = [];
    const logger = { warn: (object: object, message: string) => void reports.push(`${message} ${JSON.stringify({ ...object, hasErr: 'err' in object })}`) };
    const observer = { intentsSeen: (n: number) => void reports.push(`seen ${n}`), rolledBack: (n: number) => void reports.push(`rolled back ${n}`) };
    const options = { ttlMs: 1000, intervalMs: 3_600_000, now: () => at(60), logger, observer };
    await startUnfinishedUploadSweeper({ storage, ...options }).stop();
    await startUnfinishedUploadSweeper({ storage, ...options }).stop();
    await startUnfinishedUploadSweeper({ storage: { ...storage, entries: () => Promise.reject(new Error('down')) }, ...options }).stop();
    expect(reports.map((r) => r.replace(/ \{.*\}$/, ''))).toEqual([
      'seen 0',
      'rolled back 1',
      'rolled back uploads that were never committed',
      'seen 0',
      'unfinished uploads not swept yet; will retry',
    ]);
    expect(reports[2]).toBe('rolled back uploads that were never committed {"rolledBack":1,"hasErr":false}');
    expect(reports[4]).toContain('"hasErr":true');
  });
});
