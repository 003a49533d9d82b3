/**
 * The processor's HTTP surface, attacked. It works from the bus only: its HTTP side is the two probes,
 * nothing that acts. For each rule: the attack, and the answer it must give.
 *
 *   1. Probes only: no route reads or changes anything, whatever the method.
 *   2. /metrics is not on its probe port; it is on the internal metrics listener.
 *   3. Every error answer is problem+json with the security headers (431, 413, 404, 400).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { photoCatalogue } from '@photos/contracts';
import { createMemoryBus, MemoryBroker } from '@photos/event-bus';
import { createFsObjectStore } from '@photos/object-store';
import { listenMetrics, loadConfig, type ServiceApp } from '@photos/service-kit';
import { expectProblem, raw } from '@photos/service-kit/test-support/raw-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProcessorApp } from './app.js';
import { processorConfigSchema } from './config.js';

let dir: string;
let app: ServiceApp;
let port: number;
const closing: Array<{ close(): Promise<unknown> }> = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'processor-security-'));
  const bus = createMemoryBus({ broker: new MemoryBroker(), catalogue: photoCatalogue });
  closing.push(bus);
  const originals = createFsObjectStore({ root: join(dir, 'originals') });
  const variants = createFsObjectStore({ root: join(dir, 'variants') });
  await originals.ensureBucket();
  await variants.ensureBucket();
  app = await buildProcessorApp({ config: loadConfig(processorConfigSchema, { LOG_LEVEL: 'silent' }), originals, variants, bus });
  closing.push(app);
  port = Number(new URL(await app.listen({ port: 0, host: '127.0.0.1' })).port);
});

afterAll(async () => {
  for (const thing of closing.splice(0).reverse()) await thing.close();
  rmSync(dir, { recursive: true, force: true });
});

const BIG_HEADERS = `X-Big: ${'b'.repeat(20_000)}\r\n`;
const close = 'Connection: close\r\n';

describe('1. probes only', () => {
  it('its routes are /health/live and /health/ready, GET (and HEAD) only', () => {
    const routes = app.printRoutes({ commonPrefix: false });
    expect(routes).toMatch(/health\/live \(GET, HEAD\)/);
    expect(routes).toMatch(/health\/ready \(GET, HEAD\)/);
    expect(routes.split('\n').filter((line) => line.includes('('))).toHaveLength(2);
  });

  it.each(['POST /photos', 'POST /photos/p-1/process', 'DELETE /photos/p-1', 'PUT /variants/p-1', 'GET /originals/p-1', 'POST /health/ready', 'GET /debug'])(
    'attack: %s. Answer: 404 problem+json',
    async (route) => {
      expectProblem(await raw(port, `${route} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n${close}\r\n`), 404);
    },
  );
});

describe('2. /metrics is not on the probe port', () => {
  it('attack: GET /metrics on the probe port. Answer: 404 problem+json; the metrics are on the internal listener', async () => {
    const response = await raw(port, `GET /metrics HTTP/1.1\r\nHost: x\r\n${close}\r\n`);
    expectProblem(response, 404);
    expect(response.body).not.toContain('photos_processed_total');
    const metrics = await listenMetrics({ '/metrics': app.metrics }, { port: 0, host: '127.0.0.1' });
    closing.push(metrics);
    expect(await (await fetch(`${metrics.url}/metrics`)).text()).toContain('photos_processed_total');
  });
});

describe('3. every error answer is problem+json with the security headers', () => {
  const json = `{"pad":"${'a'.repeat(20_000)}"}`;
  it.each([
    ['431: headers over 16 KiB', `GET /health/live HTTP/1.1\r\nHost: x\r\n${BIG_HEADERS}\r\n`, 431],
    [
      '413: a JSON body over 16 KiB',
      `POST /health/live HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${json.length}\r\n${close}\r\n${json}`,
      413,
    ],
    ['400: malformed HTTP', 'GET /health/live HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400],
    ['400: a URL that cannot be decoded', `GET /health/%E0%A4%A HTTP/1.1\r\nHost: x\r\n${close}\r\n`, 400],
  ])('attack: %s. Answer: that status as problem+json', async (_name, request, status) => {
    expectProblem(await raw(port, request), status);
  });
});
