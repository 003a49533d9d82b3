import sharp from 'sharp';
import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
const jpg = readFileSync('/work/main/.cache/sample-photos/Storm.jpg');
const trunc = jpg.subarray(0, Math.floor(jpg.length * 0.6));
function crc32(buf){ return zlib.crc32(buf); }
function chunk(type, data){ const len=Buffer.alloc(4); len.writeUInt32BE(data.length); const td=Buffer.concat([Buffer.from(type,'ascii'),data]); const c=Buffer.alloc(4); c.writeUInt32BE(crc32(td)>>>0); return Buffer.concat([len,td,c]); }
const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(30000,0); ihdr.writeUInt32BE(30000,4); ihdr[8]=8; ihdr[9]=2;
const png = Buffer.concat([Buffer.from([0x89,0x50,0x4e,0x47,0x0d,0x0a,0x1a,0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.alloc(100))), chunk('IEND', Buffer.alloc(0))]);
const cases = { trunc, zero: Buffer.alloc(0), text: Buffer.from('hello world, not an image\n'), png };
for (const failOn of ['truncated','error','warning']) for (const [n, b] of Object.entries(cases)) {
  const t = Date.now();
  try {
    const base = sharp(b, { limitInputPixels: 50e6, pages: 1, failOn }).rotate();
    const r = await base.clone().resize(320,320,{fit:'inside'}).webp().toBuffer({resolveWithObject:true});
    console.log(failOn, n, 'OK', r.info.width, Date.now()-t);
  } catch (e) { console.log(failOn, n, 'ERR', JSON.stringify(e.message), e.constructor.name, Object.keys(e), Date.now()-t); }
}
try { await sharp(png, { limitInputPixels: 50e6 }).metadata().then(m=>console.log('png meta', m.width)); } catch(e){console.log('meta err', e.message);}
try { await sharp(trunc, { failOn:'error' }).metadata().then(m=>console.log('trunc meta', m.width)); } catch(e){console.log('meta err', e.message);}
try { await sharp(Buffer.from('x')).metadata(); } catch(e){console.log('meta err', e.message);}
try { sharp(Buffer.alloc(0)); } catch(e){console.log('ctor err', e.message);}
