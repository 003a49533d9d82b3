/**
 * The metadata database lost under a running system, every service its own process (RabbitMQ, s3rver,
 * PostgreSQL, metadata's Redis cache), then `npm run rebuild-metadata` run as an operator runs it: two
 * users with photos ready, failed, deleted and still processing (the processor is down for the last
 * upload). After the rebuild every gallery is what it was (ids, statuses, EXIF, failure, variants that
 * load), the deleted photo still gone, and the photo that waited for the processor done like the others.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestVhost } from '@photos/event-bus/test-support/rabbitmq-vhost';
import pg from 'pg';
import sharp from 'sharp';
import { afterAll, expect, it } from 'vitest';
import { truncated } from '../../services/upload/src/test-support/bad-inputs.js';
import { samplePhotos } from '../../services/upload/src/test-support/sample-photos.js';
import { distinctPhotos } from '../support/distinct-photos.js';
import { ProcessPlatform } from '../support/process-platform.js';
import { apiClient } from '../support/public-api.js';
import { gallery, settled } from './gallery-snapshot.js';

const root = join(import.meta.dirname, '..', '..');
const workDir = mkdtempSync(join(tmpdir(), 'rebuild-processes-'));
const vhost = await createTestVhost('rebuild-processes');
const platform = new ProcessPlatform({ AMQP_URL: vhost.url });
afterAll(async () => {
  await platform.stop();
  await vhost.remove();
  rmSync(workDir, { recursive: true, force: true });
});

it('rebuilds every gallery after the metadata database is dropped under the running services', { timeout: 300_000 }, async () => {
  try {
    await platform.start(1);
    const url = platform.bff.url;
    const api = apiClient(url);
    const alice = await api.register('alice-processes@example.com', 'alice password for the rebuild');
    const bob = await api.register('bob-processes@example.com', 'bob password for the rebuild');
    const photos = await distinctPhotos(4, 600);
    const broken = { name: 'broken.jpg', bytes: truncated(samplePhotos(/\.jpe?g$/i)[0]!) };
    const withExif = {
      name: 'exif.jpg',
      bytes: await sharp(photos[2]!.bytes)
        .withExif({ IFD0: { Make: 'Rebuild', Model: 'Process camera' }, IFD2: { DateTimeOriginal: '2024:05:06 07:08:09' } })
        .jpeg()
        .toBuffer(),
    };
    expect((await api.upload(alice.accessToken, [photos[0]!, photos[1]!, broken])).status).toBe(202);
    expect((await api.upload(bob.accessToken, [withExif])).status).toBe(202);
    await expect.poll(() => settled(url, alice.accessToken, 3), { timeout: 90_000 }).toBe(true);
    await expect.poll(() => settled(url, bob.accessToken, 1), { timeout: 90_000 }).toBe(true);
    const deleted = (await api.list(alice.accessToken)).items.find((p) => p.status === 'ready')!.id;
    expect((await api.remove(alice.accessToken, deleted)).status).toBe(204);
    await expect.poll(async () => (await api.list(alice.accessToken)).items.length, { timeout: 30_000 }).toBe(2);
    // The processor is down: bob's next photo stays `processing`.
    await platform.kill('processor-1');
    expect((await api.upload(bob.accessToken, [photos[3]!])).status).toBe(202);
    await expect.poll(async () => (await api.list(bob.accessToken)).items.map((p) => p.status), { timeout: 30_000 }).toEqual(['processing', 'ready']);

    const before = { alice: await gallery(url, alice.accessToken), bob: await gallery(url, bob.accessToken) };
    expect(before.alice.map((p) => p.status).sort()).toEqual(['failed', 'ready']);
    expect(before.bob.find((p) => p.filename === 'exif.jpg')?.exif).toMatchObject({ cameraMake: 'Rebuild', takenAt: '2024-05-06T07:08:09' });
    expect([...before.alice, ...before.bob].flatMap((p) => p.loads).every((status) => status === 200)).toBe(true);

    // The database is lost while the services run; metadata, restarted on the same URL, migrates an empty one.
    const metadataPort = Number(new URL(platform.service('metadata').url).port);
    const database = new URL(platform.databaseUrl('metadata')).pathname.slice(1);
    const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE ${database} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${database}`);
    } finally {
      await admin.end();
    }
    await platform.kill('metadata');
    await platform.startService('metadata', 'metadata', { DATABASE_URL: platform.databaseUrl('metadata'), MIGRATE_ON_START: 'true' }, metadataPort);
    expect((await api.list(alice.accessToken)).items).toEqual([]);
    expect((await api.list(bob.accessToken)).items).toEqual([]);

    // The processor back (the rebuild has every photo processed again); then the operator's command,
    // with the platform's broker and bucket.
    await platform.startService('processor-1', 'processor');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@photos/source', '--import', 'tsx', join(root, 'scripts', 'rebuild-metadata.ts'), '--checkpoint', join(workDir, 'checkpoint')],
      { cwd: root, env: { ...process.env, ...platform.env } },
    );
    expect(stdout).toMatch(/published 4 of 4 recorded uploads/); // the deleted photo has no record any more
    await expect.poll(() => settled(url, alice.accessToken, 2), { timeout: 90_000 }).toBe(true);
    await expect.poll(() => settled(url, bob.accessToken, 2), { timeout: 90_000 }).toBe(true);
    expect(await gallery(url, alice.accessToken)).toEqual(before.alice);
    // Bob's: the same, but the photo that waited for the processor is now done, like any other.
    const after = await gallery(url, bob.accessToken);
    expect(after.map((p) => p.id)).toEqual(before.bob.map((p) => p.id));
    expect(after[1]).toEqual(before.bob[1]);
    expect(after[0]).toMatchObject({ status: 'ready', filename: before.bob[0]!.filename, loads: [200, 200] });
  } catch (error) {
    console.error(platform.logs());
    throw error;
  }
});
