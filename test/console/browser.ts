import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { npmChromium } from './npm-chromium';

/** Screenshots of the browser tests: test artifacts, git-ignored. */
export const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'console');

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). */
const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * Which Chromium the tests drive: CHROMIUM_PATH when set, else Debian's when installed,
 * else the one the `@sparticuz/chromium` devDependency brought with `npm install`.
 */
export async function chooseChromium(): Promise<{ executablePath: string; env?: Record<string, string>; source: string }> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured}: no such file`);
    return { executablePath: configured, source: 'CHROMIUM_PATH' };
  }
  if (existsSync(DEBIAN_CHROMIUM)) return { executablePath: DEBIAN_CHROMIUM, source: 'debian' };
  return { ...(await npmChromium()), source: 'npm' };
}

export async function launchBrowser(): Promise<Browser> {
  const chosen = await chooseChromium();
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: chosen.executablePath,
    env: chosen.env ? { ...process.env, ...chosen.env } : undefined,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

/** A laptop-sized page that fails the test on any uncaught page error or console error. */
export async function openPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  // CONSOLE_CPU_THROTTLE=6: the page's CPU six times slower, to bring UI races out (Chromium's DevTools throttling)
  if (process.env.CONSOLE_CPU_THROTTLE) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: Number(process.env.CONSOLE_CPU_THROTTLE) });
  }
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    // a refused request is logged by Chromium as a console error; the test asserts what the page shows instead
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) problems.push(`console error: ${msg.text()}`);
  });
  return { page, problems };
}

/** A full-page PNG under test-artifacts/console/; `mask` covers elements that hold a secret. */
export async function screenshot(page: Page, name: string, mask: Locator[] = []): Promise<string> {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, mask });
  return file;
}

/** Signs in through the form, as a person would, and waits for the console's navigation. */
export async function signIn(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Console' }).waitFor();
}
