import Type from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { createServiceApp, type ServiceApp } from './service-app.js';

interface LogLine {
  level: string;
  time: string;
  service: string;
  msg: string;
  correlationId?: string;
  headers?: Record<string, string>;
}

let app: ServiceApp;
let logs: LogLine[];

async function buildApp(): Promise<ServiceApp> {
  logs = [];
  app = await createServiceApp({
    name: 'upload',
    logLevel: 'info',
    logStream: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
  });
  app.get('/echo/:id', { schema: { params: Type.Object({ id: Type.Integer() }) } }, async (request) => {
    request.log.info({ headers: request.headers }, 'handling');
    // The TypeBox type provider types params from the schema: id is a number here.
    const id: number = request.params.id;
    return { id, correlationId: request.id };
  });
  return app;
}

afterEach(async () => app.close());

describe('createServiceApp', () => {
  it('echoes x-correlation-id, exposes it as request.id and logs it on every line of the request', async () => {
    await buildApp();
    const response = await app.inject({ url: '/echo/7', headers: { 'x-correlation-id': 'corr-123' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-correlation-id']).toBe('corr-123');
    expect(response.json()).toEqual({ id: 7, correlationId: 'corr-123' });

    const lines = logs.filter((line) => line.correlationId === 'corr-123');
    expect(lines.map((line) => line.msg)).toEqual(['incoming request', 'handling', 'request completed']);
    expect(lines[0]).toMatchObject({ level: 'info', service: 'upload' });
    expect(new Date(lines[0]?.time ?? '').toISOString()).toBe(lines[0]?.time);
  });

  it('takes the trace id of a traceparent, else makes a UUID', async () => {
    await buildApp();
    const traced = await app.inject({
      url: '/echo/1',
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });
    expect(traced.headers['x-correlation-id']).toBe('4bf92f3577b34da6a3ce929d0e0e4736');

    const fresh = await app.inject({ url: '/echo/1', headers: { 'x-correlation-id': 'bad id with spaces' } });
    expect(fresh.headers['x-correlation-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('redacts credentials in logged headers', async () => {
    await buildApp();
    await app.inject({ url: '/echo/1', headers: { authorization: 'Bearer secret-token', cookie: 'sid=secret' } });
    const handling = logs.find((line) => line.msg === 'handling');
    expect(handling?.headers).toMatchObject({ authorization: '[redacted]', cookie: '[redacted]' });
    expect(JSON.stringify(logs)).not.toContain('secret');
  });

  it('logs request URLs without their query values (tokens, signatures)', async () => {
    await buildApp();
    await app.inject({ url: '/echo/1?access_token=eyJsecret.token&signature=sig-secret&limit=5' });
    const incoming = logs.find((line) => line.msg === 'incoming request') as LogLine & { req?: { url: string } };
    expect(incoming.req?.url).toBe('/echo/1?access_token=[redacted]&signature=[redacted]&limit=[redacted]');
    expect(JSON.stringify(logs)).not.toMatch(/secret/);
  });

  it("logs a share link's token in the path as redacted (the BFF's page and API, metadata's routes)", async () => {
    await buildApp();
    for (const url of ['/s/tok-secret-1', '/api/links/tok-secret-2/photos?limit=5', '/links/tok-secret-3']) await app.inject({ url });
    const urls = logs.filter((line) => line.msg === 'incoming request').map((line) => (line as { req?: { url: string } }).req?.url);
    expect(urls).toEqual(['/s/[redacted]', '/api/links/[redacted]/photos?limit=[redacted]', '/links/[redacted]']);
    expect(JSON.stringify(logs)).not.toMatch(/secret/);
  });

  it('redacts credential headers wherever they are logged', async () => {
    await buildApp();
    const headers = { authorization: 'Bearer secret-1', cookie: 'sid=secret-2', 'set-cookie': 'sid=secret-3', 'x-csrf-token': 'secret-4' };
    app.log.info({ headers }, 'top level');
    app.log.info({ upstream: { headers } }, 'nested');
    expect(logs.filter((line) => line.msg === 'top level' || line.msg === 'nested')).toHaveLength(2);
    expect(JSON.stringify(logs)).not.toMatch(/secret-\d/);
  });

  it('does not log probe requests', async () => {
    await buildApp();
    await app.inject('/health/live');
    await app.inject('/health/ready');
    expect(logs.filter((line) => line.msg === 'incoming request')).toEqual([]);
  });
});
