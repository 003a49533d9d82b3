import sharp from 'sharp';
import { readFileSync, readdirSync } from 'node:fs';
const dir = '/work/main/.cache/sample-photos';
const files = readdirSync(dir).filter(f => f.endsWith('.jpg')).map(f => readFileSync(`${dir}/${f}`));
const opts = { limitInputPixels: 1e9, pages: 1, failOn: 'error' };
const fit = (n) => ({ width: n, height: n, fit: 'inside', withoutEnlargement: true });
const enc = {
  moz: (s) => s.jpeg({ quality: 80, mozjpeg: true }),
  jpegProg: (s) => s.jpeg({ quality: 80, progressive: true, optimizeCoding: true }),
  jpeg: (s) => s.jpeg({ quality: 80 }),
  webp4: (s) => s.webp({ quality: 80 }),
  webp2: (s) => s.webp({ quality: 80, effort: 2 }),
};
async function A(buf, pe) {
  const base = sharp(buf, opts).rotate();
  const [meta, thumb, preview, tiny] = await Promise.all([
    base.metadata(),
    base.clone().resize(fit(320)).webp({ quality: 75 }).toBuffer({ resolveWithObject: true }),
    pe(base.clone().resize(fit(1600))).toBuffer({ resolveWithObject: true }),
    base.clone().resize(fit(100)).ensureAlpha().raw().toBuffer({ resolveWithObject: true }),
  ]);
  const st = await sharp(tiny.data, { raw: tiny.info }).stats();
  return st.dominant;
}
async function B(buf, pe) {
  const base = sharp(buf, opts).rotate();
  const meta = await base.metadata();
  const { data, info } = await base.resize(fit(1600)).raw().toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
  const [thumb, preview, tiny] = await Promise.all([
    sharp(data, raw).resize(fit(320)).webp({ quality: 75 }).toBuffer({ resolveWithObject: true }),
    pe(sharp(data, raw)).toBuffer({ resolveWithObject: true }),
    sharp(data, raw).resize(fit(100)).ensureAlpha().raw().toBuffer({ resolveWithObject: true }),
  ]);
  const st = await sharp(tiny.data, { raw: tiny.info }).stats();
  return st.dominant;
}
async function bench(name, fn, pe) {
  for (const f of files.slice(0, 3)) await fn(f, pe);
  const t = performance.now();
  for (let r = 0; r < 2; r++) for (const f of files) await fn(f, pe);
  const s = (performance.now() - t) / 1000;
  console.log(name, (files.length * 2 / s).toFixed(2), 'photos/s');
}
const which = process.argv[2];
if (which === 'enc') {
  for (const [k, pe] of Object.entries(enc)) await bench('A-' + k, A, pe);
  await bench('B-moz', B, enc.moz);
  await bench('B-webp4', B, enc.webp4);
  await bench('B-jpegProg', B, enc.jpegProg);
}
