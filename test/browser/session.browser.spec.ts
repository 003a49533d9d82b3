/**
 * The cookie session in headless Chromium against the embedded platform: create an account through the
 * form (register, then log in), no token readable by the page, a reload keeps the session, a lapsed
 * access cookie is renewed by the refresh cookie, logging out ends the session on the server too (the
 * refresh token the browser held is refused afterwards), and registering a taken email says how to get in.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserPlatform, type BrowserPlatform } from '../support/browser-platform.js';

let platform: BrowserPlatform;

beforeAll(async () => {
  platform = await startBrowserPlatform('session');
}, 300_000);

afterAll(() => platform?.stop());

const loggedIn = (page: Page) => page.getByTestId('logout').isVisible();
const cookie = async (context: BrowserContext, name: string) => (await context.cookies()).find((c) => c.name === name);

async function fillForm(page: Page, mode: 'login' | 'register', email: string, password: string) {
  await page.getByTestId(`show-${mode}`).click();
  await page.getByTestId(`${mode}-email`).fill(email);
  await page.getByTestId(`${mode}-password`).fill(password);
  await page.getByTestId(`${mode}-submit`).click();
}

describe('the cookie session in a browser', () => {
  it('logs in, keeps no token where scripts can read it, survives a reload and a lapsed access cookie, and logs out for good', async () => {
    const context = await platform.browser.newContext();
    const page = await context.newPage();
    const email = `grace-${Date.now()}@example.com`;
    await page.goto(platform.url);
    await fillForm(page, 'register', email, 'a long enough password');
    await expect.poll(() => loggedIn(page), { timeout: 15_000 }).toBe(true);

    const access = await cookie(context, '__Host-photos-access');
    expect(access).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    const readable = await page.evaluate(() => ({
      cookies: document.cookie,
      storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    }));
    expect(readable.cookies).not.toContain(access!.value);
    expect(readable.cookies).not.toMatch(/photos-(access|refresh)/);
    expect(readable.storage).not.toMatch(/eyJ|token/i); // no JWT (base64 of '{"'), no token of any kind
    expect(readable.storage).toBe('{}{}');

    await page.reload();
    await expect.poll(() => loggedIn(page), { timeout: 15_000 }).toBe(true);

    // The access cookie lapses (as after 15 minutes): the app refreshes and stays logged in.
    const refreshBefore = (await cookie(context, '__Secure-photos-refresh'))!.value;
    await context.clearCookies({ name: '__Host-photos-access' });
    await page.reload();
    await expect.poll(() => loggedIn(page), { timeout: 15_000 }).toBe(true);
    const refreshNow = (await cookie(context, '__Secure-photos-refresh'))!.value;
    expect(refreshNow).not.toBe(refreshBefore);
    expect(await cookie(context, '__Host-photos-access')).toBeDefined();

    const held = { refresh: refreshNow, csrf: (await cookie(context, '__Host-photos-csrf'))!.value };
    await page.getByTestId('logout').click();
    await expect.poll(() => page.getByTestId('login-form').isVisible(), { timeout: 10_000 }).toBe(true);
    expect((await context.cookies()).map((c) => c.name)).toEqual([]);
    await page.reload();
    await expect.poll(() => page.getByTestId('login-form').isVisible(), { timeout: 10_000 }).toBe(true);

    // The refresh token the browser held before logging out: refused, even with the right CSRF token.
    const replay = await fetch(`${platform.url}/api/auth/refresh`, {
      method: 'POST',
      headers: { cookie: `__Secure-photos-refresh=${held.refresh}`, 'x-csrf-token': held.csrf },
    });
    expect(replay.status).toBe(401);
    await context.close();
  });

  it('registering an email that has an account says how to get in, and logs nobody in', async () => {
    const email = `taken-${Date.now()}@example.com`;
    const first = await fetch(`${platform.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'the owner password' }),
    });
    expect(first.ok).toBe(true);
    const context = await platform.browser.newContext();
    const page = await context.newPage();
    await page.goto(platform.url);
    await fillForm(page, 'register', email, 'somebody else password');
    await expect
      .poll(() => page.getByTestId('form-error').textContent(), { timeout: 15_000 })
      .toBe('If you already have an account with this email, log in with its password.');
    expect(await loggedIn(page)).toBe(false);
    await context.close();
  });
});
