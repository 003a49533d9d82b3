/**
 * Albums and sharing in headless Chromium against the embedded platform: the owner uploads three photos,
 * selects two in the gallery and adds them to a new album, deletes the third in bulk, and shares the album
 * with a second account (a second browser context), who sees exactly those two under "Shared with me"
 * and opens one (without a delete button); as contributor they add a photo of theirs, which the owner
 * takes out again; the owner revokes and the album is gone for them on their next request. Then share
 * links: a fresh context with no account opens a link and sees the album's photos; a link with a password
 * asks for it (and refuses a wrong one); revoked links stop working; one photo's link allows downloading
 * its original.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, startBrowserPlatform, type BrowserPlatform } from '../support/browser-platform.js';
import { samplePhotos } from '../../services/upload/src/test-support/sample-photos.js';

let platform: BrowserPlatform;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  platform = await startBrowserPlatform('albums');
}, 300_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await platform?.stop();
});

const PASSWORD = 'a long enough password';
const tileIds = (page: Page) =>
  page.getByTestId('photo-tile').evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute('data-photo-id')).sort((a, b) => (a! < b! ? -1 : 1)));
const loadedThumbs = (page: Page) =>
  page.getByTestId('photo-thumb').evaluateAll((imgs) => imgs.filter((img) => (img as HTMLImageElement).naturalWidth > 0).length);
const sorted = (ids: string[]) => [...ids].sort((a, b) => (a < b ? -1 : 1));

/** A fresh context (its own cookies) with a page that records script errors. */
async function newPage(browser: Browser, errors: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: platform.url });
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  return page;
}

async function register(page: Page, email: string) {
  await page.goto(platform.url);
  await page.getByTestId('show-register').click();
  await page.getByTestId('register-email').fill(email);
  await page.getByTestId('register-password').fill(PASSWORD);
  await page.getByTestId('register-submit').click();
  await expect.poll(() => page.getByTestId('logout').isVisible(), { timeout: 15_000 }).toBe(true);
}

/** Shared by the two tests: the owner's page, the album, the two photos in it. */
const shared = { owner: undefined as Page | undefined, albumId: '', inAlbum: [] as string[], errors: [] as string[] };

