import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { samplePhotos } from './sample-photos.js';

const root = join(import.meta.dirname, '..', '..', '..', '..');

/** HEIC / AVIF files made by real encoders (scripts/heif-samples.sh: heif-enc and libheif), by name. */
export type HeifSamples = Readonly<Record<'exif.jpg' | 'exif-o6.heic' | 'irot6.heic' | 'irot6.avif' | 'plain.avif' | 'other.heic' | 'multi-primary-last.heic', string>>;

/**
 * Makes the samples once (cached in `<repo>/.cache/heif-samples`), installing the encoders with apt when
 * they are missing. Returns why not when they cannot be made here, so a test can skip and say so.
 */
export function heifSamples(): { samples: HeifSamples } | { missing: string } {
  const dir = join(root, '.cache', 'heif-samples');
  try {
    const source = samplePhotos(/^Garden\.jpg$/)[0];
    if (!source) return { missing: 'the sample photo Garden.jpg is missing' };
    execFileSync('bash', [join(root, 'scripts', 'heif-samples.sh'), source, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return { missing: `scripts/heif-samples.sh failed: ${stderr || (error as Error).message}` };
  }
  const names = ['exif.jpg', 'exif-o6.heic', 'irot6.heic', 'irot6.avif', 'plain.avif', 'other.heic', 'multi-primary-last.heic'] as const;
  return { samples: Object.fromEntries(names.map((name) => [name, join(dir, name)])) as HeifSamples };
}
