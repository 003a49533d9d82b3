/** Metadata's readiness checks its database: not ready while PostgreSQL is unreachable or silent. */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './adapters/database.js';
import { buildTestApp } from './test-support/test-app.js';

describe('metadata readiness', () => {
  let blackHole: Server;
  beforeAll(async () => {
    // Accepts connections and never answers, as a server gone without a reset.
    blackHole = createServer(() => undefined);
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => void blackHole.close());

  const readinessWith = async (url: string) => {
    const database = openDatabase({ url, connectTimeoutMs: 500 });
    const { app, close } = await buildTestApp({ database, url });
    try {
      const response = await app.inject({ method: 'GET', url: '/health/ready' });
      return { status: response.statusCode, database: (response.json() as { checks: Record<string, string> }).checks['database'] };
    } finally {
      await close();
      await database.close();
    }
  };

  it('is not ready while its database refuses connections', async () => {
    expect(await readinessWith('postgresql://postgres@127.0.0.1:1/metadata')).toEqual({ status: 503, database: 'error' });
  });

  it('is not ready while its database does not answer, within the check budget', async () => {
    const port = (blackHole.address() as { port: number }).port;
    expect(await readinessWith(`postgresql://postgres@127.0.0.1:${port}/metadata`)).toMatchObject({
      status: 503,
      database: expect.stringMatching(/^(error|timed out)$/),
    });
  });
});
