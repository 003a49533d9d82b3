import { photoCatalogue, type PhotoUploaded } from '@photos/contracts';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BusMetrics } from './bus-metrics.js';
import { toBinary } from './cloudevents-binary.js';
import { deliver, retryPolicyOf, type DeliveryOptions } from './delivery.js';
import type { EventHandler } from './event-bus.js';
import type { BusLogger } from './logger.js';
import { PermanentFailure } from './permanent-failure.js';
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

afterEach(() => {
  vi.restoreAllMocks();
});

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
    expect(outcome).toStrictEqual({ kind: 'abandon' });
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

  it('dead-letters an undecodable message and an invalid event at once, without calling the handler', async () => {
    let calls = 0;
    const handler = async () => void calls++;
    const undecodable = await deliver(headers, Buffer.from('{not json'), options(handler));
    expect(undecodable).toMatchObject({ kind: 'dead-letter', attempts: 0, event: undefined, type: undefined });
    expect((undecodable as { reason: string }).reason).toMatch(/^undecodable message: ./);
    const invalid = toBinary({ ...event, data: { ...event.data, bytes: 'many', sha256: 'short' } } as unknown as PhotoUploaded, 'ce_');
    const outcome = await deliver(invalid.headers, invalid.body, options(handler));
    expect(outcome).toMatchObject({ kind: 'dead-letter', attempts: 0, event: undefined, type: event.type });
    expect((outcome as { reason: string }).reason).toMatch(/^invalid event: .+; ./);
    const { ce_type: _type, ...untyped } = headers;
    expect(await deliver(untyped, body, options(handler))).toMatchObject({ kind: 'dead-letter', type: undefined });
    expect(calls).toBe(0);
  });

  it('acknowledges an event no handler of the subscription wants', async () => {
    const outcome = await deliver(headers, body, { ...options(async () => undefined), handlers: {} });
    expect(outcome).toEqual({ kind: 'ack', type: event.type });
  });

  it('dead-letters a PermanentFailure on its first try, logging why', async () => {
    const { logger, lines } = recordingLogger();
    const outcome = await deliver(
      headers,
      body,
      options(async () => Promise.reject(new PermanentFailure('photo gone')), { logger, maxAttempts: 5 }),
    );
    expect(outcome).toEqual({ kind: 'dead-letter', reason: 'photo gone', attempts: 1, event, type: event.type });
    expect(lines).toEqual([
      {
        level: 'error',
        message: 'event handler failed for good; dead-lettering',
        object: expect.objectContaining({ group: 'g', eventId: event.id, type: event.type, subject: event.subject, attempt: 1 }),
      },
    ]);
  });

  it('retries a failing handler maxAttempts times with capped exponential backoff, warning each time', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const { logger, lines } = recordingLogger();
    const registry = new Registry();
    const attempts: number[] = [];
    const outcome = await deliver(
      headers,
      body,
      options(
        async (_event, { attempt }) => {
          attempts.push(attempt);
          throw 'not an Error';
        },
        { logger, metrics: new BusMetrics(registry), maxAttempts: 4, backoff: { initialMs: 2, maxMs: 5 } },
      ),
    );
    expect(outcome).toMatchObject({ kind: 'dead-letter', reason: 'not an Error', attempts: 4 });
    expect(attempts).toEqual([1, 2, 3, 4]);
    const warnings = lines.filter((l) => l.level === 'warn');
    expect(warnings.map((l) => l.message)).toEqual(Array(3).fill('event handler failed; will retry'));
    expect(warnings.map((l) => l.object['nextDelayMs'])).toEqual([2, 4, 5]);
    expect(warnings[0]!.object).toMatchObject({ transient: false, attempt: 1, err: 'not an Error' });
    expect(lines.at(-1)).toMatchObject({ level: 'error', message: 'event handler failed for good; dead-lettering', object: { attempt: 4 } });
    const retries = (await registry.getSingleMetric('bus_handler_retries_total')!.get()).values;
    expect(retries).toEqual([{ labels: { group: 'g', transient: 'false' }, value: 3 }]);
  });

  it('backs transient retries off up to transientMaxDelayMs, and never past the horizon', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const { logger, lines } = recordingLogger();
    let now = 1_000;
    const outcome = await deliver(
      headers,
      body,
      options(
        async () => {
          now += 1_000;
          throw new TransientFailure('down');
        },
        { logger, now: () => now, backoff: { initialMs: 1, maxMs: 1 }, transientMaxDelayMs: 3, horizonMs: 3_002 },
      ),
    );
    const retries = lines.filter((l) => l.message === 'a dependency of the event handler is unavailable; will retry');
    expect(retries.map((l) => [l.level, l.object['retryingForMs'], l.object['nextDelayMs']])).toEqual([
      ['warn', 0, 1],
      ['warn', 1_000, 2],
      ['debug', 2_000, 3],
      ['warn', 3_000, 2],
    ]);
    expect(outcome).toMatchObject({ kind: 'dead-letter', reason: 'transient failure outlasted the retry horizon (3002 ms): down', attempts: 5 });
    expect(lines.at(-1)).toMatchObject({ level: 'error', message: 'a dependency stayed unavailable past the retry horizon; dead-lettering' });
  });

  it('dead-letters a transient failure once the horizon is reached exactly, not a millisecond before', async () => {
    const once = async (retryingSince: number) => {
      let calls = 0;
      const outcome = await deliver(
        headers,
        body,
        options(
          async () => {
            if (++calls === 1) throw new TransientFailure('down');
          },
          { horizonMs: 5_000, retryingSince, now: () => 10_000 },
        ),
      );
      return outcome.kind;
    };
    expect(await once(5_000)).toBe('dead-letter');
    expect(await once(5_001)).toBe('ack');
  });

  it('abandons an event whose subscription stopped before its first try, keeping the streak start', async () => {
    const abort = new AbortController();
    abort.abort();
    let calls = 0;
    const handler = async () => void calls++;
    expect(await deliver(headers, body, options(handler, { signal: abort.signal, retryingSince: 7 }))).toStrictEqual({ kind: 'abandon', retryingSince: 7 });
    expect(await deliver(headers, body, options(handler, { signal: abort.signal }))).toStrictEqual({ kind: 'abandon' });
    expect(calls).toBe(0);
  });

  it('keeps the streak start when a handler gives up because the subscription stops after transient failures', async () => {
    const abort = new AbortController();
    let calls = 0;
    const handler = async () => {
      if (++calls === 2) abort.abort();
      throw new TransientFailure('down');
    };
    const outcome = await deliver(headers, body, options(handler, { signal: abort.signal, now: () => 42 }));
    expect(outcome).toStrictEqual({ kind: 'abandon', retryingSince: 42 });
  });

  it('stops waiting for a retry as soon as the subscription stops', async () => {
    const abort = new AbortController();
    const outcome = await deliver(
      headers,
      body,
      options(
        async () => {
          setTimeout(() => abort.abort(), 1);
          throw new TransientFailure('down');
        },
        { signal: abort.signal, backoff: { initialMs: 600_000, maxMs: 600_000 }, transientMaxDelayMs: 600_000, horizonMs: 3_600_000 },
      ),
    );
    expect(outcome).toStrictEqual({ kind: 'abandon', retryingSince: expect.any(Number) });
  });

  it('keeps the consumer alive while a handler runs, and stops once delivery is over', async () => {
    let beats = 0;
    const outcome = await deliver(
      headers,
      body,
      options(() => new Promise((resolve) => setTimeout(resolve, 30)), {
        keepAliveEveryMs: 2,
        keepAlive: async () => void beats++,
      }),
    );
    expect(outcome).toStrictEqual({ kind: 'ack', type: event.type });
    expect(beats).toBeGreaterThan(0);
    const after = beats;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(beats).toBe(after);
  });

  it('abandons with the first keep-alive failure, and without one when the subscription stops', async () => {
    const first = new Error('first');
    let beats = 0;
    const lost = await deliver(
      headers,
      body,
      options(
        async (_event, { signal }) =>
          new Promise((_resolve, reject) => signal.addEventListener('abort', () => setTimeout(() => reject(new Error('stop')), 20))),
        {
          keepAliveEveryMs: 2,
          keepAlive: async () => {
            throw ++beats === 1 ? first : new Error('later');
          },
        },
      ),
    );
    expect(lost).toStrictEqual({ kind: 'abandon', error: first });
    const abort = new AbortController();
    const stopped = await deliver(
      headers,
      body,
      options(
        async () => {
          setTimeout(() => abort.abort(), 5);
          throw new TransientFailure('down');
        },
        {
          signal: abort.signal,
          transientMaxDelayMs: 600_000,
          backoff: { initialMs: 600_000, maxMs: 1 },
          keepAliveEveryMs: 1,
          keepAlive: async () => undefined,
        },
      ),
    );
    expect(stopped).toStrictEqual({ kind: 'abandon', retryingSince: expect.any(Number) });
  });
});

describe('retryPolicyOf', () => {
  it("takes the subscription's options, then the bus's defaults, then the built-in ones", () => {
    expect(retryPolicyOf({ handlers: {} })).toEqual({
      maxAttempts: 5,
      backoff: { initialMs: 100, maxMs: 5_000 },
      horizonMs: 3_600_000,
      transientMaxDelayMs: 30_000,
    });
    const bus = { maxAttempts: 2, backoff: { initialMs: 3, maxMs: 4 }, horizonMs: 5, transientMaxDelayMs: 6 };
    expect(retryPolicyOf({ handlers: {} }, bus)).toEqual(bus);
    const own = { maxAttempts: 7, backoff: { initialMs: 8, maxMs: 9 }, retryHorizonMs: 10, transientMaxDelayMs: 11 };
    expect(retryPolicyOf({ handlers: {}, ...own }, bus)).toEqual({ maxAttempts: 7, backoff: own.backoff, horizonMs: 10, transientMaxDelayMs: 11 });
  });
});
