import { Counter } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createServiceApp, type ServiceApp } from './service-app.js';

const apps: ServiceApp[] = [];

async function buildApp(): Promise<ServiceApp> {
  const app = await createServiceApp({ name: 'test', logLevel: 'silent' });
  app.get('/photos/:id', async (request) => ({ id: (request.params as { id: string }).id }));
  apps.push(app);
  return app;
}

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
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

    const response = await app.inject('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const series = durationSeries(response.body);
    expect(series).toContain('http_request_duration_seconds_count{method="GET",route="/photos/:id",status_code="200"} 2');
    expect(series).toContain('http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"} 1');
    // Probes (health, metrics) stay out of the histogram; raw URLs never become labels.
    expect(series).toHaveLength(2);
    expect(response.body).not.toContain('/photos/42');
    expect(response.body).toContain('http_request_duration_seconds_bucket{le="0.005",method="GET",route="/photos/:id",status_code="200"}');
    expect(response.body).toContain('process_cpu_user_seconds_total');
  });

  it('gives each app its own registry that services extend', async () => {
    const first = await buildApp();
    const second = await buildApp();
    const uploads = new Counter({ name: 'photos_uploaded_total', help: 'Photos stored.', registers: [first.metrics] });
    uploads.inc(3);
    await first.inject('/photos/1');

    const firstText = (await first.inject('/metrics')).body;
    const secondText = (await second.inject('/metrics')).body;
    expect(firstText).toContain('photos_uploaded_total 3');
    expect(secondText).not.toContain('photos_uploaded_total');
    expect(durationSeries(secondText)).toEqual([]);
  });
});
