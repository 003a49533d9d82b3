/**
 * The gallery timeline in headless Chromium with a few hundred photos (seeded straight into metadata's
 * database, each with a real thumbnail: scripts/bench/gallery-platform.ts): month headers in list order,
 * a DOM that stays small while scrolling through everything (only the rows on screen are rendered), every
 * photo reachable, and selection by click and shift-click.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGalleryPlatform, type GalleryPlatform } from '../../scripts/bench/gallery-platform.js';
import { artifacts, CHROMIUM_ARGS } from '../support/browser-platform.js';
import { walkTimelineToEnd } from '../support/timeline-walk.js';

const COUNT = 300;
/** Photo 150 (by upload order) was taken years before the others: uploaded late, it sits among August's. */
const LATE_UPLOAD = 150;
const root = join(import.meta.dirname, '..', '..');

let platform: GalleryPlatform;
let browser: Browser;

beforeAll(async () => {
  execFileSync('bash', [join(root, 'scripts', 'ensure-chromium.sh')], { stdio: 'inherit' });
  // 40 photos a month from January 2020, oldest upload first, and one photo of June 2015 uploaded late.
  platform = await startGalleryPlatform({
    count: COUNT,
    takenAt: (i) => (i === LATE_UPLOAD ? new Date(Date.UTC(2015, 5, 10, 12)) : new Date(Date.UTC(2020, Math.floor(i / 40), 1 + (i % 25), 12))),
  });
  browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

async function signedInPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US' });
  const login = await context.request.post(`${platform.url}/api/auth/login`, { data: { email: platform.email, password: platform.password } });
  expect(login.status()).toBe(200);
  const page = await context.newPage();
  await page.goto(platform.url);
  await expect.poll(() => page.getByTestId('photo-tile').count(), { timeout: 30_000 }).toBeGreaterThan(0);
  return page;
}

const tile = (page: Page, id: string) => page.locator(`[data-testid="photo-tile"][data-photo-id="${id}"]`);

describe('the gallery timeline', () => {
  it('shows month headers in list order and every photo, with a bounded DOM while scrolling to the end', async () => {
    const page = await signedInPage();
    // The headers the list order calls for: a run of photos of one month gets one (newest upload first).
    const expected: string[] = [];
    for (const photo of platform.photos) if (expected.at(-1) !== photo.takenAt.slice(0, 7)) expected.push(photo.takenAt.slice(0, 7));
    expect(expected).toEqual(['2020-08', '2020-07', '2020-06', '2020-05', '2020-04', '2015-06', '2020-04', '2020-03', '2020-02', '2020-01']);

    // One screen per frame to "That's all of them.", noting what each frame holds.
    const seen = await walkTimelineToEnd(page);
    await page.screenshot({ path: join(artifacts, 'gallery-timeline-end.png') });

    expect(seen.headers.map((header) => header.split('|')[0])).toEqual(expected);
    expect(seen.headers[0]).toBe('2020-08|August 2020');
    expect(seen.headers[5]).toBe('2015-06|June 2015');
    // Every photo was on screen at some point, the oldest last; never more than a few screens of images at once.
    expect(seen.ids).toHaveLength(COUNT);
    expect(new Set(seen.ids)).toEqual(new Set(platform.photos.map((photo) => photo.id)));
    expect(await tile(page, platform.photos.at(-1)!.id).count()).toBe(1);
    expect(seen.maxImages).toBeGreaterThan(10);
    expect(seen.maxImages).toBeLessThan(COUNT / 2);
    expect(await page.locator('img').count()).toBeLessThan(COUNT / 2);
    await page.context().close();
  });

  it('selects with a checkbox, a click while selecting and a shift-click range; Escape clears; arrow keys move between photos', async () => {
    const page = await signedInPage();
    const [a, b, c, d, e, f] = platform.photos.map((photo) => photo.id);
    const selectedIds = () =>
      page.locator('[data-testid="photo-tile"][aria-selected="true"]').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-photo-id')));

    // Nothing selected: a click opens the photo.
    await tile(page, a!).locator('button.tile').click();
    await expect.poll(() => page.getByTestId('photo-detail').isVisible(), { timeout: 10_000 }).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('photo-detail').count(), { timeout: 10_000 }).toBe(0);

    // The checkbox appears on hover and starts the selection.
    await tile(page, b!).hover();
    await tile(page, b!).getByTestId('photo-select').check();
    await expect.poll(selectedIds).toEqual([b]);
    expect(await tile(page, b!).getByTestId('photo-select').isChecked()).toBe(true);
    // While selecting, a click on a photo selects it instead of opening it; Shift selects the range from it.
    await tile(page, d!).locator('button.tile').click();
    await expect.poll(selectedIds).toEqual([b, d]);
    await tile(page, f!)
      .locator('button.tile')
      .click({ modifiers: ['Shift'] });
    await expect.poll(selectedIds).toEqual([b, d, e, f]);
    expect(await page.getByTestId('photo-detail').count()).toBe(0);
    // A shift-click on the checkbox ranges back from the last one clicked.
    await tile(page, c!)
      .getByTestId('photo-select')
      .click({ modifiers: ['Shift'] });
    await expect.poll(selectedIds).toEqual([b, c, d, e, f]);
    // A click on a selected photo takes it out.
    await tile(page, d!).locator('button.tile').click();
    await expect.poll(selectedIds).toEqual([b, c, e, f]);
    await page.screenshot({ path: join(artifacts, 'gallery-selection.png') });

    await page.keyboard.press('Escape');
    await expect.poll(selectedIds).toEqual([]);

    // Arrow keys move the focus from photo to photo: right to the next, down to the row below.
    const focused = () => page.evaluate(() => document.activeElement?.closest('[data-testid="photo-tile"]')?.getAttribute('data-photo-id'));
    const order = platform.photos.map((photo) => photo.id);
    await tile(page, a!).locator('button.tile').focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(focused).toBe(b);
    const rowTop = await tile(page, b!).evaluate((element) => element.getBoundingClientRect().top);
    await page.keyboard.press('ArrowDown');
    await expect.poll(async () => order.indexOf((await focused())!)).toBeGreaterThan(order.indexOf(b!));
    expect(await tile(page, (await focused())!).evaluate((element) => element.getBoundingClientRect().top)).toBeGreaterThan(rowTop);
    await page.keyboard.press('ArrowUp');
    await expect.poll(async () => order.indexOf((await focused())!)).toBeLessThan(order.indexOf(c!));
    await page.context().close();
  });
});
