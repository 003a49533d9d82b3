import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { samplePhoto } from './sample-photos.js';

/** HEIC / AVIF files made by real encoders (scripts/heif-samples.sh: heif-enc and libheif), by name. */
export type HeifSamples = Readonly<Record<'exif.jpg' | 'exif-o6.heic' | 'irot6.heic' | 'irot6.avif' | 'plain.avif' | 'other.heic' | 'multi-primary-last.heic', string>>;

const SCRIPT = join('scripts', 'heif-samples.sh');

function repositoryRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, SCRIPT))) return dir;
  }
  throw new Error(`no ${SCRIPT} above ${fileURLToPath(import.meta.url)}`);
}

/**
 * Makes the samples once (cached in `<repo>/.cache/heif-samples`) from the sample photo Garden.jpg,
 * installing the encoders with apt when they are missing. Returns why not when they cannot be made here,
 * so a test can skip and say so.
 */
export function heifSamples(): { samples: HeifSamples } | { missing: string } {
  const root = repositoryRoot();
  const dir = join(root, '.cache', 'heif-samples');
  try {
    execFileSync('bash', [join(root, SCRIPT), samplePhoto('Garden.jpg'), dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return { missing: `scripts/heif-samples.sh failed: ${stderr || (error as Error).message}` };
  }
  const names = ['exif.jpg', 'exif-o6.heic', 'irot6.heic', 'irot6.avif', 'plain.avif', 'other.heic', 'multi-primary-last.heic'] as const;
  return { samples: Object.fromEntries(names.map((name) => [name, join(dir, name)])) as HeifSamples };
}
