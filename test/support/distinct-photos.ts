/**
 * Many different real photos from the few samples: each sample re-encoded at its own size and quality,
 * so every one has other bytes (one owner's identical uploads would be deduplicated into one photo).
 * Shrunk to at most `longEdge` so a batch is processed in seconds.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { samplePhotos } from '../../services/upload/src/test-support/sample-photos.js';

export interface TestPhoto {
  name: string;
  bytes: Buffer;
  sha256: string;
}

export async function distinctPhotos(count: number, longEdge = 1200): Promise<TestPhoto[]> {
  const sources = samplePhotos(/\.jpe?g$/i);
  const photos: TestPhoto[] = [];
  for (let i = 0; i < count; i++) {
    const round = Math.floor(i / sources.length);
    const edge = longEdge - 16 * round;
    const bytes = await sharp(sources[i % sources.length]!)
      .resize({ width: edge, height: edge, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 85 - round })
      .toBuffer();
    photos.push({ name: `photo-${i}.jpg`, bytes, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  if (new Set(photos.map((p) => p.sha256)).size !== count) throw new Error('distinctPhotos made two identical photos');
  return photos;
}

/**
 * As many photos as asked, all of one size (`longEdge`): each sample shrunk once, then every copy gets its
 * own EXIF image description, so the bytes differ while the work per photo stays the same (for benchmarks
 * of thousands, where `distinctPhotos`' shrinking rounds would run out of sizes).
 */
export async function numberedPhotos(count: number, longEdge = 1280): Promise<TestPhoto[]> {
  const sources = await Promise.all(
    samplePhotos(/\.jpe?g$/i).map((source) =>
      sharp(source).resize({ width: longEdge, height: longEdge, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 85 }).keepExif().toBuffer(),
    ),
  );
  const photos: TestPhoto[] = [];
  for (let i = 0; i < count; i++) {
    const bytes = await sharp(sources[i % sources.length]!)
      .withExifMerge({ IFD0: { ImageDescription: `photo ${i}` } })
      .jpeg({ quality: 85 })
      .toBuffer();
    photos.push({ name: `photo-${i}.jpg`, bytes, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  return photos;
}
