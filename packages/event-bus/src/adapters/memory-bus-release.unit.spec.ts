import { randomUUID } from 'node:crypto';
import { photoCatalogue, type PhotoDeleted } from '@photos/contracts';
import { describe, expect, it } from 'vitest';
import { createMemoryBus, MemoryBroker } from './memory-bus.js';

const deleted = (): PhotoDeleted => {
  const photoId = randomUUID();
  return photoCatalogue.create('photo.deleted', photoId, { photoId, ownerId: 'u1', deletedAt: new Date().toISOString() }, { source: '/test' });
};

async function setUp() {
  const broker = new MemoryBroker(1);
  const bus = createMemoryBus({ broker, catalogue: photoCatalogue });
  const received = (group: string) => {
    const ids: string[] = [];
    return { ids, subscription: bus.subscribe({ group, handlers: { 'photo.deleted': async (event) => void ids.push(event.id) } }) };
  };
  const slots = () => broker.logs.get(photoCatalogue.channel)![0]!.map((message) => message !== undefined);
  const until = async (check: () => boolean) => {
    for (const deadline = Date.now() + 5_000; !check(); await new Promise((r) => setTimeout(r, 5))) {
      if (Date.now() > deadline) throw new Error('timed out');
    }
  };
  return { broker, bus, received, slots, until };
}

describe('MemoryBroker.releaseConsumed', () => {
  it('frees what every group has committed, not what one group still has to read', async () => {
    const { broker, bus, received, slots, until } = await setUp();
    const a = received('a');
    const b = received('b');
    await (await b.subscription).stop(); // b has read nothing and will come back
    const events = [deleted(), deleted(), deleted()];
    for (const event of events) await bus.publish(event);
    await until(() => a.ids.length === 3);
    broker.releaseConsumed();
    expect(slots()).toEqual([true, true, true]);

    const b2 = received('b');
    await until(() => b2.ids.length === 3);
    expect(b2.ids).toEqual(events.map((e) => e.id));
    expect(slots()).toEqual([false, false, false]);
    await bus.close();
  });

  it('keeps every message until asked (a group that subscribes later reads from the start)', async () => {
    const { bus, received, slots, until } = await setUp();
    const a = received('a');
    await bus.publish(deleted());
    await until(() => a.ids.length === 1);
    expect(slots()).toEqual([true]);
    const late = received('late');
    await until(() => late.ids.length === 1);
    await bus.close();
  });

  it('starts a group created after a release at the first message kept', async () => {
    const { broker, bus, received, until } = await setUp();
    const a = received('a');
    await bus.publish(deleted());
    await until(() => a.ids.length === 1);
    broker.releaseConsumed();
    const next = deleted();
    await bus.publish(next);
    const late = received('late');
    await until(() => late.ids.length === 1 && a.ids.length === 2);
    expect(late.ids).toEqual([next.id]);
    await bus.close();
  });
});
