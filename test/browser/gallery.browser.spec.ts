/**
 * A person in headless Chromium (Debian's, driven by playwright-core): registers, uploads two photos,
 * sees both thumbnails appear without reloading, opens one, deletes the other. The platform runs
 * embedded (the `npm start` composition). The gallery screenshot is kept in test-results/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, startBrowserPlatform, type BrowserPlatform } from '../support/browser-platform.js';
import { samplePhotos } from '../../services/upload/src/test-support/sample-photos.js';

let platform: BrowserPlatform;

beforeAll(async () => {
  platform = await startBrowserPlatform('gallery');
}, 300_000);

afterAll(() => platform?.stop());

const tiles = (page: Page) => page.getByTestId('photo-tile');

describe('the web app in a browser', () => {
  it('registers, uploads two photos, sees them ready live, opens one, deletes the other', async () => {
    const page = await platform.browser.newPage({ viewport: { width: 1280, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && !message.text().startsWith('Failed to load resource') && errors.push(message.text()));
    page.on(
      'response',
      (response) => response.status() >= 400 && errors.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`),
    );

    await page.goto(platform.url);
    await page.getByTestId('show-register').click();
    await page.getByTestId('register-email').fill(`ada-${Date.now()}@example.com`);
    await page.getByTestId('register-password').fill('a long enough password');
    await page.getByTestId('register-submit').click();
    await expect.poll(() => page.getByTestId('file-input').count(), { timeout: 15_000 }).toBe(1);

    const photos = samplePhotos(/^(Garden|RainDrops)\.jpg$/);
    await page.getByTestId('file-input').setInputFiles(photos);
    // No reload from here on: status arrives over SSE.
    await expect.poll(() => tiles(page).count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => page.locator('[data-testid="photo-tile"][data-status="ready"]').count(), { timeout: 60_000 }).toBe(2);
    await expect
      .poll(() => page.getByTestId('photo-thumb').evaluateAll((imgs) => imgs.filter((img) => (img as HTMLImageElement).naturalWidth > 0).length), {
        timeout: 30_000,
      })
      .toBe(2);
    await page.screenshot({ path: join(artifacts, 'gallery.png') });

    const [first, second] = await tiles(page).evaluateAll((all) => all.map((tile) => tile.getAttribute('data-photo-id')));
    await page.locator(`[data-testid="photo-tile"][data-photo-id="${first}"]`).click();
    const detail = page.getByTestId('photo-detail');
    await expect.poll(() => detail.isVisible(), { timeout: 10_000 }).toBe(true);
    await expect
      .poll(() => page.getByTestId('photo-preview').evaluate((img) => (img as HTMLImageElement).naturalWidth), { timeout: 15_000 })
      .toBeGreaterThan(320);
    await page.screenshot({ path: join(artifacts, 'detail.png') });
    await page.keyboard.press('Escape');
    await expect.poll(() => detail.isVisible(), { timeout: 10_000 }).toBe(false);

    await page.locator(`[data-testid="photo-tile"][data-photo-id="${second}"]`).click();
    await page.getByTestId('delete-button').click();
    await page.getByTestId('confirm-delete').click();
    await expect.poll(() => tiles(page).evaluateAll((all) => all.map((tile) => tile.getAttribute('data-photo-id'))), { timeout: 15_000 }).toEqual([first]);

    await page.reload();
    await expect.poll(() => tiles(page).evaluateAll((all) => all.map((tile) => tile.getAttribute('data-photo-id'))), { timeout: 15_000 }).toEqual([first]);
    expect(errors, `opened ${first}, deleted ${second}`).toEqual([]);
    await page.close();
  });

  it('fits a phone-sized screen', async () => {
    const page = await platform.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(platform.url);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(artifacts, 'phone-login.png') });
    await page.close();
  });
});
