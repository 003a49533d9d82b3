import sharp from 'sharp';
import { readFileSync } from 'node:fs';
const dir = '/work/main/.cache/sample-photos';
const jpg = readFileSync(`${dir}/Storm.jpg`), prog = readFileSync(`${dir}/Elephants_3840x2160.jpg`), webp = readFileSync(`${dir}/wood-l.webp`);
const png = await sharp(jpg).resize(400).png().toBuffer();
const gif = await sharp(jpg).resize(400).gif().toBuffer();
const avif = await sharp(jpg).resize(400).avif().toBuffer();
const tiff = await sharp(jpg).resize(400).tiff().toBuffer();
const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
const cut = (b, f) => b.subarray(0, Math.floor(b.length * f));
const flip = (b, at) => { const c = Buffer.from(b); for (let i = at; i < at + 200 && i < c.length; i++) c[i] ^= 0x5a; return c; };
const cases = {
  jpg60: cut(jpg, .6), jpg10: cut(jpg, .1), jpg2: cut(jpg, .02), jpgHdr: jpg.subarray(0, 4), prog60: cut(prog, .6), prog95: cut(prog, .95), jpgFlip: flip(jpg, 20000), jpgFlipHdr: flip(jpg, 2), 
  png60: cut(png, .6), pngFlip: flip(png, 1000), webp60: cut(webp, .6), webpFlip: flip(webp, 5000), gif60: cut(gif, .6), avif60: cut(avif, .6), avifFlip: flip(avif, 400), tiff60: cut(tiff, .6), svg,
  heicish: Buffer.concat([Buffer.from([0,0,0,0x18]), Buffer.from('ftypheic'), Buffer.alloc(12), Buffer.alloc(100)]),
};
for (const [n, b] of Object.entries(cases)) {
  for (const failOn of ['error', 'warning']) {
  try {
    const m = await sharp(b, { pages: 1, failOn, limitInputPixels: 1e8 }).metadata();
    const r = await sharp(b, { pages: 1, failOn, limitInputPixels: 1e8 }).rotate().resize(1600, 1600, { fit: 'inside', withoutEnlargement: true }).toColourspace('srgb').raw().toBuffer();
    console.log(n, failOn, 'OK', m.format);
  } catch (e) { console.log(n, failOn, 'ERR', JSON.stringify(e.message)); }
  }
}
