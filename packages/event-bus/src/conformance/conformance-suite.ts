/**
 * The behaviour every EventBus adapter must have. Each adapter's integration spec calls
 * `describeEventBusConformance` with a harness that creates buses on its transport; every case uses a
 * fresh channel and fresh groups, so runs never see each other's messages.
 */
import { randomUUID } from 'node:crypto';
import {
  EventCatalogue,
  InvalidEventError,
  photoFamilies,
  type CloudEvent,
  type PhotoCatalogue,
  type PhotoFamily,
  type PhotoUploaded,
} from '@photos/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventBus, Subscription } from '../event-bus.js';
import { partitionOf } from '../partition.js';
import { PermanentFailure } from '../permanent-failure.js';
import { TransientFailure } from '../transient-failure.js';
import { sleep, waitFor } from './wait-for.js';

export interface ConformanceHarness {
  /** A new bus (its own connections, like another process) on the catalogue's channel. */
  createBus(catalogue: EventCatalogue): Promise<EventBus>;
  /** Puts a raw message on the channel, bypassing validation, as a buggy or hostile producer would. */
  publishRaw(channel: string, key: string, headers: Record<string, string>, body: Buffer): Promise<void>;
  /** Closes the adapter's broker connections from the broker side; only transports that can do it. */
  dropConnectionsFromBroker?: () => Promise<void>;
  /** How long a consumer may take to join a group and get work (Kafka rebalances are slow). */
  joinTimeoutMs?: number;
  /**
   * A key whose events are consumed independently of `key`'s while those wait (another partition, and on
   * Kafka one led by another broker, since kafkajs fetches per broker). Default: another of 8 partitions.
   */
  keyOnAnotherLane?: (channel: string, key: string) => Promise<string>;
  /**
   * Whether the transport keeps the order of each key (subject) within a group. Kafka and memory do
   * (partitions); RabbitMQ does not (competing consumers on one queue), so every consumer of it must be
   * order-tolerant. Default true. When false the order case is reported as skipped, and a case checks
   * what holds instead: every event handled, keys and events handled concurrently.
   */
  orderPerKey?: boolean;
}

/** Like a refused TCP connection from a database driver: a Node system error with its code. */
function connectionRefused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' });
}

async function anotherPartitionOf8(_channel: string, key: string): Promise<string> {
  for (;;) {
    const other = randomUUID();
    if (partitionOf(other, 8) !== partitionOf(key, 8)) return other;
  }
}

const catalogueForTest = (): PhotoCatalogue => new EventCatalogue<PhotoFamily>(`conformance-${randomUUID().slice(0, 8)}`, photoFamilies);
const group = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

function uploaded(catalogue: PhotoCatalogue, photoId: string = randomUUID(), n = 0): PhotoUploaded {
  return catalogue.create(
    'photo.uploaded',
    photoId,
    {
      photoId,
      ownerId: 'owner-1',
      objectKey: `originals/owner-1/${photoId}`,
      filename: `photo-${n}.jpg`,
      contentType: 'image/jpeg',
      bytes: 1000 + n,
      sha256: 'a'.repeat(64),
      uploadedAt: new Date().toISOString(),
    },
    { source: '/conformance', correlationId: `corr-${n}` },
  );
}

