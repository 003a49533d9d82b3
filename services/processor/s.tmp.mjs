import sharp from 'sharp';
import { readFileSync, readdirSync } from 'node:fs';
const dir = '/work/main/.cache/sample-photos';
const files = readdirSync(dir).filter(f => f.endsWith('.jpg')).map(f => readFileSync(`${dir}/${f}`));
const fit = { width: 1600, height: 1600, fit: 'inside', withoutEnlargement: true };
const enc = {
  moz80: (s) => s.jpeg({ quality: 80, mozjpeg: true }),
  turboProg80: (s) => s.jpeg({ quality: 80, progressive: true, optimizeCoding: true }),
  turbo80: (s) => s.jpeg({ quality: 80 }),
  webp80: (s) => s.webp({ quality: 80 }),
};
for (const [k, e] of Object.entries(enc)) {
  let bytes = 0; let t = performance.now();
  for (const f of files) { bytes += (await e(sharp(f).resize(fit)).toBuffer()).length; }
  console.log(k, Math.round(bytes / files.length / 1024), 'KiB avg', Math.round((performance.now() - t) / files.length), 'ms');
}
