/**
 * HEVC HEIC versions of sample JPEGs for bench:processor, made once by heif-enc (x265, quality 50, about
 * what an iPhone writes) and cached in `.cache/bench-heic/`. One is iPhone-sized: 4032x3024 (12 MP), cut
 * from the largest sample. heif-enc takes about 30 s for that one on 2 cores, the first time only.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './bench-kit.js';

export interface HeicPhoto {
  readonly name: string;
  /** The JPEG it was made from, at the same size and orientation. */
  readonly jpeg: Buffer;
  readonly heic: Buffer;
}

const SOURCES = ['Storm.jpg', 'Garden.jpg', 'Wood.jpg'];
const IPHONE = { name: 'iphone-12mp', from: 'Elephants_5640x3172.jpg', size: '4032x3024' };

export function heicPhotos(): HeicPhoto[] {
  const photos = join(ROOT, '.cache', 'sample-photos');
  const dir = join(ROOT, '.cache', 'bench-heic');
  mkdirSync(dir, { recursive: true });
  execFileSync('bash', [join(ROOT, 'scripts', 'ensure-image-tools.sh')], { stdio: 'inherit' });
  const imageMagick = existsSync('/usr/bin/convert-im6.q16') ? '/usr/bin/convert-im6.q16' : 'magick'; // a stand-in `convert` may shadow it
  const make = (name: string, jpeg: string): HeicPhoto => {
    const heic = join(dir, `${name}.heic`);
    if (!existsSync(heic)) execFileSync('heif-enc', ['-q', '50', jpeg, '-o', heic], { stdio: 'ignore' });
    return { name, jpeg: readFileSync(jpeg), heic: readFileSync(heic) };
  };
  const iphoneJpeg = join(dir, `${IPHONE.name}.jpg`);
  if (!existsSync(iphoneJpeg)) {
    execFileSync(imageMagick, [
      join(photos, IPHONE.from),
      '-resize',
      `${IPHONE.size}^`,
      '-gravity',
      'center',
      '-extent',
      IPHONE.size,
      '-quality',
      '92',
      iphoneJpeg,
    ]);
  }
  return [...SOURCES.map((source) => make(source.replace(/\.jpg$/, ''), join(photos, source))), make(IPHONE.name, iphoneJpeg)];
}
