/**
 * Issue 10's "done when", in headless Chromium (Debian's, driven by playwright-core): an iPhone-style
 * HEIC (HEVC, made by heif-enc from the format corpus, with the EXIF date an iPhone writes) goes through
 * the web app's file picker to a ready tile whose thumbnail loads, and its detail shows the EXIF date
 * and camera. The platform runs embedded (the `npm start` composition).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, startBrowserPlatform, type BrowserPlatform } from '../support/browser-platform.js';
import { formatCorpus } from '../formats/format-corpus.js';

let platform: BrowserPlatform;
const corpus = formatCorpus();
const heic = corpus.entries.find((entry) => entry.file === 'heic-heif-enc.heic')!;

beforeAll(async () => {
  platform = await startBrowserPlatform('heic', ['--lang=en-US']);
}, 300_000);

afterAll(() => platform?.stop());

describe('an iPhone photo in the web app', () => {
  it('goes from the file picker to a ready tile, and its detail shows the EXIF date and camera', async () => {
    const page = await platform.browser.newPage({ viewport: { width: 1280, height: 860 }, locale: 'en-US' });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // Photos and media only: before logging in, the app's session probes answer 401 by design.
    page.on('response', (response) => {
      const path = new URL(response.url()).pathname;
      if (response.status() >= 400 && !path.startsWith('/api/auth/')) errors.push(`${response.status()} ${response.request().method()} ${path}`);
    });

    await page.goto(platform.url);
    await page.getByTestId('show-register').click();
    await page.getByTestId('register-email').fill(`iphone-${Date.now()}@example.com`);
    await page.getByTestId('register-password').fill('a long enough password');
    await page.getByTestId('register-submit').click();
    await expect.poll(() => page.getByTestId('file-input').count(), { timeout: 15_000 }).toBe(1);

    // As a phone's browser hands it over: the camera's file name, the HEIC type.
    await page.getByTestId('file-input').setInputFiles({ name: 'IMG_0417.HEIC', mimeType: 'image/heic', buffer: readFileSync(join(corpus.dir, heic.file)) });
    const tile = page.getByTestId('photo-tile');
    await expect.poll(() => tile.count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => tile.getAttribute('data-status'), { timeout: 60_000 }).toBe('ready');
    // The thumbnail is a WebP the browser decodes, upright (landscape, as the photo is shown).
    await expect
      .poll(() => page.getByTestId('photo-thumb').evaluate((img) => [(img as HTMLImageElement).naturalWidth, (img as HTMLImageElement).naturalHeight]), {
        timeout: 30_000,
      })
      .toEqual([320, Math.round((320 * heic.height) / heic.width)]);

    await tile.click();
    await expect.poll(() => page.getByTestId('photo-detail').isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => page.getByTestId('photo-preview').evaluate((img) => (img as HTMLImageElement).naturalWidth), { timeout: 15_000 }).toBe(heic.width);
    // takenAt 2024-05-17T14:03:22+02:00 is the camera's wall clock: shown as such, whatever the viewer's zone.
    expect(heic.exif.takenAt).toBe('2024-05-17T14:03:22+02:00');
    await expect.poll(() => page.locator('dt:text-is("Taken") + dd').textContent(), { timeout: 10_000 }).toMatch(/May 17, 2024.*2:03/);
    expect(await page.getByTestId('exif-camera').textContent()).toContain(heic.exif.cameraModel!);
    await page.screenshot({ path: join(artifacts, 'heic-detail.png') });
    expect(errors).toEqual([]);
    await page.close();
  });
});
