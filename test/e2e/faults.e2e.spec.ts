/**
 * The upload promise under faults (issue 9): an upload that got a 202 ends as a `ready` photo whatever
 * dies meanwhile. Every service runs as its own process, as in multi-process.e2e.spec.ts, and the faults
 * are the ones an operator meets: a processor killed with SIGKILL mid-batch, the upload service killed
 * right after answering while the broker is down, the broker gone for FAULT_OUTAGE_MS (default 30 s)
 * during a stream of uploads. The outage is a TCP proxy cut in front of the shared RabbitMQ, so the real
 * broker other tests use is never touched.
 *
 * FAULT_OUTAGE_MS shortens the outage when running locally (e.g. FAULT_OUTAGE_MS=5000); CI keeps 30 s.
 */
import { createEventBus, eventBusConfigSchema, type EventBus } from '@photos/event-bus';
import { loadConfig } from '@photos/service-kit';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { createTestVhost } from '../../packages/event-bus/src/test-support/rabbitmq-vhost.js';
import { VARIANT_SPECS, type VariantName } from '../../services/processor/src/domain/variant-specs.js';
import { variantObjectKey } from '../../services/processor/src/domain/variants-layout.js';
import { startCuttableProxy, type CuttableProxy } from '../support/cuttable-proxy.js';
import { distinctPhotos, type TestPhoto } from '../support/distinct-photos.js';
import { startMockKafkaProcess, type MockKafkaProcess } from '../support/mock-kafka-process.js';
import { ProcessPlatform } from '../support/process-platform.js';
import { apiClient, type Api } from '../support/public-api.js';

const OUTAGE_MS = Number(process.env['FAULT_OUTAGE_MS'] ?? 30_000);
/** The groups that must never dead-letter an event because infrastructure was away. */
const DURABLE_GROUPS = ['processor', 'metadata', 'upload'];
const VARIANT_NAMES = Object.keys(VARIANT_SPECS) as VariantName[];

/** Made once for the whole file: the same bytes serve every test (each test has its own user). */
let photoSet: Promise<TestPhoto[]> | undefined;
const photos = (count: number) => (photoSet ??= distinctPhotos(50)).then((all) => all.slice(0, count));

interface Uploaded extends TestPhoto {
  id: string;
}

async function newUser(api: Api, label: string): Promise<string> {
  const email = `${label}-${Math.random().toString(36).slice(2, 10)}@example.com`;
  return (await api.register(email, 'a password long enough for the BFF')).accessToken;
}

/** One POST per `perRequest` photos; every one must be a 202 with a new (not duplicate) photo per file. */
async function upload(api: Api, token: string, files: TestPhoto[], perRequest = files.length): Promise<Uploaded[]> {
  const uploaded: Uploaded[] = [];
  for (let start = 0; start < files.length; start += perRequest) {
    const batch = files.slice(start, start + perRequest);
    const response = await api.upload(
      token,
      batch.map(({ name, bytes }) => ({ name, bytes })),
    );
    const body = (await response.text()) || '(empty)';
    expect(response.status, body).toBe(202);
    const answered = (JSON.parse(body) as { photos: { id: string; status: string; duplicate?: boolean }[] }).photos;
    expect(answered.map((p) => [p.status, p.duplicate ?? false])).toEqual(batch.map(() => ['processing', false]));
    batch.forEach((file, i) => uploaded.push({ ...file, id: answered[i]!.id }));
  }
  return uploaded;
}

