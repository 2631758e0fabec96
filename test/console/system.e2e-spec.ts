import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { Stack, call, startStack } from '../support/stack';
import { launchBrowser, openPage, screenshot, signIn } from './browser';

/**
 * The System page in Chromium against a real API + worker: the central banner without
 * CENTRAL_URL, then against a local HTTP server playing the central service (activate,
 * check, telemetry, heartbeat, deactivate), the shared secret's rotate / reveal dialog, and
 * a key without admin.system.api. Secrets and keys are only ever compared as booleans, so
 * no failing assertion can print one.
 */

/** The central service: 2xx for the one valid key, 401 for any other. */
class FakeCentral {
  readonly received: { path: string; body: string }[] = [];
  private server?: http.Server;

  constructor(private readonly validKey: string) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
        const status = req.headers.authorization === `Bearer ${this.validKey}` ? 200 : 401;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const SHARED_SECRET_SHAPE = /^kwss_[A-Za-z0-9_-]{43}$/;

async function openSystem(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'System' }).click();
  await page.getByRole('heading', { level: 1, name: 'System' }).waitFor();
  await page.getByRole('heading', { name: 'Central API' }).waitFor();
}

function centralRegion(page: Page) {
  return page.getByRole('region', { name: 'Central API' });
}

describe('System page (Chromium)', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  describe('without CENTRAL_URL', () => {
    let stack: Stack;

    beforeAll(async () => {
      stack = await startStack();
    });

    afterAll(async () => {
      await stack?.close();
    });

    it('says the central API is not configured and offers no activation', async () => {
      const { page, problems } = await openPage(browser);
      await signIn(page, stack.url, stack.admin.key);
      await openSystem(page);
      const region = centralRegion(page);
      await expect(region.textContent()).resolves.toMatch(/not configured/i);
      expect(await region.textContent()).toContain('CENTRAL_URL is not set');
      for (const name of ['Activate', 'Deactivate', 'Check connection']) {
        expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
      }
      expect(await page.getByLabel('Central API key').count()).toBe(0);
      // telemetry can be switched, but nothing can be sent
      expect(await page.getByLabel('Send telemetry heartbeats').isChecked()).toBe(false);
      expect(await page.getByRole('button', { name: 'Send heartbeat now' }).isDisabled()).toBe(true);
      // version, queues, projection lag, the dashboard link (no key in it)
      expect(await page.locator('.version').textContent()).toMatch(/^\d+\.\d+\.\d+/);
      const queues = page.getByRole('table', { name: 'Jobs per queue' });
      for (const q of ['projections', 'usage', 'maintenance', 'telemetry']) {
        await queues.getByRole('rowheader', { name: q }).waitFor();
      }
      expect(await queues.getByRole('rowheader', { name: 'Projection lag' }).count()).toBe(1);
      expect(await page.getByRole('link', { name: 'Queue dashboard' }).getAttribute('href')).toBe('/admin/queues');
      await screenshot(page, 'system-not-configured');

      // the dashboard opens in a new tab through a dashboard session (a cookie, never the key in a URL)
      const [dashboard] = await Promise.all([page.context().waitForEvent('page'), page.getByRole('link', { name: 'Queue dashboard' }).click()]);
      await dashboard.waitForURL(`${stack.url}/admin/queues`);
      await dashboard.getByText('projections').first().waitFor();
      const cookies = await page.context().cookies(stack.url + '/admin/queues');
      expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite, c.path])).toEqual([['keyward_dashboard', true, 'Strict', '/admin/queues']]);
      expect(cookies[0].value.includes('kw_')).toBe(false);
      await screenshot(dashboard, 'queue-dashboard');
      // signing out of the console ends the dashboard session
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('API key').waitFor();
      const after = await dashboard.request.get(`${stack.url}/admin/queues/api/queues`);
      expect(after.status()).toBe(401);
      await dashboard.close();
      expect(problems).toEqual([]);
      await page.context().close();
    });

    it('hides the System link from a key without admin.system.api', async () => {
      const created = await call(stack.url, 'POST', '/v1/keys', { key: stack.admin.key, body: { name: 'reader', role: 'READONLY' } });
      expect(created.status).toBe(201);
      const { page, problems } = await openPage(browser);
      await signIn(page, stack.url, created.body.key as string);
      const nav = page.getByRole('navigation', { name: 'Console' });
      await nav.getByRole('link', { name: 'API keys' }).waitFor();
      expect(await nav.getByRole('link', { name: 'System' }).count()).toBe(0);
      // and the address itself explains the missing permission
      await page.goto(`${stack.url}/console/system`);
      await page.getByText('it needs the admin.system.api permission').waitFor();
      expect(await page.getByRole('heading', { name: 'Central API' }).count()).toBe(0);
      expect(problems).toEqual([]);
      await page.context().close();
    });
  });

  describe('with a central service', () => {
    const centralKey = `central_${randomBytes(18).toString('base64url')}`;
    const central = new FakeCentral(centralKey);
    let stack: Stack;
    let page: Page;
    let problems: string[];

    beforeAll(async () => {
      await central.start();
      stack = await startStack({ CENTRAL_URL: central.url, CENTRAL_TIMEOUT_MS: '2000' });
      ({ page, problems } = await openPage(browser));
      await signIn(page, stack.url, stack.admin.key);
      await openSystem(page);
    });

    afterAll(async () => {
      await page?.context().close();
      await stack?.close();
      await central.stop();
    });

    it('asks for the shared secret before activation, then rotates it and shows it once in a dialog', async () => {
      const region = centralRegion(page);
      await region.getByText('not linked').waitFor();
      expect(await page.getByRole('button', { name: 'Activate', exact: true }).isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Reveal shared secret' }).isDisabled()).toBe(true);

      // no secret yet: rotating creates it without a question
      await page.getByRole('button', { name: 'Rotate shared secret' }).click();
      const dialog = page.getByRole('dialog', { name: 'New shared secret' });
      const field = dialog.getByLabel('Shared secret value');
      await field.waitFor();
      const secret = await field.inputValue();
      expect(SHARED_SECRET_SHAPE.test(secret)).toBe(true);
      await dialog.getByRole('button', { name: 'Copy' }).click();
      // copied, or (where the browser refuses the clipboard) told to copy by hand: never a page error
      await dialog.getByText(/Copied to the clipboard|did not allow copying/).waitFor();
      await screenshot(page, 'system-shared-secret', [field]);

      await dialog.getByRole('button', { name: 'Done' }).click();
      await dialog.waitFor({ state: 'hidden' });
      // gone from the page once the dialog is closed
      expect(await page.evaluate((s) => document.body.innerHTML.includes(s), secret)).toBe(false);
      expect(await page.evaluate(() => Array.from(document.querySelectorAll('input')).some((i) => i.value.startsWith('kwss_')))).toBe(false);

      // the fingerprint is the one of the metadata, the secret itself is not
      const meta = await call(stack.url, 'GET', '/v1/shared-secret', { key: stack.admin.key });
      await page.getByText(meta.body.fingerprint as string).first().waitFor();
      expect(await page.getByRole('button', { name: 'Reveal shared secret' }).isEnabled()).toBe(true);

      // reveal: asks first, says it is recorded, then shows the same secret
      await page.getByRole('button', { name: 'Reveal shared secret' }).click();
      const confirm = page.getByRole('dialog', { name: 'Reveal the shared secret?' });
      expect(await confirm.textContent()).toContain('recorded in the audit trail');
      await confirm.getByRole('button', { name: 'Reveal and record it' }).click();
      const revealed = page.getByRole('dialog', { name: 'The shared secret' });
      const revealedField = revealed.getByLabel('Shared secret value');
      await revealedField.waitFor();
      expect((await revealedField.inputValue()) === secret).toBe(true);
      await page.keyboard.press('Escape');
      await revealed.waitFor({ state: 'hidden' });
      expect(await page.evaluate((s) => document.body.innerHTML.includes(s), secret)).toBe(false);
      // focus goes back to the button that led to the secret
      await page.waitForFunction(() => document.activeElement?.textContent === 'Reveal shared secret');
      const audit = await call(stack.url, 'GET', '/v1/audit-events?type=SharedSecretRevealed', { key: stack.admin.key });
      expect(audit.body.items).toHaveLength(1);

      // rotating an existing secret asks first; Cancel changes nothing
      await page.getByRole('button', { name: 'Rotate shared secret' }).click();
      const rotateConfirm = page.getByRole('dialog', { name: 'Rotate the shared secret?' });
      await rotateConfirm.getByRole('button', { name: 'Cancel' }).click();
      await rotateConfirm.waitFor({ state: 'hidden' });
      const after = await call(stack.url, 'GET', '/v1/shared-secret', { key: stack.admin.key });
      expect(after.body.fingerprint).toBe(meta.body.fingerprint);
    });

    it('activates with the central key, checks, sends telemetry and a heartbeat, and deactivates', async () => {
      const region = centralRegion(page);
      const keyField = page.getByLabel('Central API key');
      expect(await keyField.getAttribute('type')).toBe('password');

      // a refused key: a readable refusal, nothing changes
      await keyField.fill('not-the-central-key');
      await page.getByRole('button', { name: 'Activate', exact: true }).click();
      await region.getByRole('alert').filter({ hasText: 'CENTRAL_KEY_REJECTED' }).waitFor();
      expect(await region.textContent()).toContain('Not activated');

      await keyField.fill(centralKey);
      await page.getByRole('button', { name: 'Activate', exact: true }).click();
      await region.getByRole('status').filter({ hasText: 'Activated' }).waitFor();
      await region.locator('.badge', { hasText: /^Active$/ }).waitFor();
      expect(await region.textContent()).toContain('the last contact with it succeeded');
      // the key is not echoed anywhere
      expect(await page.evaluate((k) => document.body.innerHTML.includes(k), centralKey)).toBe(false);

      await region.getByRole('button', { name: 'Check connection' }).click();
      await region.getByRole('status').filter({ hasText: 'Connection OK' }).waitFor();
      expect(await region.getByRole('status').filter({ hasText: 'Connection OK' }).textContent()).toMatch(/HTTP 200 in \d+ ms/);

      const telemetry = page.getByRole('region', { name: 'Telemetry' });
      await page.getByLabel('Send telemetry heartbeats').check();
      await telemetry.getByRole('status').filter({ hasText: 'Telemetry switched on' }).waitFor();
      expect(await page.getByLabel('Send telemetry heartbeats').isChecked()).toBe(true);
      expect(await telemetry.textContent()).toContain('every hour');
      for (const field of ['heartbeatId', 'installationId', 'instanceId', 'uptimeSeconds', 'counts.activeKeys']) {
        await telemetry.getByRole('cell', { name: field, exact: true }).waitFor();
      }

      const heartbeatsBefore = central.received.filter((r) => r.path === '/v1/heartbeat').length;
      await page.getByRole('button', { name: 'Send heartbeat now' }).click();
      await telemetry.getByRole('status').filter({ hasText: 'Heartbeat sent' }).waitFor();
      expect(central.received.filter((r) => r.path === '/v1/heartbeat').length).toBeGreaterThan(heartbeatsBefore);
      await screenshot(page, 'system');

      // the status the page shows is the API's
      const status = await call(stack.url, 'GET', '/v1/system/status', { key: stack.admin.key });
      expect(status.body.central.status).toBe('active');
      expect(status.body.telemetry.state).toBe('on');

      await page.getByLabel('Send telemetry heartbeats').uncheck();
      await telemetry.getByRole('status').filter({ hasText: 'Telemetry switched off' }).waitFor();

      await region.getByRole('button', { name: 'Deactivate' }).click();
      const confirm = page.getByRole('dialog', { name: 'Deactivate the central link?' });
      await confirm.getByRole('button', { name: 'Yes, deactivate' }).click();
      await region.getByRole('status').filter({ hasText: 'deactivated' }).waitFor();
      await region.locator('.badge', { hasText: /^Not activated$/ }).waitFor();
      expect(await region.getByRole('button', { name: 'Check connection' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Send heartbeat now' }).isDisabled()).toBe(true);
      const final = await call(stack.url, 'GET', '/v1/system/status', { key: stack.admin.key });
      expect(final.body.central.status).toBe('inactive');

      expect(problems).toEqual([]);
    });
  });
});
