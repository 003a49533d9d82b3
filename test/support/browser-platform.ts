/**
 * What every browser spec stands on: Debian's Chromium (installed on demand), the web app built if its
 * sources changed, the platform embedded (the `npm start` composition) on a data folder of its own, and
 * headless Chromium driven by playwright-core. Screenshots go to test-results/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startEmbeddedPlatform } from '../../apps/embedded/src/embedded-platform.js';

const root = join(import.meta.dirname, '..', '..');
/** Where specs keep screenshots (CI uploads the folder). */
export const artifacts = join(root, 'test-results');

// Quiet and deterministic: no sandbox (containers), no background traffic or updates that could race the test.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserPlatform {
  /** The embedded platform's base URL (web app and API). */
  url: string;
  browser: Browser;
  /** Closes the browser, stops the platform and removes its data. */
  stop(): Promise<void>;
}

/**
 * @param name names the data folder, to tell the specs' leftovers apart
 * @param extraArgs Chromium flags the spec needs beyond the common ones (e.g. a UI language)
 */
export async function startBrowserPlatform(name: string, extraArgs: string[] = []): Promise<BrowserPlatform> {
  execFileSync('bash', [join(root, 'scripts', 'ensure-chromium.sh')], { stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, 'scripts', 'build-web-if-stale.mjs')], { stdio: 'inherit', cwd: root });
  mkdirSync(artifacts, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), `browser-${name}-`));
  let platform: Awaited<ReturnType<typeof startEmbeddedPlatform>> | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    await platform?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    platform = await startEmbeddedPlatform({ dataDir, port: 0, host: '127.0.0.1', env: { LOG_LEVEL: 'warn', SCRYPT_COST: '12' } });
    browser = await chromium.launch({
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: [...CHROMIUM_ARGS, ...extraArgs],
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: platform.url, browser, stop };
}
