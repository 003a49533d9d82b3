/**
 * The embedded platform, as `npm start` runs it (apps/embedded/start.mjs, which runs src/main.ts in a
 * child process and passes signals on), stopped by SIGTERM while it has
 * work: photos accepted but not processed yet, and an upload whose body is still arriving. Every upload
 * answered 202 must be a ready photo after a restart; an upload that starts after the stop began is
 * refused, never answered 202.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { distinctPhotos, type TestPhoto } from '../support/distinct-photos.js';
import { freePort } from '../support/processes.js';
import { apiClient } from '../support/public-api.js';

const root = join(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'embedded-stop-'));
const started: ChildProcess[] = [];

afterAll(() => {
  for (const child of started) {
    try {
      process.kill(-child.pid!, 'SIGKILL'); // the launcher and the platform under it
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

async function startEmbedded(port: number): Promise<{ url: string; child: ChildProcess; exited: Promise<number | null>; output: () => string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(KAFKA_|AMQP_|S3_|DATABASE_URL|REDIS_URL)/.test(name)));
  const child = spawn(process.execPath, [join(root, 'apps', 'embedded', 'start.mjs')], {
    cwd: root,
    // One photo at a time, so photos accepted just before the stop are still waiting when it comes.
    env: { ...env, PORT: String(port), DATA_DIR: dataDir, SCRYPT_COST: '12', LOG_LEVEL: 'warn', PROCESSOR_CONCURRENCY: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // a process group of its own, so afterAll can end it whole
  });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (const deadline = Date.now() + 120_000; !/running at (http:\/\/\S+)/.test(output); await new Promise((r) => setTimeout(r, 100))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the embedded platform did not come up:\n${output}`);
  }
  return { url: /running at (http:\/\/\S+)/.exec(output)![1]!, child, exited, output: () => output };
}

/**
 * POST /api/photos whose body is sent in two halves: the first at once, the second when `release`
 * resolves. Resolves with the status and body of the answer, or with the connection error.
 */
type Answer = { status: number; body: string } | { error: string };

function slowUpload(url: string, token: string, photo: TestPhoto, release: Promise<void>): Promise<Answer> {
  const boundary = `----stop${randomUUID().replaceAll('-', '')}`;
  const disposition = `Content-Disposition: form-data; name="file"; filename="${photo.name}"`;
  const head = Buffer.from(`--${boundary}\r\n${disposition}\r\nContent-Type: image/jpeg\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const half = photo.bytes.length >> 1;
  return new Promise((resolve) => {
    const req = request(`${url}/api/photos`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': head.length + photo.bytes.length + tail.length,
      },
    });
    req.once('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', (error) => resolve({ error: error.message }));
    req.write(Buffer.concat([head, photo.bytes.subarray(0, half)]));
    void release.then(() => req.end(Buffer.concat([photo.bytes.subarray(half), tail])));
  });
}

async function stopped(url: string): Promise<void> {
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 25))) {
    if (
      !(await fetch(`${url}/health/live`).then(
        (r) => r.ok,
        () => false,
      ))
    )
      return;
  }
  throw new Error('the BFF still accepts connections 15 s after SIGTERM');
}

describe('embedded platform, stopped by SIGTERM while busy', () => {
  it('turns every upload answered 202 into a ready photo after a restart', { timeout: 300_000 }, async () => {
    const photos = await distinctPhotos(9, 2000);
    const port = await freePort();
    const first = await startEmbedded(port);
    const api = apiClient(first.url);
    const { accessToken } = await api.register('stop@example.com', 'a password for the stop test');

    // One request, so they all wait in the bus together (the processor takes them one by one).
    const response = await api.upload(accessToken, photos.slice(0, 8));
    expect(response.status, await response.clone().text()).toBe(202);
    const accepted = ((await response.json()) as { photos: { id: string }[] }).photos.map((p) => p.id);
    let release!: () => void;
    const inFlight = slowUpload(first.url, accessToken, photos[8]!, new Promise((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 200)); // the first half is through the BFF
    // Photos still processing once metadata lists all eight (a loaded machine can project them later than 200 ms).
    let waiting = 0;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 25))) {
      const { items } = await api.list(accessToken);
      waiting = items.filter((p) => p.status === 'processing').length;
      if (items.length >= accepted.length) break;
    }

    first.child.kill('SIGTERM');
    await stopped(first.url);
    const late = await api.upload(accessToken, [photos[0]!]).then(
      (r) => r.status,
      (error: Error) => error.message,
    );
    release();
    const answer = await inFlight;
    expect(await first.exited, first.output()).toBe(0);
    // Precondition: the stop came while photos were waiting, so it had something to lose.
    expect(waiting, 'photos not yet processed when SIGTERM came').toBeGreaterThan(1);
    expect(late, 'an upload started after the stop began').not.toBe(202);
    // Answered 202 (and then ready after the restart), or refused with a clean 503: never cut off.
    expect('status' in answer && [202, 503].includes(answer.status), `the upload in flight at SIGTERM: ${JSON.stringify(answer)}`).toBe(true);
    if ('status' in answer && answer.status === 202) accepted.push((JSON.parse(answer.body) as { photos: { id: string }[] }).photos[0]!.id);

    const second = await startEmbedded(port);
    const login = await fetch(`${second.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'stop@example.com', password: 'a password for the stop test' }),
    });
    const token = ((await login.json()) as { accessToken: string }).accessToken;
    const statuses = async () => Object.fromEntries((await apiClient(second.url).list(token, '?limit=50')).items.map((p) => [p.id, p.status]));
    const expected = Object.fromEntries(accepted.map((id) => [id, 'ready']));
    await expect.poll(statuses, { timeout: 120_000, interval: 500 }).toEqual(expected);
    second.child.kill('SIGTERM');
    expect(await second.exited, second.output()).toBe(0);
  });
});
