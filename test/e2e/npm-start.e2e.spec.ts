/**
 * What a new user does: `npm start` on a fresh data directory, register, upload a real photo over HTTP,
 * see it ready with variants, stop, start again: the account, the photo and its variants are still there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { samplePhotos } from '../../services/upload/src/test-support/sample-photos.js';
import { freePort } from '../support/processes.js';
import { apiClient } from '../support/public-api.js';

const root = join(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'npm-start-'));

async function npmStart(port: number): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  // Only what a user's shell has: no broker, database or S3 variables.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(KAFKA_|AMQP_|S3_|DATABASE_URL|REDIS_URL)/.test(name)));
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: { ...env, PORT: String(port), DATA_DIR: dataDir, SCRYPT_COST: '12' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 120_000;
  while (!/running at (http:\/\/\S+)/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url: /running at (http:\/\/\S+)/.exec(output)![1]!, child, output: () => output };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.on('exit', resolve));
  // Ctrl-C in a terminal signals the whole process group: npm, its shell and node.
  process.kill(-child.pid!, 'SIGINT');
  await exited;
}

const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start (embedded default)', () => {
  it('runs the whole system with no servers, and keeps its data across a restart', { timeout: 240_000 }, async () => {
    const port = await freePort();
    const first = await npmStart(port);
    expect(first.url).toBe(`http://localhost:${port}`);
    const api = apiClient(first.url);
    const { accessToken } = await api.register('first-user@example.com', 'first user password');
    const [file] = samplePhotos(/^Storm\.jpg$/);
    const response = await api.upload(accessToken, [{ name: 'Storm.jpg', bytes: readFileSync(file!) }]);
    expect(response.status).toBe(202);
    const id = ((await response.json()) as { photos: { id: string }[] }).photos[0]!.id;
    await expect.poll(async () => (await api.list(accessToken)).items.find((p) => p.id === id)?.status, { timeout: 60_000 }).toBe('ready');
    expect((await fetch(first.url)).headers.get('content-type')).toMatch(/text\/html/);
    await stop(first.child);

    const second = await npmStart(port);
    const login = await fetch(`${second.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'first-user@example.com', password: 'first user password' }),
    });
    expect(login.status).toBe(200);
    const token = ((await login.json()) as { accessToken: string }).accessToken;
    const photo = (await (await apiClient(second.url).get(token, id)).json()) as any;
    expect(photo).toMatchObject({ id, status: 'ready', filename: 'Storm.jpg' });
    for (const name of ['thumb', 'preview']) {
      const image = await fetch(new URL(photo.variants[name].url, second.url));
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toMatch(/^image\//);
    }
    await stop(second.child);
  });
});
