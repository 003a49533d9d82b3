import { Counter } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { listenMetrics, type MetricsListener } from './metrics.js';
import { createServiceApp, type ServiceApp } from './service-app.js';

const apps: ServiceApp[] = [];
const listeners: MetricsListener[] = [];

/** What Prometheus reads: the app's registry through its own listener, on a free loopback port. */
async function scrape(app: ServiceApp): Promise<Response> {
  const listener = await listenMetrics({ '/metrics': app.metrics }, { port: 0, host: '127.0.0.1' });
  listeners.push(listener);
  return fetch(`${listener.url}/metrics`);
}

async function buildApp(): Promise<ServiceApp> {
  const app = await createServiceApp({ name: 'test', logLevel: 'silent' });
  app.get('/photos/:id', async (request) => ({ id: (request.params as { id: string }).id }));
  apps.push(app);
  return app;
}

afterEach(async () => {
  await Promise.all([...apps.splice(0).map((app) => app.close()), ...listeners.splice(0).map((listener) => listener.close())]);
});

function durationSeries(text: string): string[] {
  return text.split('\n').filter((line) => line.startsWith('http_request_duration_seconds_count'));
}

describe('metrics', () => {
  it('exposes the request histogram labelled by route pattern, method and status', async () => {
    const app = await buildApp();
    await app.inject('/photos/42');
    await app.inject('/photos/43');
    await app.inject('/nowhere/1');
    await app.inject('/health/live');

    const response = await scrape(app);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await response.text();
    const series = durationSeries(body);
    expect(series).toContain('http_request_duration_seconds_count{method="GET",route="/photos/:id",status_code="200"} 2');
    expect(series).toContain('http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"} 1');
    // Probes (health, metrics) stay out of the histogram; raw URLs never become labels.
    expect(series).toHaveLength(2);
    expect(body).not.toContain('/photos/42');
    expect(body).toContain('http_request_duration_seconds_bucket{le="0.005",method="GET",route="/photos/:id",status_code="200"}');
    expect(body).toContain('process_cpu_user_seconds_total');
  });

  it('serves them only on the metrics listener: the app itself answers /metrics with a 404 problem', async () => {
    const app = await buildApp();
    const onApp = await app.inject('/metrics');
    expect(onApp.statusCode).toBe(404);
    expect(onApp.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(onApp.body).not.toContain('process_cpu');

    const listener = await listenMetrics({ '/metrics': app.metrics }, { port: 0, host: '127.0.0.1' });
    listeners.push(listener);
    const elsewhere = await fetch(`${listener.url}/photos/1`);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  });

  it('gives each app its own registry that services extend', async () => {
    const first = await buildApp();
    const second = await buildApp();
    const uploads = new Counter({ name: 'photos_uploaded_total', help: 'Photos stored.', registers: [first.metrics] });
    uploads.inc(3);
    await first.inject('/photos/1');

    const firstText = await (await scrape(first)).text();
    const secondText = await (await scrape(second)).text();
    expect(firstText).toContain('photos_uploaded_total 3');
    expect(secondText).not.toContain('photos_uploaded_total');
    expect(durationSeries(secondText)).toEqual([]);
  });
});
