import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { BusLogger } from '../logger.js';
import { closeQuietly, declareGroup, membersQueue, partitionQueue } from './rabbitmq-topology.js';

/** One partition queue this replica consumes alone, on its own channel. */
export interface Claim {
  readonly partition: number;
  readonly channel: Channel;
  /** Set while handing the partition back: deliveries are left unacked for the broker to requeue. */
  releasing: boolean;
  /** Aborted when the channel died under the claim: its message will be redelivered, acking is moot. */
  readonly lost: AbortController;
  /** The message being handled, if any (prefetch 1: at most one). */
  inFlight: Promise<void> | undefined;
}

export interface PartitionClaimsOptions {
  model: ChannelModel;
  channel: string;
  group: string;
  partitions: number;
  /** A live group: transient queues that vanish after it stops, no parked history. */
  live: boolean;
  logger: BusLogger;
  rebalanceMs: number;
  /** True while a handler from an earlier connection still runs on the partition: claiming it would break its order. */
  isBusy(partition: number): boolean;
  onDelivery(claim: Claim, message: ConsumeMessage): void;
}

const ACCESS_REFUSED = 403;

/**
 * The consumer-group half of one replica on one connection. RabbitMQ 3.10 has no consumer groups, so
 * replicas split the partition queues among themselves: each counts the live replicas (consumers of the
 * group's membership queue), takes its fair share ceil(N / replicas) of partitions with exclusive
 * consumers, and gives back what is above its share. Exclusive consumers keep each partition with one
 * replica; prefetch 1 keeps it in order.
 */
export class PartitionClaims {
  private readonly claims = new Map<number, Claim>();
  private control: Channel | undefined;
  private membership: Channel | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> = Promise.resolve();
  private done = false;

  constructor(private readonly options: PartitionClaimsOptions) {}

  /** Declares the group, joins it and makes the first claim pass. */
  async start(): Promise<void> {
    const { model, channel, group, partitions, live, logger } = this.options;
    const control = await this.controlChannel();
    const adopted = await declareGroup(model, control, channel, group, partitions, live);
    if (adopted > 0) logger.info({ group, adopted }, 'new group: adopted the events published before any group existed');
    await this.join();
    this.pass = this.rebalance();
    await this.pass;
    this.schedule();
  }

  /** Stops claiming, hands back every partition once its handler is done, and leaves the group. */
  async stop(): Promise<void> {
    this.done = true;
    clearTimeout(this.timer);
    await this.pass;
    await Promise.all([...this.claims.values()].map((claim) => this.release(claim)));
    await closeQuietly(this.membership);
    await closeQuietly(this.control);
  }

  /** The connection is gone, and with it every channel: nothing to close, only in-flight work to abandon. */
  lose(): void {
    this.done = true;
    clearTimeout(this.timer);
    for (const claim of this.claims.values()) claim.lost.abort();
  }

  /** Becomes one of the consumers of the membership queue, which is how the other replicas count this one. */
  private async join(): Promise<void> {
    const { model, channel, group, logger } = this.options;
    const membership = await model.createChannel();
    membership.on('error', (err: Error) => logger.warn({ err, group }, 'RabbitMQ membership channel error'));
    membership.on('close', () => {
      if (this.membership === membership) this.membership = undefined;
    });
    this.membership = membership;
    await membership.consume(membersQueue(channel, group), () => undefined, { noAck: true });
  }

  private schedule(): void {
    if (this.done) return;
    this.timer = setTimeout(() => {
      this.pass = this.rebalance().finally(() => this.schedule());
    }, this.options.rebalanceMs);
  }

  private async rebalance(): Promise<void> {
    const { channel, group, partitions, logger } = this.options;
    try {
      const control = await this.controlChannel();
      if (!this.membership) await this.join();
      const { consumerCount: replicas } = await control.checkQueue(membersQueue(channel, group));
      const share = Math.ceil(partitions / Math.max(replicas, 1));
      const held = [...this.claims.values()].filter((claim) => !claim.releasing);
      if (held.length > share) {
        // Idle partitions first, so the hand-over does not wait on a slow handler.
        const surplus = held.sort((a, b) => Number(a.inFlight !== undefined) - Number(b.inFlight !== undefined)).slice(0, held.length - share);
        logger.debug({ group, replicas, share, releasing: surplus.map((c) => c.partition) }, 'releasing partitions above fair share');
        for (const claim of surplus) void this.release(claim);
        return;
      }
      // A random starting point keeps replicas that start together from racing for the same queues.
      const offset = Math.floor(Math.random() * partitions);
      for (let i = 0; i < partitions && held.length < share && !this.done; i++) {
        const partition = (offset + i) % partitions;
        if (this.claims.has(partition) || this.options.isBusy(partition)) continue;
        const { consumerCount } = await control.checkQueue(partitionQueue(channel, group, partition));
        if (consumerCount > 0) continue;
        const claim = await this.claim(partition);
        if (claim) held.push(claim);
      }
    } catch (err) {
      if (!this.done) logger.warn({ err, group }, 'partition rebalance failed; will retry');
    }
  }

  private async claim(partition: number): Promise<Claim | undefined> {
    const { model, channel, group, logger } = this.options;
    const ch = await model.createChannel();
    const claim: Claim = { partition, channel: ch, releasing: false, lost: new AbortController(), inFlight: undefined };
    ch.on('error', (err: Error & { code?: number }) => {
      if (err.code !== ACCESS_REFUSED) logger.warn({ err, group, partition }, 'RabbitMQ partition channel error');
    });
    ch.on('close', () => this.forget(claim));
    // The broker cancels the consumer if the queue is deleted; the claim is then worthless.
    ch.on('cancel', () => void closeQuietly(ch));
    this.claims.set(partition, claim);
    try {
      await ch.prefetch(1);
      await ch.consume(partitionQueue(channel, group, partition), (message) => message && this.options.onDelivery(claim, message), { exclusive: true });
    } catch (err) {
      // 403: another replica took it between checkQueue and consume. It closed this channel; try later.
      if ((err as { code?: number }).code !== ACCESS_REFUSED) logger.warn({ err, group, partition }, 'cannot claim partition');
      this.claims.delete(partition);
      await closeQuietly(ch);
      return undefined;
    }
    if (this.done) {
      await this.release(claim);
      return undefined;
    }
    logger.debug({ group, partition }, 'claimed partition');
    return claim;
  }

  /** Stops taking messages, lets the in-flight one finish and be acked, then closes the channel (the broker requeues the rest). */
  private async release(claim: Claim): Promise<void> {
    if (claim.releasing) return;
    claim.releasing = true;
    await claim.inFlight;
    await closeQuietly(claim.channel);
    this.forget(claim);
  }

  /** A closed channel: drop the claim once its in-flight message has settled, so nobody claims the partition mid-message. */
  private forget(claim: Claim): void {
    claim.releasing = true;
    if (claim.inFlight) claim.lost.abort();
    void Promise.resolve(claim.inFlight).then(() => {
      if (this.claims.get(claim.partition) === claim) this.claims.delete(claim.partition);
    });
  }

  private async controlChannel(): Promise<Channel> {
    if (this.control) return this.control;
    const control = await this.options.model.createChannel();
    control.on('error', (err: Error) => this.options.logger.warn({ err, group: this.options.group }, 'RabbitMQ control channel error'));
    control.on('close', () => {
      if (this.control === control) this.control = undefined;
    });
    this.control = control;
    return control;
  }
}
