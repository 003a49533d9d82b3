import type { CloudEvent, EventCatalogue } from '@photos/contracts';
import { toBinary } from '../cloudevents-binary.js';
import { publishTraced } from '../tracing.js';
import { deadLetterHeaders, originalHeaders, parseDeadLetter } from '../dead-letter.js';
import type { BusMetrics } from '../bus-metrics.js';
import { deliver, retryPolicyOf, type RetryPolicy } from '../delivery.js';
import type { EventBus, SubscribeOptions, Subscription } from '../event-bus.js';
import { silentLogger, type BusLogger } from '../logger.js';
import { partitionOf } from '../partition.js';

interface StoredMessage {
  key: string;
  headers: Record<string, string>;
  body: Buffer;
}

interface Member {
  options: SubscribeOptions;
  concurrency: number;
  inFlight: number;
  abort: AbortController;
  idle: (() => void) | undefined;
}

interface PartitionState {
  offset: number;
  busy: boolean;
  owner: Member | undefined;
}

interface Group {
  partitions: PartitionState[];
  members: Member[];
  deadLetters: StoredMessage[];
  /** Replayed dead letters per partition, for this group only; taken before the partition's log. */
  replays: StoredMessage[][];
}

/**
 * An in-process broker with Kafka's model: a log per partition, a committed offset per group and
 * partition, partitions spread over the members of a group. One broker is shared by every bus of the
 * process (the embedded mode); tests create one each.
 *
 * After {@link MemoryBroker.releaseConsumed}, a message every group of its channel has committed is
 * released (its slot stays, empty, so offsets do not move): a long-running process would otherwise keep
 * every event it ever carried (about 3 KiB per photo). A group created later starts at the first message
 * not released, so this is for once every group that must see the older messages has subscribed.
 */
export class MemoryBroker {
  readonly logs = new Map<string, (StoredMessage | undefined)[][]>();
  readonly groups = new Map<string, Group>();
  /** Per channel and partition: the offsets below this one are released. */
  private readonly releasedBelow = new Map<string, number[]>();
  private releasing = false;

  constructor(readonly partitions = 8) {}

  log(channel: string): (StoredMessage | undefined)[][] {
    let log = this.logs.get(channel);
    if (!log) {
      log = Array.from({ length: this.partitions }, () => []);
      this.logs.set(channel, log);
    }
    return log;
  }

  group(channel: string, name: string): Group {
    const id = `${channel}\u0000${name}`;
    let group = this.groups.get(id);
    if (!group) {
      const released = this.released(channel);
      const partitions = Array.from({ length: this.partitions }, (_, index) => ({ offset: released[index]!, busy: false, owner: undefined }));
      group = { partitions, members: [], deadLetters: [], replays: Array.from({ length: this.partitions }, () => []) };
      this.groups.set(id, group);
    }
    return group;
  }

  private released(channel: string): number[] {
    let released = this.releasedBelow.get(channel);
    if (!released) {
      released = Array.from({ length: this.partitions }, () => 0);
      this.releasedBelow.set(channel, released);
    }
    return released;
  }

  /** From now on, releases every message all groups of its channel have committed (see above). */
  releaseConsumed(): void {
    this.releasing = true;
    for (const channel of this.logs.keys()) for (let partition = 0; partition < this.partitions; partition++) this.release(channel, partition);
  }

  /** Releases the messages of one partition that every group of the channel has committed, once asked to. */
  release(channel: string, partition: number): void {
    if (!this.releasing) return;
    let committed = Number.POSITIVE_INFINITY;
    for (const [id, group] of this.groups) {
      if (id.startsWith(`${channel}\u0000`)) committed = Math.min(committed, group.partitions[partition]!.offset);
    }
    if (committed === Number.POSITIVE_INFINITY) return; // no group yet: nothing is committed
    const log = this.log(channel)[partition]!;
    const released = this.released(channel);
    for (let offset = released[partition]!; offset < Math.min(committed, log.length); offset++) log[offset] = undefined;
    released[partition] = Math.max(released[partition]!, Math.min(committed, log.length));
  }

  /** Appends a message to its partition and wakes the consumers. */
  append(channel: string, message: StoredMessage): void {
    this.log(channel)[partitionOf(message.key, this.partitions)]!.push(message);
    this.wake.forEach((pump) => pump());
  }

  /** Gives a message to one group again, on its partition, and wakes the consumers. */
  replay(channel: string, group: string, message: StoredMessage): void {
    this.group(channel, group).replays[partitionOf(message.key, this.partitions)]!.push(message);
    this.wake.forEach((pump) => pump());
  }

