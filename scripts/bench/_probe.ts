import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { photoCatalogue } from '@photos/contracts';
import { createFsObjectStore } from '@photos/object-store';
import { processImage } from '../../services/processor/src/domain/process-image.js';
import { processPhoto } from '../../services/processor/src/domain/process-photo.js';
import { configureSharp } from '../../services/processor/src/domain/sharp-settings.js';
import { median, samplePhotos } from './lib/bench-kit.js';
const timed = async (fn: () => Promise<unknown>) => { const c = process.cpuUsage(); await fn(); const d = process.cpuUsage(c); return (d.user + d.system) / 1000; };
import { rawSharp } from './lib/raw-sharp.js';
configureSharp({ concurrency: 1 });
const dir = await mkdtemp(join(tmpdir(), 'probe-'));
const originals = createFsObjectStore({ root: join(dir, 'o') });
const variants = createFsObjectStore({ root: join(dir, 'v') });
await originals.ensureBucket(); await variants.ensureBucket();
const photos = samplePhotos(/\.jpe?g$/);
const tot = { raw: 0, img: 0, photo: 0, get: 0, put: 0 };
for (const p of photos) {
  const key = `originals/${randomUUID()}`;
  await originals.put(key, p.bytes, { contentType: 'image/jpeg' });
  const sha256 = createHash('sha256').update(p.bytes).digest('hex');
  const r = { raw: [] as number[], img: [] as number[], photo: [] as number[], get: [] as number[], put: [] as number[] };
  for (let i = 0; i < 4; i++) {
    r.raw.push(await timed(() => rawSharp(p.bytes)));
    r.img.push(await timed(() => processImage(p.bytes, { maxPixels: 1e8 })));
    r.get.push(await timed(async () => { const s = await originals.get(key); for await (const _ of s) {} }));
    r.put.push(await timed(() => variants.put(`x/${randomUUID()}`, p.bytes.subarray(0, 100000), { contentType: 'image/jpeg' })));
    const photoId = randomUUID();
    const ev = photoCatalogue.create('photo.uploaded', photoId, { photoId, ownerId: 'b', objectKey: key, filename: p.name, contentType: 'image/jpeg', bytes: p.bytes.length, sha256, uploadedAt: new Date().toISOString() }, { source: '/b' });
    r.photo.push(await timed(() => processPhoto(ev, { originals, variants, publish: async () => {}, limits: { maxPixels: 1e8 }, now: () => new Date() })));
  }
  const m = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, median(v.slice(1))])) as typeof tot;
  for (const k of Object.keys(tot) as (keyof typeof tot)[]) tot[k] += m[k];
  console.log(p.name.padEnd(26), Object.entries(m).map(([k, v]) => `${k} ${v.toFixed(0)}`).join('  '));
}
console.log('TOTAL', Object.entries(tot).map(([k, v]) => `${k} ${v.toFixed(0)}`).join('  '));
