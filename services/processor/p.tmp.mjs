import sharp from 'sharp';
import { readFileSync, readdirSync } from 'node:fs';
const dir = '/work/main/.cache/sample-photos';
const fit = (n) => ({ width: n, height: n, fit: 'inside', withoutEnlargement: true });
const opts = { limitInputPixels: 1e9, pages: 1, failOn: 'error' };
async function time(label, fn, n = 5) { await fn(); const t = performance.now(); for (let i = 0; i < n; i++) await fn(); console.log(label, ((performance.now() - t) / n).toFixed(0), 'ms'); }
for (const name of ['Elephants_5640x3172.jpg', 'Aqua.jpg']) {
  const buf = readFileSync(`${dir}/${name}`);
  const base = () => sharp(buf, opts).rotate();
  console.log(name);
  await time(' metadata', () => base().metadata());
  await time(' thumb', () => base().resize(fit(320)).webp({ quality: 75 }).toBuffer());
  await time(' tiny', () => base().resize(fit(100)).ensureAlpha().raw().toBuffer());
  await time(' preview moz', () => base().resize(fit(1600)).jpeg({ quality: 80, mozjpeg: true }).toBuffer());
  await time(' preview raw', () => base().resize(fit(1600)).raw().toBuffer());
  const { data, info } = await base().resize(fit(1600)).raw().toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
  await time(' raw->moz', () => sharp(data, raw).jpeg({ quality: 80, mozjpeg: true }).toBuffer());
  await time(' raw->thumb', () => sharp(data, raw).resize(fit(320)).webp({ quality: 75 }).toBuffer());
  await time(' raw->tiny', () => sharp(data, raw).resize(fit(100)).ensureAlpha().raw().toBuffer());
  await time(' A parallel', () => { const b = base(); return Promise.all([b.metadata(), b.clone().resize(fit(320)).webp({ quality: 75 }).toBuffer(), b.clone().resize(fit(1600)).jpeg({ quality: 80, mozjpeg: true }).toBuffer(), b.clone().resize(fit(100)).ensureAlpha().raw().toBuffer()]); });
}
