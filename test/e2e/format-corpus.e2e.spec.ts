/**
 * Issue 10, the format corpus end to end: every file of test/formats (made by heif-enc, libheif's x265
 * and aom encoders, ImageMagick, img2webp, exiftool) is uploaded through the public API (BFF
 * /api/photos) of one embedded platform, and must end `ready` with the displayed size, variants that
 * decode upright with the right aspect and in sRGB, the colours its manifest says (colour-managed files
 * converted through their ICC profile), the first frame of an animation, and its EXIF fields.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPlatform } from '../../apps/embedded/src/embedded-platform.js';
import { formatCorpus, type ColourProbe, type CorpusEntry, type Rgb } from '../formats/format-corpus.js';

const corpus = formatCorpus();
let platform: Awaited<ReturnType<typeof startEmbeddedPlatform>>;
let dataDir: string;
let token: string;
/** The photo each file became, once it left `processing`. */
const photos = new Map<string, Photo>();

interface Variant {
  url: string;
  width: number;
  height: number;
}
interface Photo {
  id: string;
  status: 'processing' | 'ready' | 'failed';
  width: number | null;
  height: number | null;
  takenAt: string | null;
  placeholder: string | null;
  variants: { thumb?: Variant; preview?: Variant };
  exif?: Record<string, unknown>;
  failure?: { reason: string; code?: string };
}

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${platform.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'format-corpus-'));
  platform = await startEmbeddedPlatform({ dataDir, port: 0, host: '127.0.0.1', env: { LOG_LEVEL: 'warn', SCRYPT_COST: '12' } });
  const credentials = JSON.stringify({ email: 'formats@example.com', password: 'a long enough password' });
  const headers = { 'content-type': 'application/json' };
  const register = await fetch(`${platform.url}/api/auth/register`, { method: 'POST', headers, body: credentials });
  expect(register.ok, await register.clone().text()).toBe(true);
  const login = await fetch(`${platform.url}/api/auth/login`, { method: 'POST', headers, body: credentials });
  expect(login.status).toBe(200);
  token = ((await login.json()) as { accessToken: string }).accessToken;

  // All at once, one request per file, as a phone syncing its camera roll would.
  const ids = await Promise.all(
    corpus.entries.map(async (entry) => {
      const form = new FormData();
      form.append('file', new Blob([readFileSync(join(corpus.dir, entry.file))]), entry.file);
      const response = await call('/api/photos', { method: 'POST', body: form });
      if (response.status !== 202) return { entry, refused: `${response.status} ${await response.text()}` };
      return { entry, id: ((await response.json()) as { photos: { id: string }[] }).photos[0]!.id };
    }),
  );
  const deadline = Date.now() + 90_000;
  for (const upload of ids) {
    if (!('id' in upload) || !upload.id) {
      photos.set(upload.entry.file, { status: 'failed', failure: { reason: upload.refused! } } as Photo);
      continue;
    }
    for (;;) {
      const response = await call(`/api/photos/${upload.id}`);
      const photo = response.ok
        ? ((await response.json()) as Photo)
        : ({ status: 'failed', failure: { reason: `GET ${response.status} ${await response.text()}` } } as Photo);
      if (photo.status !== 'processing' || Date.now() > deadline) {
        photos.set(upload.entry.file, photo);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}, 180_000);

afterAll(async () => {
  await platform?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The mean colour of a small square (4% of the long edge) around a probe. */
async function colourAt(image: Buffer, probe: Pick<ColourProbe, 'x' | 'y'>): Promise<{ rgb: Rgb; alpha: number }> {
  const { data, info } = await sharp(image).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const half = Math.max(1, Math.round(Math.max(info.width, info.height) * 0.02));
  const cx = Math.round(probe.x * info.width);
  const cy = Math.round(probe.y * info.height);
  const sum = [0, 0, 0, 0];
  let n = 0;
  for (let y = cy - half; y < cy + half; y++) {
    for (let x = cx - half; x < cx + half; x++) {
      const i = (y * info.width + x) * 4;
      for (let c = 0; c < 4; c++) sum[c]! += data[i + c]!;
      n++;
    }
  }
  const [r, g, b, a] = sum.map((value) => Math.round(value / n)) as [number, number, number, number];
  return { rgb: [r, g, b], alpha: a };
}

const distance = (a: Rgb, b: Rgb) => Math.max(...a.map((value, i) => Math.abs(value - b[i]!)));

/** Fetches a variant through its URL, as the web app's <img> does. */
async function variantBytes(variant: Variant): Promise<Buffer> {
  const response = await fetch(new URL(variant.url, platform.url));
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

describe('every format of the corpus, uploaded through the public API', () => {
  // HEIC with HEVC inside goes through the processor's WebAssembly libheif (sharp's prebuilt libvips has no HEVC decoder).
  const cases = corpus.entries.map((entry) => [entry.hevc ? `${entry.file} (HEVC)` : entry.file, entry] as const);
  it.each(cases)('%s ends ready, upright, in sRGB, with its EXIF', (_name, entry) => checkPhoto(entry));
});

async function checkPhoto(entry: CorpusEntry): Promise<void> {
  const photo = photos.get(entry.file)!;
  expect(photo.failure, entry.description).toBeUndefined();
  expect(photo.status).toBe('ready');
  expect([photo.width, photo.height]).toEqual([entry.width, entry.height]);
  expect(photo.placeholder?.length).toBeGreaterThan(10);

  for (const [name, edge] of [
    ['thumb', 320],
    ['preview', 1600],
  ] as const) {
    const variant = photo.variants[name]!;
    const bytes = await variantBytes(variant);
    const decoded = await sharp(bytes).metadata();
    expect([decoded.width, decoded.height], name).toEqual([variant.width, variant.height]);
    expect(Math.max(variant.width, variant.height)).toBe(Math.min(edge, Math.max(entry.width, entry.height)));
    expect(Math.abs(variant.width / variant.height - entry.width / entry.height), `${name} aspect`).toBeLessThan(0.01);
    expect(decoded.space, `${name} colour space`).toBe('srgb');
    expect(decoded.pages ?? 1, `${name} is one frame`).toBe(1);
    // A variant either has no profile (read as sRGB) or an sRGB one, never the original's.
    if (decoded.icc) expect(decoded.icc.subarray(16, 20).toString('latin1')).toBe('RGB ');

    for (const probe of entry.colours) {
      if (probe.previewOnly && name !== 'preview') continue;
      const { rgb } = await colourAt(bytes, probe);
      const where = `${name} at ${probe.x},${probe.y}: ${rgb.join(',')}, expected ${probe.srgb.join(',')}`;
      expect(distance(rgb, probe.srgb), where).toBeLessThanOrEqual(probe.tolerance);
      if (probe.ifProfileIgnored) expect(distance(rgb, probe.ifProfileIgnored), `${where}: the ICC profile was ignored`).toBeGreaterThan(probe.tolerance);
    }
    if (entry.alpha && name === 'thumb') expect((await colourAt(bytes, { x: 0.9, y: 0.9 })).alpha, 'thumb keeps transparency').toBeLessThan(16);
  }

  const { gps, ...fields } = entry.exif;
  expect(photo.exif ?? {}).toMatchObject(fields);
  if (gps) {
    const seen = photo.exif?.['gps'] as { latitude: number; longitude: number; altitude?: number } | undefined;
    expect(seen?.latitude).toBeCloseTo(gps.latitude, 4);
    expect(seen?.longitude).toBeCloseTo(gps.longitude, 4);
    if (gps.altitude !== undefined) expect(seen?.altitude).toBeCloseTo(gps.altitude, 1);
  }
  if (entry.exif.takenAt) expect(photo.takenAt).toBe(entry.exif.takenAt);
}
