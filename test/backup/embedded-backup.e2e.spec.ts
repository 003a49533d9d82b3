/**
 * The embedded mode's backup, restore and verify (scripts/backup-embedded.ts): photos uploaded into a
 * running platform, the platform stopped, backed up, restored into a fresh DATA_DIR and started again:
 * the same account logs in and sees the same photos (ids, statuses, EXIF, variants that load). A backup
 * is refused while the platform runs; verify passes on the good backup and fails on a corrupted one, and
 * a corrupted backup restores nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPlatform } from '../../apps/embedded/src/embedded-platform.js';
import { backup, BackupError, readManifest, restore, verify } from '../../scripts/backup-embedded.js';
import { distinctPhotos } from '../support/distinct-photos.js';
import { apiClient } from '../support/public-api.js';

const root = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'embedded-backup-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const EMAIL = 'backup@example.com';
const PASSWORD = 'a password for the backup test';
const start = (dataDir: string) => startEmbeddedPlatform({ dataDir, port: 0, host: '127.0.0.1', env: { LOG_LEVEL: 'warn', SCRYPT_COST: '12' } });

type Photo = { id: string; status: string; exif?: unknown; variants?: Record<string, { url: string }> };

/** The account's gallery as it sees it: every photo whole, and whether each variant loads. */
async function gallery(url: string, token: string) {
  const api = apiClient(url);
  const { items } = await api.list(token, '?limit=100');
  const photos = [];
  for (const { id } of items) {
    const photo = (await (await api.get(token, id)).json()) as Photo;
    const loads: Record<string, number> = {};
    for (const [name, variant] of Object.entries(photo.variants ?? {})) loads[name] = (await fetch(new URL(variant.url, url))).status;
    photos.push({ id, status: photo.status, exif: photo.exif, loads });
  }
  return photos;
}

async function login(url: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  expect(response.status, 'the restored account logs in').toBe(200);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

describe('embedded backup and restore', () => {
  it('restores into a fresh DATA_DIR where the same account sees the same photos; verify catches corruption', { timeout: 240_000 }, async () => {
    const original = join(scratch, 'original');
    const backupDir = join(scratch, 'backup');
    const restored = join(scratch, 'restored');

    const first = await start(original);
    const api = apiClient(first.url);
    const { accessToken } = await api.register(EMAIL, PASSWORD);
    const uploaded = await api.upload(accessToken, await distinctPhotos(3, 800));
    expect(uploaded.status).toBe(202);
    await expect.poll(async () => (await api.list(accessToken)).items.map((p) => p.status), { timeout: 60_000 }).toEqual(['ready', 'ready', 'ready']);
    const before = await gallery(first.url, accessToken);
    await expect(backup(original, backupDir), 'a backup while the platform runs').rejects.toThrow(/running on .*stop it first/);
    await first.stop();

    const manifest = await backup(original, backupDir);
    expect(manifest.counts.tables['metadata-db']?.['public.photos']).toBe(3);
    expect(manifest.counts.tables['accounts-db']?.['public.accounts']).toBe(1);
    expect(manifest.counts.parts['jwt-secret']?.files).toBe(1);
    expect(manifest.counts.parts['buckets/variants']?.files).toBeGreaterThanOrEqual(6);
    expect(await verify(backupDir)).toEqual([]);

    await restore(backupDir, restored);
    const second = await start(restored);
    try {
      const token = await login(second.url);
      const after = await gallery(second.url, token);
      expect(after).toEqual(before);
      // Each photo's variants (thumb, preview) are served from the restored variants bucket.
      expect(after.every(({ loads }) => Object.keys(loads).length >= 2 && Object.values(loads).every((status) => status === 200))).toBe(true);
    } finally {
      await second.stop();
    }

    // One byte of one original changed: verify names it (also through the command, exit code 1), restore refuses.
    const victim = readManifest(backupDir).files.find((file) => file.path.startsWith('buckets/originals/') && file.size > 1000)!;
    const bytes = readFileSync(join(backupDir, 'data', victim.path));
    bytes[bytes.length >> 1]! ^= 0xff;
    writeFileSync(join(backupDir, 'data', victim.path), bytes);
    expect(await verify(backupDir)).toEqual([`checksum differs: ${victim.path}`]);
    const verifyCommand = [process.execPath, '--conditions=@photos/source', '--import', 'tsx', 'scripts/backup-verify.ts', backupDir] as const;
    const command = await promisify(execFile)(verifyCommand[0], verifyCommand.slice(1), { cwd: root }).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(command.code).toBe(1);
    expect(command.stdout).toContain(`checksum differs: ${victim.path}`);
    const elsewhere = join(scratch, 'elsewhere');
    await expect(restore(backupDir, elsewhere)).rejects.toBeInstanceOf(BackupError);
    expect(() => readFileSync(join(elsewhere, 'jwt-secret'))).toThrow();
  });
});