/** Statuses of the given photos as the gallery shows them, counted; a photo not listed (yet) is `absent`. */
async function statusCounts(api: Api, token: string, ids: string[]): Promise<Record<string, number>> {
  const listed = new Map<string, string>();
  for (let cursor: string | null = null, first = true; first || cursor; first = false) {
    const page = await api.list(token, `?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    for (const item of page.items) listed.set(item.id, item.status);
    cursor = page.nextCursor;
  }
  const counts: Record<string, number> = {};
  for (const id of ids) {
    const status = listed.get(id) ?? 'absent';
    counts[status] = (counts[status] ?? 0) + 1;
  }
  return counts;
}

/** Polls until every photo is `ready`, or one `failed` (final), or the deadline; then asserts all ready. */
async function expectAllReady(api: Api, token: string, ids: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let counts = await statusCounts(api, token, ids);
  while (counts['ready'] !== ids.length && !counts['failed'] && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    counts = await statusCounts(api, token, ids);
  }
  expect(counts).toEqual({ ready: ids.length });
}

/**
 * No duplicate variants: each photo's folder in the variants bucket holds exactly one object per variant,
 * at the key derived from its original's checksum, and the photo the API shows points at those very
 * objects (the one photo.processed metadata recorded matches what is stored).
 */
async function expectExactVariants(platform: ProcessPlatform, api: Api, token: string, uploaded: Uploaded[]): Promise<void> {
  const variants = platform.bucket('VARIANTS_BUCKET');
  for (const photo of uploaded) {
    const expected = VARIANT_NAMES.map((name) => variantObjectKey(photo.id, name, photo.sha256)).sort();
    expect(await variants.list(`variants/${photo.id}/`), `variants of ${photo.name}`).toEqual(expected);
    const response = await api.get(token, photo.id);
    expect(response.status).toBe(200);
    const view = (await response.json()) as { variants: Record<string, { url: string }> };
    // Without S3_PUBLIC_ENDPOINT a variant URL is the BFF's /media/variants/<object key>?signature...
    const keyOf = (url: string) => decodeURIComponent(new URL(url, 'http://bff').pathname).replace(/^\/media\/variants\//, '');
    const shown = Object.values(view.variants).map((v) => keyOf(v.url));
    expect(shown.sort(), `variants the API shows for ${photo.name}`).toEqual(expected);
  }
}

async function expectNoDeadLetters(bus: EventBus): Promise<void> {
  for (const group of DURABLE_GROUPS) {
    const letters = await bus.deadLetters(group, 10);
    expect(
      letters.map((l) => `${l.event?.type ?? '?'} ${l.event?.subject ?? ''}: ${l.reason}`),
      `dead letters of ${group}`,
    ).toEqual([]);
  }
}

async function processedCount(metricsUrl: string): Promise<number> {
  const text = await fetch(`${metricsUrl}/metrics`).then((r) => r.text());
  return Number(/^photos_processed_total (\d+)/m.exec(text)?.[1] ?? 0);
}

/**
 * Waits for the first processor to finish a photo and returns its name with every processor's count at
 * that moment: that one holds partitions with work queued behind the photo it just finished.
 */
async function firstBusyProcessor(platform: ProcessPlatform, timeoutMs: number): Promise<{ name: string; counts: Record<string, number> }> {
  const names = platform.names('processor-');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counted = await Promise.all(names.map(async (name) => [name, await processedCount(platform.service(name).metricsUrl)] as const));
    const counts = Object.fromEntries(counted);
    const busy = names.find((name) => counts[name]! > 0);
    if (busy) return { name: busy, counts };
    if (Date.now() > deadline) throw new Error(`no processor finished a photo within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Test 1, on any transport: SIGKILL a processor in the middle of a batch of 20; `replace` starts a new one after. */
async function killProcessorMidBatch(platform: ProcessPlatform, observer: EventBus, replace: boolean): Promise<void> {
  onTestFailed(() => console.error(platform.logs()));
  const api = apiClient(platform.bff.url);
  const token = await newUser(api, 'kill-processor');
  expect(platform.names('processor-')).toHaveLength(2);
  const uploaded = await upload(api, token, await photos(20));

  const { name: victim, counts } = await firstBusyProcessor(platform, 60_000);
  await platform.kill(victim);
  const doneBeforeKill = Object.values(counts).reduce((a, b) => a + b, 0);
  // Otherwise the kill came too late to test anything.
  expect(doneBeforeKill, `photos processed before the kill: ${JSON.stringify(counts)}`).toBeLessThan(uploaded.length);

  await expectAllReady(
    api,
    token,
    uploaded.map((p) => p.id),
    120_000,
  );
  await expectExactVariants(platform, api, token, uploaded);
  await expectNoDeadLetters(observer);
  const survivor = platform.names('processor-')[0]!;
  const bySurvivor = await processedCount(platform.service(survivor).metricsUrl);
  console.info(`killed ${victim} after ${counts[victim]} photos; ${survivor} processed ${bySurvivor} of ${uploaded.length}`);
  if (replace) await platform.startService(victim, 'processor');
}

describe('faults over rabbitmq', () => {
  let vhost: Awaited<ReturnType<typeof createTestVhost>> | undefined;
  let proxy: CuttableProxy | undefined;
  let observer: EventBus | undefined;
  let platform!: ProcessPlatform; // undefined only when beforeAll failed before making it

  beforeAll(async () => {
    vhost = await createTestVhost('faults');
    const direct = new URL(vhost.url);
    proxy = await startCuttableProxy({ host: direct.hostname, port: Number(direct.port || 5672) });
    const viaProxy = new URL(vhost.url);
    viaProxy.host = proxy.address;
    // Every service reaches the broker through the proxy: cutting it is the broker going away for all of them.
    platform = new ProcessPlatform({ AMQP_URL: viaProxy.toString(), KAFKA_BROKERS: '' });
    observer = await createEventBus(loadConfig(eventBusConfigSchema, { AMQP_URL: vhost.url }));
    void photos(50);
    await platform.start();
  }, 240_000);

  afterAll(async () => {
    try {
      const codes = (await platform?.stop()) ?? {};
      expect(
        Object.values(codes).every((code) => code === 0),
        `graceful exits: ${JSON.stringify(codes)}`,
      ).toBe(true);
    } finally {
      await observer?.close();
      await proxy?.close();
      await vhost?.remove();
    }
  }, 120_000);

  it('kill -9 a processor mid-batch: every photo ready, no duplicate variants, no dead letters', async () => {
    await killProcessorMidBatch(platform, observer!, true); // two replicas again for the next tests
  }, 180_000);

  // Over RabbitMQ only: the broker is cut with a proxy, and Kafka brokers hand clients their own advertised
  // addresses (the mock cluster's cannot be changed), so clients would bypass a proxy after bootstrap.
  it('kill -9 the upload service after 202s with the broker down: all processed once it is back and upload restarted', async () => {
    onTestFailed(() => console.error(platform.logs()));
    const api = apiClient(platform.bff.url);
    const token = await newUser(api, 'kill-upload');
    const port = Number(new URL(platform.service('upload').url).port);
    let uploaded: Uploaded[];
    await proxy!.cut();
    try {
      uploaded = await upload(api, token, await photos(10), 5);
      await platform.kill('upload');
    } finally {
      await proxy!.restore();
    }
    // Same port: the BFF keeps its UPLOAD_URL, as behind a Service or a load balancer.
    await platform.startService('upload', 'upload', {}, port);
    await expectAllReady(
      api,
      token,
      uploaded.map((p) => p.id),
      120_000,
    );
    await expectExactVariants(platform, api, token, uploaded);
    await expectNoDeadLetters(observer!);
  }, 180_000);

  it(
    `broker stopped for ${OUTAGE_MS / 1000} s during 50 uploads: 50/50 ready, no dead letters`,
    async () => {
      onTestFailed(() => console.error(platform.logs()));
      const api = apiClient(platform.bff.url);
      const token = await newUser(api, 'outage');
      const files = await photos(50);
      const perRequest = 5;
      // Some uploads before the outage (being processed when it starts), most during it, some as it ends.
      const uploaded = await upload(api, token, files.slice(0, 10), perRequest);
      await proxy!.cut();
      const back = Date.now() + OUTAGE_MS;
      try {
        uploaded.push(...(await upload(api, token, files.slice(10, 40), perRequest)));
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, back - Date.now()))); // the outage itself
      } finally {
        await proxy!.restore();
      }
      uploaded.push(...(await upload(api, token, files.slice(40), perRequest)));
      await expectAllReady(
        api,
        token,
        uploaded.map((p) => p.id),
        150_000,
      );
      await expectExactVariants(platform, api, token, uploaded);
      await expectNoDeadLetters(observer!);
    },
    OUTAGE_MS + 240_000,
  );
});

