import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenSigner } from '@photos/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pngDeclaring } from '../../services/upload/src/test-support/bad-inputs.js';
import { partHead, postHead, sendRaw } from '../../services/upload/src/test-support/raw-http.js';
import { startService, type ServiceProcess } from '../support/processes.js';

const JWT_SECRET = 'upload-test-secret-0123456789-0123456789';
const sign = createTokenSigner({ secret: JWT_SECRET, issuer: 'photo-platform', audience: 'photo-platform', expiresInSeconds: 600 });
const token = sign({ sub: 'mallory' });

/**
 * Issue 9's reproduction, byte for byte: ~100 bytes whose only part is not an image and that end
 * without the closing boundary. The service answered 415, then died on an uncaught "Part terminated
 * early"; every later upload got a 502 until a restart.
 */
function crashBody(): string {
  const body = `${partHead('X', 'file', 'a.jpg')}hello, not an image at all\r\n`;
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'multipart/form-data; boundary=X' };
  return postHead('/photos', headers, Buffer.byteLength(body)) + body;
}

describe('the upload service as a process', () => {
  let dir: string;
  let upload: ServiceProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upload-process-'));
    // The embedded defaults: files on disk, the in-memory bus.
    const env = { JWT_SECRET, DATA_DIR: dir, LOG_LEVEL: 'info', KAFKA_BROKERS: '', AMQP_URL: '', S3_ENDPOINT: '' };
    upload = await startService('upload', 'upload', env);
  });

  afterAll(async () => {
    await upload?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('survives the reproduced crash body, answers a 4xx problem, and keeps taking uploads', async () => {
    const port = Number(new URL(upload.url).port);
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await sendRaw(port, crashBody());
      expect(response?.status, upload.output().slice(-2000)).toBeGreaterThanOrEqual(400);
      expect(response?.status).toBeLessThan(500);
      expect(response?.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    await new Promise((resolve) => setTimeout(resolve, 500)); // the crash came just after the answer
    expect(upload.child.exitCode, upload.output().slice(-2000)).toBeNull();
    expect((await fetch(`${upload.url}/health/live`)).status).toBe(200);
    expect(upload.output()).not.toMatch(/uncaught error/);

    const form = new FormData();
    form.append('file', new Blob([Buffer.concat([pngDeclaring(64, 48), randomBytes(16)])], { type: 'image/png' }), 'after.png');
    const after = await fetch(`${upload.url}/photos`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(202);
  });
});
