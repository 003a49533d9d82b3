/**
 * The outbox relay: a fault-free run publishes every event exactly once, however slow the broker and
 * however often the sweep runs beside `publishNow`; its metrics tell how far behind it is.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EventBus } from '@photos/event-bus';
import { createFsObjectStore } from '@photos/object-store';
import type { ServiceApp } from '@photos/service-kit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { bucketState, newOwner, postPhotos, recordingBus, startUploadApp, JWT_SECRET, tinyPng } from './test-support/upload-harness.js';

const sandbox = await mkdtemp(path.join(tmpdir(), 'outbox-relay-'));
afterAll(() => rm(sandbox, { recursive: true, force: true }));

const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);

describe('outbox relay', () => {
  const apps: ServiceApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('publishes each of 200 uploads exactly once with a broker slower than the sweep interval (50 ms)', async () => {
    const store = createFsObjectStore({ root: path.join(sandbox, randomUUID()) });
    await store.ensureBucket();
    const { bus, published } = recordingBus({ publishDelayMs: 80 });
    // No minimum age: only the in-flight set keeps the sweep off what publishNow is sending.
    const env = { JWT_SECRET, LOG_LEVEL: 'silent', OUTBOX_INTERVAL_MS: '50', OUTBOX_MIN_AGE_MS: '0' };
    const { app, url } = await startUploadApp(store, bus, env);
    apps.push(app);
    const owner = newOwner();
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = next++; i < 200; i = next++) {
          const response = await postPhotos(url, [tinyPng(`relay-${i}`)], owner);
          expect(response.status).toBe(202);
          ids.push(((await response.json()) as { photos: { id: string }[] }).photos[0]!.id);
        }
      }),
    );
    await expect.poll(() => bucketState(store).then((state) => state.outbox), { timeout: 10_000 }).toEqual([]);
    const perEvent = new Map<string, number>();
    for (const event of published) perEvent.set(event.id, (perEvent.get(event.id) ?? 0) + 1);
    expect([...perEvent.values()].filter((count) => count > 1)).toEqual([]);
    expect(published.map((event) => event.subject).sort()).toEqual(ids.sort());
    const metrics = await app.metrics.metrics();
    expect(metric(metrics, 'upload_outbox_published_total')).toBe(200);
  });

  it('reports the outbox backlog and its age while the broker is down, and drains it once it is back', async () => {
    const store = createFsObjectStore({ root: path.join(sandbox, randomUUID()) });
    await store.ensureBucket();
    const { bus, published } = recordingBus();
    const down: EventBus = { ...bus, publish: () => Promise.reject(new Error('broker unreachable')) };
    const env = { JWT_SECRET, LOG_LEVEL: 'silent', OUTBOX_INTERVAL_MS: '50', OUTBOX_MIN_AGE_MS: '0' };
    const first = await startUploadApp(store, down, env);
    apps.push(first.app);
    const owner = newOwner();
    for (const name of ['a', 'b']) expect((await postPhotos(first.url, [tinyPng(name)], owner)).status).toBe(202);
    await expect
      .poll(async () => {
        const text = await first.app.metrics.metrics();
        return { pending: metric(text, 'upload_outbox_pending_events'), aged: metric(text, 'upload_outbox_oldest_pending_age_seconds') > 0.1 };
      })
      .toEqual({ pending: 2, aged: true });
    const text = await first.app.metrics.metrics();
    expect(metric(text, 'upload_intents_pending')).toBe(0);
    expect(metric(text, 'upload_outbox_published_total')).toBe(0);

    const second = await startUploadApp(store, bus, env);
    apps.push(second.app);
    await expect.poll(() => published.length).toBe(2);
    await expect
      .poll(async () => {
        const after = await second.app.metrics.metrics();
        return [metric(after, 'upload_outbox_pending_events'), metric(after, 'upload_outbox_oldest_pending_age_seconds')];
      })
      .toEqual([0, 0]);
  });
});
