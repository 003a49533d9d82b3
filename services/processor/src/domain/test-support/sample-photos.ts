import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = join('scripts', 'sample-photos.sh');

function repositoryRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, SCRIPT))) return dir;
  }
  throw new Error(`no ${SCRIPT} above ${fileURLToPath(import.meta.url)}`);
}

/**
 * The real photographs tests run on (JPEG with and without EXIF, large WebP), fetched by the repository's
 * script on first use and cached in `<repo>/.cache/sample-photos`. Returns absolute paths, sorted.
 */
export function samplePhotos(): string[] {
  const root = repositoryRoot();
  const dir = join(root, '.cache', 'sample-photos');
  const list = () => (existsSync(dir) ? readdirSync(dir).filter((name) => /\.(jpe?g|webp)$/i.test(name)) : []);
  if (list().length < 15) execFileSync('bash', [join(root, SCRIPT), dir], { stdio: 'ignore' });
  return list()
    .sort()
    .map((name) => join(dir, name));
}

/** The path of one sample photo by file name. */
export function samplePhoto(name: string): string {
  const path = samplePhotos().find((candidate) => candidate.endsWith(`/${name}`));
  if (!path) throw new Error(`sample photo ${name} is missing`);
  return path;
}