  readonly wake = new Set<() => void>();
}

export interface MemoryBusOptions {
  broker: MemoryBroker;
  catalogue: EventCatalogue;
  logger?: BusLogger;
  metrics?: BusMetrics;
  /** Defaults of every subscription's retry policy (see SubscribeOptions). */
  retry?: Partial<RetryPolicy>;
}

/** The in-memory adapter: same semantics as Kafka, without a network. */
export function createMemoryBus({ broker, catalogue, logger = silentLogger, metrics, retry }: MemoryBusOptions): EventBus {
  const channel = catalogue.channel;
  const subscriptions = new Set<Subscription>();

  function subscribe(options: SubscribeOptions): Promise<Subscription> {
    const isNewGroup = !broker.groups.has(`${channel}\u0000${options.group}`);
    const group = broker.group(channel, options.group);
    const log = broker.log(channel);
    if (options.live && isNewGroup) group.partitions.forEach((partition, index) => (partition.offset = log[index]!.length));
    const member: Member = {
      options,
      concurrency: options.concurrency ?? 1,
      inFlight: 0,
      abort: new AbortController(),
      idle: undefined,
    };

    const rebalance = () => {
      group.partitions.forEach((partition, index) => {
        partition.owner = group.members[index % Math.max(group.members.length, 1)];
      });
    };

    // Start each pass at the next partition, so no partition's backlog waits behind the others'.
    let start = 0;
    const pump = () => {
      const count = group.partitions.length;
      start = (start + 1) % count;
      group.partitions.forEach((_, offset) => {
        const index = (start + offset) % count;
        const partition = group.partitions[index]!;
        const owner = partition.owner;
        const replay = group.replays[index]![0];
        const message = replay ?? log[index]![partition.offset];
        if (!owner || partition.busy || !message || owner.inFlight >= owner.concurrency) return;
        partition.busy = true;
        owner.inFlight++;
        void deliver(message.headers, message.body, {
          catalogue,
          prefix: 'ce_',
          group: options.group,
          handlers: owner.options.handlers,
          ...retryPolicyOf(owner.options, retry),
          signal: owner.abort.signal,
          logger,
          metrics,
        }).then((outcome) => {
          if (outcome.kind === 'dead-letter') {
            group.deadLetters.push({ ...message, headers: deadLetterHeaders(message.headers, options.group, outcome.reason, outcome.attempts) });
          }
          if (outcome.kind !== 'abandon') {
            metrics?.consumed(options.group, outcome.type, outcome.kind);
            if (replay) group.replays[index]!.shift();
            else {
              partition.offset++;
              broker.release(channel, index);
            }
          }
          partition.busy = false;
          owner.inFlight--;
          if (owner.inFlight === 0) owner.idle?.();
          queueMicrotask(pump);
        });
      });
    };

    group.members.push(member);
    rebalance();
    broker.wake.add(pump);
    queueMicrotask(pump);

    const subscription: Subscription = {
      async stop() {
        if (!group.members.includes(member)) return;
        group.members.splice(group.members.indexOf(member), 1);
        rebalance();
        member.abort.abort();
        if (member.inFlight > 0) await new Promise<void>((resolve) => (member.idle = resolve));
        broker.wake.delete(pump);
        subscriptions.delete(subscription);
        broker.wake.forEach((wake) => wake());
      },
    };
    subscriptions.add(subscription);
    return Promise.resolve(subscription);
  }

  return {
    publish(event: CloudEvent) {
      return publishTraced(event, { system: 'memory', destination: channel }, async (traced) => {
        catalogue.assertValid(traced);
        broker.append(channel, toBinary(traced, 'ce_'));
        metrics?.published(traced.type);
      });
    },
    subscribe,
    async deadLetters(group, limit = 100) {
      return broker
        .group(channel, group)
        .deadLetters.slice(0, limit)
        .map((m) => parseDeadLetter(m.headers, m.body, 'ce_', catalogue));
    },
    async replayDeadLetters(group, limit = Number.POSITIVE_INFINITY) {
      const letters = broker.group(channel, group).deadLetters;
      const replayed = letters.splice(0, Math.min(limit, letters.length));
      for (const letter of replayed) broker.replay(channel, group, { ...letter, headers: originalHeaders(letter.headers) });
      metrics?.replayed(group, replayed.length);
      return replayed.length;
    },
    async isHealthy() {
      return true;
    },
    async close() {
      await Promise.all([...subscriptions].map((s) => s.stop()));
    },
  };
}