export function describeEventBusConformance(transport: string, harness: ConformanceHarness): void {
  const joinTimeout = harness.joinTimeoutMs ?? 10_000;

  describe(`event bus conformance: ${transport}`, () => {
    const buses: EventBus[] = [];
    const newBus = async (catalogue: EventCatalogue) => {
      const bus = await harness.createBus(catalogue);
      buses.push(bus);
      return bus;
    };
    afterEach(async () => {
      await Promise.all(buses.splice(0).map((bus) => bus.close()));
    });

    it('publishes and consumes a validated event, with its correlation id', async () => {
      const catalogue = catalogueForTest();
      const bus = await newBus(catalogue);
      const received: CloudEvent[] = [];
      await bus.subscribe({ group: group('solo'), handlers: { 'photo.uploaded': async (e) => void received.push(e) } });
      const event = uploaded(catalogue, randomUUID(), 7);
      await bus.publish(event);
      await waitFor('the event', () => received.length === 1, joinTimeout);
      expect(received[0]).toEqual(event);
      expect(received[0]!.correlationid).toBe('corr-7');
    });

    it('refuses to publish an event that breaks its contract', async () => {
      const catalogue = catalogueForTest();
      const bus = await newBus(catalogue);
      const bad = { ...uploaded(catalogue), data: { photoId: 'not-a-uuid' } } as unknown as CloudEvent;
      await expect(bus.publish(bad)).rejects.toBeInstanceOf(InvalidEventError);
    });

    it('splits the work of one group between two consumers, each event handled once', async () => {
      const catalogue = catalogueForTest();
      const name = group('pair');
      const seen = new Map<string, string[]>();
      const handlerOf = (consumer: string) => async (event: CloudEvent) => {
        seen.set(event.id, [...(seen.get(event.id) ?? []), consumer]);
        await sleep(5);
      };
      const [a, b] = [await newBus(catalogue), await newBus(catalogue)];
      await a.subscribe({ group: name, handlers: { 'photo.uploaded': handlerOf('a') } });
      await b.subscribe({ group: name, handlers: { 'photo.uploaded': handlerOf('b') } });
      const events = Array.from({ length: 60 }, (_, n) => uploaded(catalogue, randomUUID(), n));
      for (const event of events) {
        await a.publish(event);
        await sleep(10);
      }
      await waitFor('every event handled', () => seen.size === events.length, joinTimeout + 10_000);
      await sleep(300);
      const handledTwice = [...seen.entries()].filter(([, by]) => by.length > 1);
      expect(handledTwice).toEqual([]);
      const byA = [...seen.values()].filter((by) => by[0] === 'a').length;
      expect(byA).toBeGreaterThan(0);
      expect(byA).toBeLessThan(events.length);
    });

    it('gives a live subscription only the events published after it started', async () => {
      const catalogue = catalogueForTest();
      const bus = await newBus(catalogue);
      const before = uploaded(catalogue, randomUUID(), 1);
      await bus.publish(before);
      const seen: string[] = [];
      await bus.subscribe({ group: group('live'), live: true, handlers: { 'photo.uploaded': async (e) => void seen.push(e.id) } });
      const after = uploaded(catalogue, randomUUID(), 2);
      await bus.publish(after);
      await waitFor('the event published after', () => seen.includes(after.id), joinTimeout);
      await sleep(300);
      expect(seen).toEqual([after.id]);
    });

    it('gives every event to each of two groups', async () => {
      const catalogue = catalogueForTest();
      const bus = await newBus(catalogue);
      const first: string[] = [];
      const second: string[] = [];
      await bus.subscribe({ group: group('first'), handlers: { 'photo.uploaded': async (e) => void first.push(e.id) } });
      await bus.subscribe({ group: group('second'), handlers: { 'photo.uploaded': async (e) => void second.push(e.id) } });
      const events = Array.from({ length: 10 }, (_, n) => uploaded(catalogue, randomUUID(), n));
      for (const event of events) await bus.publish(event);
      await waitFor('both groups', () => first.length === 10 && second.length === 10, joinTimeout);
      expect(first.sort()).toEqual(events.map((e) => e.id).sort());
      expect(second.sort()).toEqual(events.map((e) => e.id).sort());
    });

    const ordered = harness.orderPerKey ?? true;
    (ordered ? it : it.skip)(`keeps the order of each key while handling keys concurrently${ordered ? '' : ` (not promised by ${transport})`}`, async () => {
      const catalogue = catalogueForTest();
      const bus = await newBus(catalogue);
      const keys = Array.from({ length: 6 }, () => randomUUID());
      const order = new Map<string, number[]>();
      let inFlight = 0;
      let maxInFlight = 0;
      await bus.subscribe({
        group: group('ordered'),
        concurrency: 4,
        handlers: {
          'photo.uploaded': async (event: PhotoUploaded) => {
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            await sleep(Math.random() * 8);
            order.set(event.subject, [...(order.get(event.subject) ?? []), event.data.bytes]);
            inFlight--;
          },
        },
      });
      // Publishing is ordered per key only when each publish is awaited before the next one of that key.
      const events = Array.from({ length: 10 }, (_, n) => keys.map((key) => uploaded(catalogue, key, n))).flat();
      for (const event of events) await bus.publish(event);
      await waitFor('every event', () => [...order.values()].flat().length === events.length, joinTimeout);
      for (const key of keys) expect(order.get(key)).toEqual(Array.from({ length: 10 }, (_, n) => 1000 + n));
      expect(maxInFlight).toBeGreaterThan(1);
    });

    if (!ordered) {
      it(`handles every event of every key at least once, several at a time (${transport}: no per-key order)`, async () => {
        const catalogue = catalogueForTest();
        const bus = await newBus(catalogue);
        const keys = Array.from({ length: 6 }, () => randomUUID());
        const handled = new Set<string>();
        let inFlight = 0;
        let maxInFlight = 0;
        await bus.subscribe({
          group: group('unordered'),
          concurrency: 4,
          handlers: {
            'photo.uploaded': async (event) => {
              maxInFlight = Math.max(maxInFlight, ++inFlight);
              await sleep(Math.random() * 8);
              handled.add(event.id);
              inFlight--;
            },
          },
        });
        const events = Array.from({ length: 10 }, (_, n) => keys.map((key) => uploaded(catalogue, key, n))).flat();
        for (const event of events) await bus.publish(event);
        await waitFor('every event', () => handled.size === events.length, joinTimeout);
        expect([...handled].sort()).toEqual(events.map((e) => e.id).sort());
        expect(maxInFlight).toBeGreaterThan(1);
      });
    }

    it('retries a failing handler with backoff and acks once it succeeds', async () => {
      const catalogue = catalogueForTest();
      const bus = await newBus(catalogue);
      const attempts: number[] = [];
      const name = group('flaky');
      await bus.subscribe({
        group: name,
        maxAttempts: 5,
        backoff: { initialMs: 5, maxMs: 20 },
        handlers: {
          'photo.uploaded': async (_e, { attempt }) => {
            attempts.push(attempt);
            if (attempt < 3) throw new Error('transient');
          },
        },
      });
      await bus.publish(uploaded(catalogue));
      await waitFor('the third attempt', () => attempts.length === 3, joinTimeout);
      await sleep(200);
      expect(attempts).toEqual([1, 2, 3]);
      expect(await bus.deadLetters(name)).toEqual([]);
    });

    it('dead-letters an event after N failed attempts, with the reason, and goes on', async () => {
      const catalogue = catalogueForTest();
      const bus = await newBus(catalogue);
      const name = group('failing');
      const poison = uploaded(catalogue, randomUUID(), 1);
      const next = uploaded(catalogue, poison.subject, 2);
      const calls: string[] = [];
      await bus.subscribe({
        group: name,
        maxAttempts: 3,
        backoff: { initialMs: 5, maxMs: 20 },
        handlers: {
          'photo.uploaded': async (event) => {
            calls.push(event.id);
            if (event.id === poison.id) throw new Error('disk on fire');
          },
        },
      });
      await bus.publish(poison);
      await bus.publish(next);
      await waitFor('the next event', () => calls.includes(next.id), joinTimeout);
      expect(calls.filter((id) => id === poison.id)).toHaveLength(3);
      let letters: Awaited<ReturnType<EventBus['deadLetters']>> = [];
      await waitFor('the dead letter', async () => (letters = await bus.deadLetters(name)).length === 1);
      expect(letters[0]).toMatchObject({ reason: 'disk on fire', attempts: 3, group: name });
      expect(letters[0]!.event).toEqual(poison);
    });

    it('dead-letters at once on a PermanentFailure', async () => {
      const catalogue = catalogueForTest();
      const bus = await newBus(catalogue);
      const name = group('permanent');
      let calls = 0;
      await bus.subscribe({
        group: name,
        handlers: {
          'photo.uploaded': async () => {
            calls++;
            throw new PermanentFailure('cannot ever work');
          },
        },
      });
      await bus.publish(uploaded(catalogue));
      let letters: Awaited<ReturnType<EventBus['deadLetters']>> = [];
      await waitFor('the dead letter', async () => (letters = await bus.deadLetters(name)).length === 1, joinTimeout);
      expect(calls).toBe(1);
      expect(letters[0]).toMatchObject({ reason: 'cannot ever work', attempts: 1 });
    });

    it('dead-letters an invalid message straight away and handles the next one', async () => {
      const catalogue = catalogueForTest();
      const bus = await newBus(catalogue);
      const name = group('strict');
      const handled: string[] = [];
      let calls = 0;
      await bus.subscribe({
        group: name,
        handlers: {
          'photo.uploaded': async (event) => {
            calls++;
            handled.push(event.id);
          },
        },
      });
      const valid = uploaded(catalogue);
      const headers = { 'content-type': 'application/json', ce_specversion: '1.0', ce_id: 'bad-1', ce_type: 'photo.uploaded.v1', ce_source: '/evil' };
      const amqpHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.replace(/^ce_/, 'cloudEvents:'), v]));
      await harness.publishRaw(catalogue.channel, valid.subject, { ...headers, ...amqpHeaders }, Buffer.from('{"photoId":42}'));
      await harness.publishRaw(catalogue.channel, valid.subject, { ...headers, ...amqpHeaders }, Buffer.from('not json at all'));
      await bus.publish(valid);
      await waitFor('the valid event', () => handled.includes(valid.id), joinTimeout);
      expect(calls).toBe(1);
      let letters: Awaited<ReturnType<EventBus['deadLetters']>> = [];
      await waitFor('two dead letters', async () => (letters = await bus.deadLetters(name)).length === 2);
      expect(letters.map((l) => l.reason)).toEqual([expect.stringMatching(/^invalid event: /), expect.stringMatching(/^undecodable message: /)]);
      expect(letters.every((l) => l.attempts === 0 && l.event === undefined)).toBe(true);
      expect(letters[1]!.body).toBe('not json at all');
    });

    it("retries a transient failure beyond maxAttempts until the dependency is back, the subject's next events waiting", async () => {
      const catalogue = catalogueForTest();
      const bus = await newBus(catalogue);
      const name = group('outage');
      const first = uploaded(catalogue, randomUUID(), 1);
      const second = uploaded(catalogue, first.subject, 2);
      const handled: string[] = [];
      const attempts: number[] = [];
      await bus.subscribe({
        group: name,
        maxAttempts: 2,
        backoff: { initialMs: 5, maxMs: 20 },
        transientMaxDelayMs: 40,
        retryHorizonMs: 60_000,
        handlers: {
          'photo.uploaded': async (event, { attempt }) => {
            if (event.id === first.id) {
              attempts.push(attempt);
              // Eight failures, four times maxAttempts: first wrapped by the handler, then as the driver throws them.
              if (attempt <= 4) throw new TransientFailure('database unavailable', { cause: connectionRefused() });
              if (attempt <= 8) throw connectionRefused();
            }
            handled.push(event.id);
          },
        },
      });
      await bus.publish(first);
      await bus.publish(second);
      await waitFor('both events', () => handled.length === 2, joinTimeout);
      expect(handled).toEqual([first.id, second.id]);
      expect(attempts).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(await bus.deadLetters(name)).toEqual([]);
    });

    it('dead-letters a transient failure that outlasts the retry horizon, saying so', async () => {
      const catalogue = catalogueForTest();
      const bus = await newBus(catalogue);
      const name = group('horizon');
      let calls = 0;
      await bus.subscribe({
        group: name,
        maxAttempts: 2,
        backoff: { initialMs: 5, maxMs: 20 },
        transientMaxDelayMs: 20,
        retryHorizonMs: 300,
        handlers: {
          'photo.uploaded': async () => {
            calls++;
            throw new TransientFailure('database unavailable');
          },
        },
      });
      await bus.publish(uploaded(catalogue));
      let letters: Awaited<ReturnType<EventBus['deadLetters']>> = [];
      await waitFor('the dead letter', async () => (letters = await bus.deadLetters(name)).length === 1, joinTimeout);
      expect(letters[0]!.reason).toMatch(/^transient failure outlasted the retry horizon \(300 ms\): database unavailable$/);
      expect(calls).toBeGreaterThan(2);
      expect(letters[0]!.attempts).toBe(calls);
    });

    it('dead-letters a plain failure after maxAttempts while the events of another subject keep flowing', async () => {
      const catalogue = catalogueForTest();
      const bus = await newBus(catalogue);
      const name = group('poison');
      const poison = uploaded(catalogue, randomUUID(), 1);
      let others: PhotoUploaded[] = [];
      let poisonCalls = 0;
      const poisonCallsWhenOthersDone: number[] = [];
      await bus.subscribe({
        group: name,
        concurrency: 2,
        maxAttempts: 4,
        backoff: { initialMs: 5, maxMs: 20 },
        handlers: {
          'photo.uploaded': async (event) => {
            if (event.id !== poison.id) return void poisonCallsWhenOthersDone.push(poisonCalls);
            poisonCalls++;
            // The second try waits (bounded) for the other subject: if that lane were blocked behind this one, it never comes.
            if (poisonCalls === 2) {
              const done = () => others.length > 0 && poisonCallsWhenOthersDone.length === others.length;
              await waitFor('the other subject', done, joinTimeout).catch(() => undefined);
            }
            throw new Error('cannot parse this photo');
          },
        },
      });
      await bus.publish(poison);
      await waitFor('the poison to be tried', () => poisonCalls >= 1, joinTimeout);
      const otherKey = await (harness.keyOnAnotherLane ?? anotherPartitionOf8)(catalogue.channel, poison.subject);
      others = Array.from({ length: 3 }, (_, n) => uploaded(catalogue, otherKey, 10 + n));
      for (const event of others) await bus.publish(event);
      let letters: Awaited<ReturnType<EventBus['deadLetters']>> = [];
      await waitFor('the dead letter', async () => (letters = await bus.deadLetters(name)).length === 1, 2 * joinTimeout);
      expect(letters[0]).toMatchObject({ reason: 'cannot parse this photo', attempts: 4, group: name });
      // The other subject went on while the poison was being retried, not after it was dead-lettered.
      expect(poisonCallsWhenOthersDone).toHaveLength(others.length);
      expect(Math.max(...poisonCallsWhenOthersDone)).toBeLessThanOrEqual(2);
    });

    it("replays a group's dead letters to that group only", async () => {
      const catalogue = catalogueForTest();
      const bus = await newBus(catalogue);
      const [a, b] = [group('replay-a'), group('replay-b')];
      let broken = true;
      const byA: string[] = [];
      const byB: string[] = [];
      await bus.subscribe({
        group: a,
        maxAttempts: 1,
        handlers: {
          'photo.uploaded': async (event) => {
            if (broken) throw new Error('a bug, since fixed');
            byA.push(event.id);
          },
        },
      });
      await bus.subscribe({ group: b, handlers: { 'photo.uploaded': async (event) => void byB.push(event.id) } });
      const event = uploaded(catalogue);
      await bus.publish(event);
      await waitFor('the dead letter', async () => (await bus.deadLetters(a)).length === 1, joinTimeout);
      await waitFor('group B to handle it', () => byB.length === 1, joinTimeout);
      broken = false;
      expect(await bus.replayDeadLetters(a)).toBe(1);
      await waitFor('the replayed event', () => byA.includes(event.id), joinTimeout);
      expect(await bus.deadLetters(a)).toEqual([]);
      await sleep(500);
      expect(byA).toEqual([event.id]);
      expect(byB).toEqual([event.id]);
      expect(await bus.replayDeadLetters(b)).toBe(0);
    });

    it('hands over on stop: nothing acked comes back, nothing unacked is lost', async () => {
      const catalogue = catalogueForTest();
      const name = group('handover');
      const key = randomUUID();
      const events = Array.from({ length: 30 }, (_, n) => uploaded(catalogue, key, n));
      const publisher = await newBus(catalogue);
      for (const event of events) await publisher.publish(event);

      const doneByFirst: string[] = [];
      const first = await newBus(catalogue);
      const subscription: Subscription = await first.subscribe({
        group: name,
        handlers: {
          'photo.uploaded': async (event) => {
            await sleep(30);
            doneByFirst.push(event.id);
          },
        },
      });
      await waitFor('the first consumer to ack some', () => doneByFirst.length >= 8, joinTimeout);
      await subscription.stop();
      const ackedByFirst = [...doneByFirst];
      expect(ackedByFirst.length).toBeLessThan(events.length);

      const doneBySecond: string[] = [];
      const second = await newBus(catalogue);
      await second.subscribe({ group: name, handlers: { 'photo.uploaded': async (e) => void doneBySecond.push(e.id) } });
      await waitFor('the rest', () => doneBySecond.length >= events.length - ackedByFirst.length, joinTimeout);
      await sleep(500);
      expect(doneBySecond.filter((id) => ackedByFirst.includes(id))).toEqual([]);
      expect([...ackedByFirst, ...doneBySecond]).toEqual(events.map((e) => e.id));
    });

    if (harness.dropConnectionsFromBroker) {
      const drop = harness.dropConnectionsFromBroker;
      it('resumes by itself after the broker closes its connections', async () => {
        const catalogue = catalogueForTest();
        const bus = await newBus(catalogue);
        const handled: string[] = [];
        await bus.subscribe({ group: group('resilient'), handlers: { 'photo.uploaded': async (e) => void handled.push(e.id) } });
        const before = uploaded(catalogue);
        await bus.publish(before);
        await waitFor('the event before', () => handled.includes(before.id), joinTimeout);
        await drop();
        const after = uploaded(catalogue);
        await waitFor(
          'publishing to work again',
          async () =>
            bus.publish(after).then(
              () => true,
              () => false,
            ),
          20_000,
        );
        await waitFor('the event after', () => handled.includes(after.id), 20_000);
        await waitFor('health to come back', () => bus.isHealthy(), 20_000);
      });
    }
  });
}