describe('albums and sharing in a browser', () => {
  it('adds two selected photos to a new album, shares it with a second account who sees exactly those two, revokes, and they are gone', async () => {
    const errors = shared.errors;
    const owner = await newPage(platform.browser, errors);
    shared.owner = owner;
    const stamp = Date.now();
    const ownerEmail = `ada-${stamp}@example.com`;
    const guestEmail = `grace-${stamp}@example.com`;
    await register(owner, ownerEmail);

    await owner.getByTestId('file-input').setInputFiles(samplePhotos(/^(Garden|RainDrops|LadyBird)\.jpg$/));
    await expect.poll(() => owner.locator('[data-testid="photo-tile"][data-status="ready"]').count(), { timeout: 90_000 }).toBe(3);
    const all = await tileIds(owner);
    const [first, second, left] = all as [string, string, string];

    // Multi-select two of the three, then "Add to album" into a new album.
    await selectTile(owner, first);
    await selectTile(owner, second);
    await expect.poll(() => owner.getByTestId('selection-bar-count').textContent()).toBe('2 selected');
    await owner.getByTestId('add-to-album').click();
    await owner.getByTestId('new-album-name').fill('Summer');
    await owner.getByTestId('create-and-add').click();
    await expect.poll(() => owner.getByTestId('selection-notice').textContent(), { timeout: 15_000 }).toMatch(/^Added 2 photos to “Summer”/);

    // Bulk delete: the third photo goes, the two in the album stay.
    await selectTile(owner, left);
    await owner.getByTestId('delete-selected').click();
    await owner.getByTestId('confirm-ok').click();
    await expect.poll(() => tileIds(owner), { timeout: 15_000 }).toEqual(sorted([first, second]));

    await owner.getByTestId('nav-albums').click();
    const card = owner.getByTestId('album-card');
    await expect.poll(() => card.count(), { timeout: 15_000 }).toBe(1);
    expect(await card.getByTestId('album-count').textContent()).toBe('2 photos');
    await expect.poll(() => card.getByTestId('album-cover').evaluate((img) => (img as HTMLImageElement).naturalWidth), { timeout: 15_000 }).toBeGreaterThan(0);
    shared.albumId = (await card.getAttribute('data-album-id'))!;
    await card.locator('.album-open').click();
    await expect.poll(() => owner.url()).toBe(`${platform.url}/albums/${shared.albumId}`);
    await expect.poll(() => tileIds(owner), { timeout: 15_000 }).toEqual(sorted([first, second]));
    shared.inAlbum = [first, second];

    // The second account exists; the owner shares the album with it by email.
    const guest = await newPage(platform.browser, errors);
    await register(guest, guestEmail);
    await owner.getByTestId('share-album').click();
    await owner.getByTestId('share-email').fill(guestEmail);
    await owner.getByTestId('share-role').selectOption('viewer');
    await owner.getByTestId('share-submit').click();
    await expect.poll(() => owner.getByTestId('share-person').count(), { timeout: 10_000 }).toBe(1);
    expect(await owner.getByTestId('share-person').textContent()).toContain(guestEmail);
    await owner.screenshot({ path: join(artifacts, 'album-share-dialog.png') });

    await guest.getByTestId('nav-shared').click();
    const guestCard = guest.getByTestId('album-card');
    await expect.poll(() => guestCard.count(), { timeout: 15_000 }).toBe(1);
    expect(await guestCard.getAttribute('data-album-id')).toBe(shared.albumId);
    await guestCard.locator('.album-open').click();
    await expect.poll(() => guest.getByTestId('album-view').getAttribute('data-access'), { timeout: 10_000 }).toBe('viewer');
    await expect.poll(() => tileIds(guest), { timeout: 15_000 }).toEqual(sorted([first, second]));
    expect(await guest.content()).not.toContain(left);
    // A viewer selects nothing (no checkboxes), opens a photo, and may not delete it.
    expect(await guest.getByTestId('photo-select').count()).toBe(0);
    await guest.locator(`[data-testid="photo-tile"][data-photo-id="${first}"]`).click();
    await expect.poll(() => guest.url()).toBe(`${platform.url}/albums/${shared.albumId}/photos/${first}`);
    await expect
      .poll(() => guest.getByTestId('photo-preview').evaluate((img) => (img as HTMLImageElement).naturalWidth), { timeout: 15_000 })
      .toBeGreaterThan(0);
    expect(await guest.getByTestId('delete-button').count()).toBe(0);
    expect(await guest.getByTestId('detail-error').count()).toBe(0);
    await guest.keyboard.press('Escape');
    await expect.poll(() => guest.getByTestId('photo-detail').count(), { timeout: 10_000 }).toBe(0);
    expect(guest.url()).toBe(`${platform.url}/albums/${shared.albumId}`);
    await guest.screenshot({ path: join(artifacts, 'album-shared-with-me.png') });

    // As contributor, the guest adds a photo of their own through the same picker; the owner takes it out
    // again and makes the first photo the cover.
    await owner.getByTestId('share-email').fill(guestEmail);
    await owner.getByTestId('share-role').selectOption('contributor');
    await owner.getByTestId('share-submit').click();
    await expect.poll(() => owner.getByTestId('share-person').textContent(), { timeout: 10_000 }).toContain('Can add photos');
    await guest.getByTestId('nav-photos').click();
    await guest.getByTestId('file-input').setInputFiles(samplePhotos(/^Wood\.jpg$/));
    await expect.poll(() => guest.locator('[data-testid="photo-tile"][data-status="ready"]').count(), { timeout: 90_000 }).toBe(1);
    const [theirs] = (await tileIds(guest)) as [string];
    await selectTile(guest, theirs);
    await guest.getByTestId('add-to-album').click();
    await guest.locator(`[data-testid="pick-album"][data-album-id="${shared.albumId}"]`).click();
    await expect.poll(() => guest.getByTestId('selection-notice').textContent(), { timeout: 15_000 }).toMatch(/^Added 1 photo to “Summer”/);
    await guest.goto(`${platform.url}/albums/${shared.albumId}`);
    await expect.poll(() => guest.getByTestId('album-view').getAttribute('data-access'), { timeout: 10_000 }).toBe('contributor');
    await expect.poll(() => tileIds(guest), { timeout: 15_000 }).toEqual(sorted([first, second, theirs]));

    await owner.keyboard.press('Escape');
    await owner.reload();
    await expect.poll(() => tileIds(owner), { timeout: 15_000 }).toEqual(sorted([first, second, theirs]));
    await selectTile(owner, theirs);
    await owner.getByTestId('remove-from-album').click();
    await expect.poll(() => tileIds(owner), { timeout: 15_000 }).toEqual(sorted([first, second]));
    await selectTile(owner, first);
    await owner.getByTestId('set-cover').click();
    await expect.poll(() => owner.getByTestId('album-notice').textContent(), { timeout: 10_000 }).toBe('Cover set.');
    await owner.getByTestId('share-album').click();
    await expect.poll(() => owner.getByTestId('share-person').count(), { timeout: 10_000 }).toBe(1);

    // Revoked: on the guest's next request the album is gone, from the list and by its URL.
    await owner.getByTestId('revoke-share').click();
    await expect.poll(() => owner.getByTestId('share-person').count(), { timeout: 10_000 }).toBe(0);
    await guest.reload();
    await expect.poll(() => guest.getByTestId('album-error').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await guest.getByTestId('photo-tile').count()).toBe(0);
    await guest.getByTestId('nav-shared').click();
    await expect.poll(() => guest.getByTestId('albums-empty').isVisible(), { timeout: 15_000 }).toBe(true);

    // On a phone, the sections and the album list fit the screen's width.
    await guest.setViewportSize({ width: 390, height: 844 });
    await guest.getByTestId('nav-albums').click();
    await expect.poll(() => guest.getByTestId('albums-empty').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await guest.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await guest.screenshot({ path: join(artifacts, 'albums-phone.png') });
    expect(errors).toEqual([]);
  }, 240_000);

  it('opens a share link without an account, and asks for the password of a protected one', async (context) => {
    const owner = shared.owner;
    expect(owner, 'the album of the first test').toBeDefined();
    const docs = (await (await fetch(`${platform.url}/api/docs/json`)).json()) as { paths: Record<string, unknown> };
    if (!docs.paths['/api/albums/{id}/links'] || !docs.paths['/api/links/{token}']) {
      console.log('SKIPPED: the share-link API (POST /api/albums/{id}/links, GET /api/links/{token}) is not in the BFF yet');
      context.skip();
      return;
    }
    const errors = shared.errors;
    const page = owner!;

    // An open link: anyone holding it sees the album's photos, without logging in.
    await page.getByTestId('create-link').click();
    const url = await linkUrl(page);
    expect(url).toMatch(new RegExp(`^${platform.url}/s/[A-Za-z0-9_-]+$`));
    await page.getByTestId('copy-link').click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);

    const stranger = await newPage(platform.browser, errors);
    await stranger.goto(url);
    await expect.poll(() => tileIds(stranger), { timeout: 15_000 }).toEqual(sorted(shared.inAlbum));
    await expect.poll(() => loadedThumbs(stranger), { timeout: 15_000 }).toBe(2);
    expect(await stranger.getByTestId('logout').count()).toBe(0);
    expect(await stranger.getByTestId('login-form').count()).toBe(0);
    await stranger.screenshot({ path: join(artifacts, 'share-link.png') });

    // A protected link asks for its password first; a wrong one is refused.
    await page.getByTestId('link-password').fill('open sesame, please');
    await page.getByTestId('create-link').click();
    const protectedUrl = await linkUrl(page, url);
    const holder = await newPage(platform.browser, errors);
    await holder.goto(protectedUrl);
    await expect.poll(() => holder.getByTestId('link-password-form').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await holder.getByTestId('photo-tile').count()).toBe(0);
    await holder.getByTestId('link-password-input').fill('not it');
    await holder.getByTestId('link-unlock').click();
    await expect.poll(() => holder.getByTestId('link-password-error').isVisible(), { timeout: 10_000 }).toBe(true);
    await holder.getByTestId('link-password-input').fill('open sesame, please');
    await holder.getByTestId('link-unlock').click();
    await expect.poll(() => tileIds(holder), { timeout: 15_000 }).toEqual(sorted(shared.inAlbum));

    // Revoked links stop working at once.
    const revoke = page.getByTestId('revoke-link');
    await expect.poll(() => revoke.count(), { timeout: 10_000 }).toBe(2);
    await revoke.first().click();
    await expect.poll(() => revoke.count(), { timeout: 10_000 }).toBe(1);
    await revoke.first().click();
    await expect.poll(() => revoke.count(), { timeout: 10_000 }).toBe(0);
    await stranger.reload();
    await expect.poll(() => stranger.getByTestId('link-failed').getAttribute('data-code'), { timeout: 15_000 }).toBe('gone');

    // One photo by link, from its detail, with downloads allowed. Escape closes the share dialog only.
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('share-dialog').count(), { timeout: 10_000 }).toBe(0);
    await page.getByTestId('nav-photos').click();
    const [photoId] = shared.inAlbum as [string];
    await page.locator(`[data-testid="photo-tile"][data-photo-id="${photoId}"]`).click();
    await page.getByTestId('share-photo').click();
    await page.getByTestId('link-allow-download').check();
    await page.getByTestId('create-link').click();
    const photoUrl = await linkUrl(page);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('share-dialog').count(), { timeout: 10_000 }).toBe(0);
    expect(await page.getByTestId('photo-detail').isVisible()).toBe(true);

    const viewer = await newPage(platform.browser, errors);
    await viewer.goto(photoUrl);
    await expect.poll(() => viewer.getByTestId('linked-photo').getAttribute('data-photo-id'), { timeout: 15_000 }).toBe(photoId);
    await expect
      .poll(() => viewer.getByTestId('linked-photo-image').evaluate((img) => (img as HTMLImageElement).naturalWidth), { timeout: 15_000 })
      .toBeGreaterThan(0);
    const original = await viewer.request.get(`${platform.url}${await viewer.getByTestId('download-original').getAttribute('href')}`);
    expect(original.status()).toBe(200);
    expect(original.headers()['content-type']).toBe('image/jpeg');
    expect(errors).toEqual([]);
  }, 180_000);
});

async function selectTile(page: Page, id: string) {
  await page.locator(`[data-testid="photo-tile"][data-photo-id="${id}"] [data-testid="photo-select"]`).click();
}

/** The URL of the link just created (a different one than `previous`). */
async function linkUrl(page: Page, previous?: string): Promise<string> {
  await expect
    .poll(async () => (await page.getByTestId('link-url').count()) > 0 && (await page.getByTestId('link-url').inputValue()) !== previous, { timeout: 10_000 })
    .toBe(true);
  return page.getByTestId('link-url').inputValue();
}
