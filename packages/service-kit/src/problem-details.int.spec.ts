import Type from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError } from './http-errors.js';
import { createServiceApp, type ServiceApp } from './service-app.js';

interface LogLine {
  level: string;
  msg: string;
  correlationId?: string;
  err?: { message: string; stack: string };
}

let app: ServiceApp;
let logs: LogLine[];

async function buildApp(): Promise<ServiceApp> {
  logs = [];
  app = await createServiceApp({
    name: 'test',
    logLevel: 'info',
    logStream: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
  });
  app.get('/photos/:id', async (request) => {
    throw new NotFoundError(`No photo ${(request.params as { id: string }).id}`);
  });
  app.get('/boom', async () => {
    throw new Error('connect ECONNREFUSED postgres://admin:s3cret@db:5432');
  });
  app.post(
    '/photos',
    {
      schema: {
        body: Type.Object({ name: Type.String({ minLength: 1 }), bytes: Type.Integer({ minimum: 0 }) }),
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }),
      },
    },
    async (request) => ({ name: request.body.name, bytes: request.body.bytes }),
  );
  return app;
}

afterEach(async () => app.close());

describe('problem details', () => {
  it('answers a thrown 4xx with its status, message and code', async () => {
    await buildApp();
    const response = await app.inject({ url: '/photos/42?x=1', headers: { 'x-correlation-id': 'req-1' } });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['x-correlation-id']).toBe('req-1');
    expect(response.json()).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'No photo 42',
      instance: '/photos/42',
      correlationId: 'req-1',
      code: 'NOT_FOUND',
    });
  });

  it('hides the message and stack of a 500 but logs them', async () => {
    await buildApp();
    const response = await app.inject({ url: '/boom', headers: { 'x-correlation-id': 'req-2' } });
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = response.json<Record<string, unknown>>();
    expect(Object.keys(body).sort()).toEqual(['correlationId', 'detail', 'instance', 'status', 'title', 'type']);
    expect(body).toMatchObject({ status: 500, title: 'Internal Server Error', correlationId: 'req-2' });
    expect(response.body).not.toContain('s3cret');
    expect(response.body).not.toContain('ECONNREFUSED');
    expect(response.body).not.toMatch(/at .*\.ts:\d+/);

    const logged = logs.find((line) => line.level === 'error' && line.correlationId === 'req-2');
    expect(logged?.err?.message).toContain('ECONNREFUSED');
    expect(logged?.err?.stack).toMatch(/problem-details\.int\.spec\.ts/);
  });

  it('answers a schema validation error with 400 and the field errors', async () => {
    await buildApp();
    const missing = await app.inject({ method: 'POST', url: '/photos', payload: { bytes: 10 } });
    expect(missing.statusCode).toBe(400);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.json()).toMatchObject({
      status: 400,
      title: 'Bad Request',
      code: 'FST_ERR_VALIDATION',
      errors: [{ in: 'body', pointer: '/name', detail: "must have required property 'name'" }],
    });

    const badQuery = await app.inject({ method: 'POST', url: '/photos?limit=500', payload: { name: 'a', bytes: 1 } });
    expect(badQuery.json()).toMatchObject({ status: 400, errors: [{ in: 'querystring', pointer: '/limit' }] });

    const ok = await app.inject({ method: 'POST', url: '/photos?limit=5', payload: { name: 'a', bytes: 1 } });
    expect(ok.json()).toEqual({ name: 'a', bytes: 1 });
  });

  it('answers malformed JSON with a 400 problem', async () => {
    await buildApp();
    const response = await app.inject({
      method: 'POST',
      url: '/photos',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ status: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
  });

  it('answers a JSON body over 16 KiB with a 413 problem, before parsing it', async () => {
    await buildApp();
    const name = 'x'.repeat(16 * 1024);
    const response = await app.inject({ method: 'POST', url: '/photos', payload: { name, bytes: 1 } });
    expect(response.statusCode).toBe(413);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.json()).toMatchObject({ status: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    const fits = await app.inject({ method: 'POST', url: '/photos', payload: { name: name.slice(0, 16_000), bytes: 1 } });
    expect(fits.statusCode).toBe(200);
  });

  it('answers an unknown route with a 404 problem', async () => {
    await buildApp();
    const response = await app.inject({ method: 'DELETE', url: '/nowhere?token=abc' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = response.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'No route matches DELETE /nowhere',
      instance: '/nowhere',
      code: 'ROUTE_NOT_FOUND',
    });
    expect(body.correlationId).toBe(response.headers['x-correlation-id']);
  });

  it('treats an error with a non-error status as a 500', async () => {
    await buildApp();
    app.get('/odd', async () => {
      throw Object.assign(new Error('internal redirect state'), { statusCode: 302 });
    });
    const response = await app.inject({ url: '/odd' });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('internal redirect state');
  });
});
