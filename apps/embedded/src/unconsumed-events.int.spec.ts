import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { photoCatalogue, type PhotoDeleted } from '@photos/contracts';
import { createMemoryBus, MemoryBroker, PermanentFailure, type EventBus } from '@photos/event-bus';
import { afterAll, describe, expect, it } from 'vitest';
import { UnconsumedEvents } from './unconsumed-events.js';

const dir = mkdtempSync(join(tmpdir(), 'unconsumed-events-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const deleted = (): PhotoDeleted => {
  const photoId = randomUUID();
  return photoCatalogue.create('photo.deleted', photoId, { photoId, ownerId: 'u1', deletedAt: new Date().toISOString() }, { source: '/test' });
};

/** A broker of one partition (one order) and a bus over it whose durable groups are tracked. */
function platform(file: string) {
  const broker = new MemoryBroker(1);
  const events = new UnconsumedEvents(broker, file);
  const bus: EventBus = events.track(createMemoryBus({ broker, catalogue: photoCatalogue }));
  const received = (group: string, options: { live?: boolean; refuse?: string } = {}) => {
    const ids: string[] = [];
    const subscription = bus.subscribe({
      group,
      ...(options.live ? { live: true } : {}),
      handlers: {
        'photo.deleted': async (event) => {
          if (event.id === options.refuse) throw new PermanentFailure('refused by the test');
          ids.push(event.id);
        },
      },
    });
    return { ids, subscription };
  };
  return { broker, events, bus, received };
}

const until = async (check: () => boolean | Promise<boolean>) => {
  for (const deadline = Date.now() + 5_000; !(await check()); await new Promise((r) => setTimeout(r, 5))) {
    if (Date.now() > deadline) throw new Error('timed out');
  }
};

describe('UnconsumedEvents', () => {
  it('keeps what a durable group has not consumed, and a replay for its group only, across a restart', async () => {
    const file = join(dir, 'restart.jsonl');
    const [first, second, third] = [deleted(), deleted(), deleted()];
    const before = platform(file);
    const a = before.received('a', { refuse: first.id }); // dead-letters the first event
    const b = before.received('b');
    const live = before.received('live', { live: true });
    await before.bus.publish(first);
    await until(() => b.ids.length === 1);
    await until(async () => (await before.bus.deadLetters('a')).length === 1);
    await (await a.subscription).stop();
    expect(await before.bus.replayDeadLetters('a')).toBe(1); // waits for 'a', which is stopped
    await before.bus.publish(second);
    await before.bus.publish(third);
    await until(() => b.ids.length === 3 && live.ids.length === 3);
    await before.bus.close();

    expect(before.events.save()).toBe(3); // second and third for everyone, first replayed to 'a'

    const after = platform(file);
    expect(after.events.restore()).toBe(3);
    const a2 = after.received('a');
    const b2 = after.received('b');
    const live2 = after.received('live', { live: true });
    await until(() => a2.ids.length === 3 && b2.ids.length === 2);
    expect(a2.ids).toEqual([first.id, second.id, third.id]);
    expect(b2.ids).toEqual([second.id, third.id]); // a repeat for 'b', deduped by its consumer in real life
    expect(live2.ids).toEqual([]); // live subscriptions start at the end
    await after.bus.close();
  });

  it('saves nothing once every durable group has consumed everything, and restores nothing from no file', async () => {
    const { bus, events, received } = platform(join(dir, 'drained.jsonl'));
    const a = received('a');
    await bus.publish(deleted());
    await until(() => a.ids.length === 1);
    await bus.close();
    expect(events.save()).toBe(0);
    expect(platform(join(dir, 'absent.jsonl')).events.restore()).toBe(0);
  });

  it('keeps everything when no durable group ever subscribed (a start that failed early)', async () => {
    const { bus, events } = platform(join(dir, 'early.jsonl'));
    await bus.publish(deleted());
    expect(events.save()).toBe(1);
  });
});
