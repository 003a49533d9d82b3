import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..', '..');

/** The folder of real sample photos (fetched from Debian's packages on first use). */
export function samplePhotosDir(): string {
  const dir = join(root, '.cache', 'sample-photos');
  if (!existsSync(dir) || readdirSync(dir).length < 15) {
    execFileSync('bash', [join(root, 'scripts', 'sample-photos.sh'), dir], { stdio: 'inherit' });
  }
  return dir;
}

/** Paths of the sample photos whose name matches. */
export function samplePhotos(pattern = /\.(jpe?g|webp)$/i): string[] {
  const dir = samplePhotosDir();
  return readdirSync(dir)
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => join(dir, name));
}