describe('faults over kafka (mock cluster)', () => {
  let kafka: MockKafkaProcess | undefined;
  let observer: EventBus | undefined;
  let platform: ProcessPlatform | undefined;

  beforeAll(async () => {
    // A cluster of this file's own: see mock-kafka-process.ts.
    kafka = await startMockKafkaProcess();
    // A killed member is noticed after the session timeout; the mock accepts less than a real broker's 6 s minimum.
    const busEnv = { KAFKA_BROKERS: kafka.bootstrap.join(','), KAFKA_SESSION_TIMEOUT_MS: '4000' };
    platform = new ProcessPlatform(busEnv);
    observer = await createEventBus(loadConfig(eventBusConfigSchema, busEnv), { clientId: 'faults-observer' });
    void photos(50);
    await platform.start();
  }, 240_000);

  afterAll(async () => {
    try {
      const codes = (await platform?.stop()) ?? {};
      expect(
        Object.values(codes).every((code) => code === 0),
        `graceful exits: ${JSON.stringify(codes)}`,
      ).toBe(true);
    } finally {
      await observer?.close();
      await kafka?.stop();
    }
  }, 120_000);

  it('kill -9 a processor mid-batch: every photo ready, no duplicate variants, no dead letters', async () => {
    await killProcessorMidBatch(platform!, observer!, false);
  }, 180_000);
});
