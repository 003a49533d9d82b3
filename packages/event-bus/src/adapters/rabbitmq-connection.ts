import { connect, type ChannelModel, type ConfirmChannel, type Options } from 'amqplib';
import type { BusLogger } from '../logger.js';
import { declareExchange } from './rabbitmq-topology.js';

/** Told when a connection is ready (topology declared, publish channel open) and when it is lost. */
export interface ConnectionListener {
  connected(model: ChannelModel): Promise<void>;
  disconnected(): void;
}

const INITIAL_DELAY_MS = 100;
const MAX_DELAY_MS = 5_000;
const REOPEN_DELAY_MS = 500;

/**
 * One AMQP connection that comes back by itself. amqplib's own recovery option is not used: after a
 * reconnect the bus must redeclare topology and claim partitions afresh in a known order, which is
 * simpler to get right with the whole sequence in one place.
 */
export class RabbitMqConnection {
  /** The live connection, set as soon as it is open (setup may still be running). */
  private model: ChannelModel | undefined;
  private publisher: ConfirmChannel | undefined;
  private closed = false;
  private delayMs = INITIAL_DELAY_MS;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly exchange: string,
    private readonly listener: ConnectionListener,
    private readonly logger: BusLogger,
  ) {}

  /** Makes the first attempt; resolves either way (on failure it keeps retrying in the background). */
  start(): Promise<void> {
    return this.connect();
  }

  /** The connection once its publish channel is open; undefined while down or reconnecting. */
  get ready(): ChannelModel | undefined {
    return this.publisher ? this.model : undefined;
  }

  get healthy(): boolean {
    return this.publisher !== undefined;
  }

  /** Publishes on the confirm channel; resolves once the broker confirmed, rejects at once while down. */
  publish(exchange: string, routingKey: string, body: Buffer, options: Options.Publish): Promise<void> {
    const publisher = this.publisher;
    if (!publisher) return Promise.reject(new Error('not connected to RabbitMQ'));
    return new Promise((resolve, reject) => {
      try {
        publisher.publish(exchange, routingKey, body, options, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
      } catch (err) {
        reject(err);
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const model = this.model;
    this.model = undefined;
    this.publisher = undefined;
    try {
      await model?.close();
    } catch {
      // the broker already closed it
    }
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    let model: ChannelModel;
    try {
      model = await connect(this.url, { timeout: 5_000, clientProperties: { connection_name: `event-bus ${this.exchange}` } });
    } catch (err) {
      this.logger.warn({ err, retryInMs: this.delayMs }, 'cannot connect to RabbitMQ; will retry');
      this.scheduleReconnect();
      return;
    }
    if (this.closed) {
      await model.close().catch(() => undefined);
      return;
    }
    this.model = model;
    model.on('error', (err: Error) => this.logger.warn({ err }, 'RabbitMQ connection error'));
    model.on('close', () => this.onClose(model));
    try {
      await this.openPublisher(model);
      this.delayMs = INITIAL_DELAY_MS;
      this.logger.info({ exchange: this.exchange }, 'connected to RabbitMQ');
      await this.listener.connected(model);
    } catch (err) {
      // Closing makes onClose schedule the next attempt.
      this.logger.warn({ err }, 'RabbitMQ connection setup failed; reconnecting');
      await model.close().catch(() => undefined);
    }
  }

  private async openPublisher(model: ChannelModel): Promise<void> {
    const publisher = await model.createConfirmChannel();
    publisher.on('error', (err: Error) => this.logger.warn({ err }, 'RabbitMQ publish channel error'));
    publisher.on('close', () => {
      if (this.publisher === publisher) this.publisher = undefined;
      // A channel-level error leaves the connection up: reopen the channel rather than the connection.
      // Deferred, because channels also close just before their connection does.
      setTimeout(() => {
        if (this.closed || this.model !== model || this.publisher) return;
        this.openPublisher(model).catch((err: unknown) => this.logger.warn({ err }, 'cannot reopen the RabbitMQ publish channel'));
      }, REOPEN_DELAY_MS);
    });
    await declareExchange(publisher, this.exchange);
    if (this.model === model) this.publisher = publisher;
  }

  private onClose(model: ChannelModel): void {
    if (this.model !== model) return;
    this.model = undefined;
    this.publisher = undefined;
    if (this.closed) return;
    this.logger.warn({ retryInMs: this.delayMs }, 'RabbitMQ connection lost; reconnecting');
    this.listener.disconnected();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.connect(), this.delayMs);
    this.delayMs = Math.min(MAX_DELAY_MS, this.delayMs * 2);
  }
}
