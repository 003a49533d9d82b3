/**
 * A service as server.ts wires it: the bus is created first with a late-bound telemetry, the app (real
 * pino logger, its own metrics registry) after, then attached. Over RabbitMQ in a vhost of its own.
 */
import { Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { EventCatalogue, photoFamilies, type PhotoFamily } from '@photos/contracts';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRabbitMqBus } from './adapters/rabbitmq-bus.js';
import { createBusTelemetry } from './bus-telemetry.js';
import { waitFor } from './conformance/wait-for.js';
import type { EventBus } from './event-bus.js';
import { createTestVhost } from './test-support/rabbitmq-vhost.js';
import { TransientFailure } from './transient-failure.js';

let url: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  ({ url, remove } = await createTestVhost('bus-telemetry'));
});

afterAll(async () => {
  await remove?.();
});

/** Log lines as JSON objects, as pino writes them. */
function lineCollector() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

/** The value of one series in Prometheus' text format, NaN when absent. */
const metricValue = (text: string, name: string, labels: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
};

describe('bus telemetry in a service', () => {
  let bus: EventBus | undefined;

  afterAll(async () => {
    await bus?.close();
  });

  it('logs the connection, retries and dead letters through the app logger, and counts them in the app registry', async () => {
    const catalogue = new EventCatalogue<PhotoFamily>(`telemetry-${randomUUID().slice(0, 8)}`, photoFamilies);
    const telemetry = createBusTelemetry();
    bus = await createRabbitMqBus({ url, catalogue, logger: telemetry.logger, metrics: telemetry.metrics });
    const { lines, stream } = lineCollector();
    // A service's logger and registry as service-kit makes them (which depends on this package, not the reverse).
    const app = {
      log: pino({ level: 'info', base: { service: 'telemetry-test' }, formatters: { level: (label) => ({ level: label }) } }, stream),
      metrics: new Registry(),
    };
    telemetry.attach(app.log.child({ component: 'bus' }), app.metrics);

    const group = 'telemetry';
    let transientLeft = 2;
    await bus.subscribe({
      group,
      maxAttempts: 3,
      backoff: { initialMs: 5, maxMs: 10 },
      transientMaxDelayMs: 10,
      handlers: {
        'photo.uploaded': async (event) => {
          if (event.data.filename === 'flaky.jpg' && transientLeft-- > 0) throw new TransientFailure('database unavailable');
          if (event.data.filename === 'broken.jpg') throw new Error('cannot parse this photo');
        },
      },
    });
    const publish = async (filename: string) => {
      const photoId = randomUUID();
      const uploadedAt = new Date().toISOString();
      const data = {
        photoId,
        ownerId: 'o',
        objectKey: `originals/o/${photoId}`,
        filename,
        contentType: 'image/jpeg',
        bytes: 1,
        sha256: 'a'.repeat(64),
        uploadedAt,
      };
      await bus!.publish(catalogue.create('photo.uploaded', photoId, data, { source: '/test' }));
    };
    await publish('flaky.jpg');
    await publish('broken.jpg');
    await waitFor('the dead letter', async () => (await bus!.deadLetters(group)).length === 1);

    const bySelf = lines.filter((line) => line['component'] === 'bus' && line['service'] === 'telemetry-test');
    // Logged before the app (and its logger) existed, replayed on attach.
    expect(bySelf).toContainEqual(expect.objectContaining({ level: 'info', msg: 'connected to RabbitMQ' }));
    expect(bySelf).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'a dependency of the event handler is unavailable; will retry', group, attempt: 1, transient: true }),
    );
    expect(bySelf).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'event handler failed; will retry', group, attempt: 2, nextDelayMs: expect.any(Number) }),
    );
    const deadLettered = bySelf.find((line) => line['level'] === 'error' && line['msg'] === 'event handler failed for good; dead-lettering');
    expect(deadLettered).toMatchObject({ group, attempt: 3, err: { message: 'cannot parse this photo' } });

    const metrics = await app.metrics.metrics();
    const type = 'photo.uploaded.v1';
    expect(metricValue(metrics, 'bus_events_published_total', `{type="${type}"}`)).toBe(2);
    expect(metricValue(metrics, 'bus_events_consumed_total', `{group="${group}",type="${type}",outcome="ack"}`)).toBe(1);
    expect(metricValue(metrics, 'bus_events_consumed_total', `{group="${group}",type="${type}",outcome="dead-letter"}`)).toBe(1);
    expect(metricValue(metrics, 'bus_handler_retries_total', `{group="${group}",transient="true"}`)).toBe(2);
    expect(metricValue(metrics, 'bus_handler_retries_total', `{group="${group}",transient="false"}`)).toBe(2);
    expect(metricValue(metrics, 'bus_dead_letters_total', `{group="${group}"}`)).toBe(1);

    expect(await bus.replayDeadLetters(group)).toBe(1);
    const after = await app.metrics.metrics();
    expect(metricValue(after, 'bus_dead_letters_replayed_total', `{group="${group}"}`)).toBe(1);
  });
});
