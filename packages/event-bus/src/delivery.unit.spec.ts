import { photoCatalogue, type PhotoUploaded } from '@photos/contracts';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BusMetrics } from './bus-metrics.js';
import { toBinary } from './cloudevents-binary.js';
import { deliver, type DeliveryOptions } from './delivery.js';
import type { EventHandler } from './event-bus.js';
import type { BusLogger } from './logger.js';
import { TransientFailure } from './transient-failure.js';

const photoId = '0b7e7f0e-8f3c-4d57-9b2a-6a1f1f6a0c11';
const event: PhotoUploaded = photoCatalogue.create(
  'photo.uploaded',
  photoId,
  {
    photoId,
    ownerId: 'owner-1',
    objectKey: `originals/owner-1/${photoId}`,
    filename: 'a.jpg',
    contentType: 'image/jpeg',
    bytes: 1,
    sha256: 'a'.repeat(64),
    uploadedAt: '2026-01-01T00:00:00.000Z',
  },
  { source: '/test' },
);
const { headers, body } = toBinary(event, 'ce_');

function recordingLogger() {
  const lines: { level: string; object: Record<string, unknown>; message: string }[] = [];
  const at = (level: string) => (object: object, message: string) => void lines.push({ level, object: object as Record<string, unknown>, message });
  const logger: BusLogger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

function options(handler: EventHandler<PhotoUploaded>, overrides: Partial<DeliveryOptions> = {}): DeliveryOptions {
  return {
    catalogue: photoCatalogue,
    prefix: 'ce_',
    group: 'g',
    handlers: { 'photo.uploaded': handler },
    maxAttempts: 3,
    backoff: { initialMs: 1, maxMs: 1 },
    horizonMs: 60_000,
    transientMaxDelayMs: 1,
    signal: new AbortController().signal,
    logger: recordingLogger().logger,
    ...overrides,
  };
}

describe('deliver', () => {
  it('warns on the 1st, 2nd, 4th, 8th... transient retry only, and counts every retry as transient', async () => {
    const { logger, lines } = recordingLogger();
    const registry = new Registry();
    let calls = 0;
    const outcome = await deliver(
      headers,
      body,
      options(
        async () => {
          if (++calls <= 40) throw new TransientFailure('database unavailable');
        },
        { logger, metrics: new BusMetrics(registry) },
      ),
    );
    expect(outcome).toEqual({ kind: 'ack', type: event.type });
    const warnings = lines.filter((l) => l.level === 'warn');
    expect(warnings.map((l) => l.object['attempt'])).toEqual([1, 2, 4, 8, 16, 32]);
    expect(warnings[0]!.object).toMatchObject({ group: 'g', eventId: event.id, transient: true, nextDelayMs: expect.any(Number) });
    const retries = (await registry.getSingleMetric('bus_handler_retries_total')!.get()).values;
    expect(retries).toEqual([{ labels: { group: 'g', transient: 'true' }, value: 40 }]);
  });

  it('counts only non-transient failures toward maxAttempts', async () => {
    let calls = 0;
    const outcome = await deliver(
      headers,
      body,
      options(async () => {
        calls++;
        throw calls % 2 === 0 ? new Error('bug') : new TransientFailure('down');
      }),
    );
    expect(outcome).toMatchObject({ kind: 'dead-letter', reason: 'bug', attempts: 6 });
  });

  it('keeps the horizon of a streak begun in an earlier delivery (a redelivered message)', async () => {
    let now = 1_000_000;
    const outcome = await deliver(
      headers,
      body,
      options(
        async () => {
          now += 10;
          throw new TransientFailure('down');
        },
        {
          horizonMs: 5_000,
          retryingSince: now - 4_995,
          now: () => now,
        },
      ),
    );
    expect(outcome).toMatchObject({ kind: 'dead-letter', reason: 'transient failure outlasted the retry horizon (5000 ms): down', attempts: 1 });
  });

  it('abandons, without dead-lettering, a handler that gave up because the subscription stops', async () => {
    const abort = new AbortController();
    const outcome = await deliver(
      headers,
      body,
      options(
        async () => {
          abort.abort();
          throw new Error('aborted');
        },
        { signal: abort.signal, maxAttempts: 1 },
      ),
    );
    expect(outcome).toEqual({ kind: 'abandon' });
  });

  it('keeps the consumer alive during retries, and abandons with the cause when that fails', async () => {
    let beats = 0;
    const rebalancing = new Error('The group is rebalancing');
    const outcome = await deliver(
      headers,
      body,
      options(
        async () => {
          throw new TransientFailure('down');
        },
        {
          transientMaxDelayMs: 20,
          keepAliveEveryMs: 5,
          keepAlive: async () => {
            if (++beats >= 4) throw rebalancing;
          },
        },
      ),
    );
    expect(outcome).toMatchObject({ kind: 'abandon', error: rebalancing, retryingSince: expect.any(Number) });
  });
});
