import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { Stack, call, startStack } from '../support/stack';
import { launchBrowser, openPage, screenshot, signIn } from './browser';

/**
 * The web console in Debian's Chromium against a real API + worker + Postgres + Redis:
 * the whole path of issue 6 (sign in, create a key, read it once, use it in the
 * playground, revoke it, see it refused, find it in the audit trail, verify the chain),
 * then the keys and users pages' other actions, read-only keys and refusals.
 */
const KEY_SHAPE = /^kw_[0-9A-Za-z]{49}$/;

/** Whether a key is still anywhere on the page: text, input values, storage (a boolean, so a failure prints no key). */
const keyOnPage = (page: Page, key: string) =>
  page.evaluate(
    (k) =>
      document.body.innerText.includes(k) ||
      [...document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input, textarea')].some((i) => i.value.includes(k)) ||
      JSON.stringify(localStorage).includes(k) ||
      location.href.includes(k),
    key,
  );

describe('web console (Chromium)', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    // the webhooks page's receiver listens on 127.0.0.1
    stack = await startStack({ WEBHOOK_ALLOW_PRIVATE: 'true' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** The landing page is the overview: the keys page is one click away. */
  async function openKeys(page: Page) {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('table', { name: 'API keys' }).waitFor();
  }

  async function keyRow(page: Page, name: string) {
    const row = page.getByRole('table', { name: 'API keys' }).getByRole('row').filter({ hasText: name });
    await row.first().waitFor();
    return row.first();
  }

  async function sendInPlayground(page: Page, endpoint: RegExp, key: string): Promise<string> {
    await page.getByRole('link', { name: 'Playground' }).click();
    await page.getByRole('heading', { level: 1, name: 'Playground' }).waitFor();
    const select = page.getByLabel('Endpoint');
    await select.locator('option').first().waitFor({ state: 'attached' });
    const options = await select.locator('option').evaluateAll((els) => els.map((e) => ({ value: (e as HTMLOptionElement).value, text: e.textContent ?? '' })));
    const option = options.find((o) => endpoint.test(o.text));
    if (!option) throw new Error(`no endpoint option matches ${endpoint}: ${options.map((o) => o.text).join(' | ')}`);
    await select.selectOption(option.value);
    await page.getByLabel('Another key').check();
    await page.getByLabel('API key to send').fill(key);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const status = page.getByLabel('Response status');
    await status.filter({ hasText: /^\d{3}/ }).waitFor();
    return (await status.textContent()) ?? '';
  }

  it('serves the console with a strict Content-Security-Policy, every asset from its own origin', async () => {
    const res = await fetch(`${stack.url}/console/audit?type=KeyCreated`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).not.toMatch(/<script>(?!<\/script>)/); // no inline script
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await fetch(stack.url + asset);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${stack.url}/console/assets/missing.js`)).status).toBe(404);

    const { page, problems } = await openPage(browser);
    const origins = new Set<string>();
    page.on('request', (r) => origins.add(new URL(r.url()).origin));
    await page.goto(`${stack.url}/console/`);
    await page.getByRole('heading', { name: 'Keyward console' }).waitFor();
    await screenshot(page, 'sign-in');
    expect([...origins]).toEqual([stack.url]);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('issue 6 path: sign in, create a key, read it once, use it in the playground (200), revoke it (then 401), audit rows, verify', async () => {
    const { page, problems } = await openPage(browser);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.url });
    await signIn(page, stack.url, stack.admin.key);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    expect(page.url()).toBe(`${stack.url}/console/overview`);
    await openKeys(page);
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain('kw_');

    // create a key with several properties
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create API key' });
    await dialog.getByLabel('Name').fill('billing-service');
    await dialog.getByLabel('Description').fill('Nightly invoice export');
    await dialog.getByRole('button', { name: 'READONLY' }).click();
    await dialog.getByLabel('Requests').fill('500');
    await dialog.getByLabel('Per window (seconds)').fill('60');
    await dialog.getByRole('group', { name: 'Expiry presets' }).getByRole('button', { name: '90 days' }).click();
    await screenshot(page, 'keys-create-dialog');
    await dialog.getByRole('button', { name: 'Create key' }).click();

    // the show-once dialog holds the key; the screenshot masks it
    const once = page.getByRole('dialog', { name: 'Copy your new API key' });
    await once.waitFor();
    expect(await once.textContent()).toContain('will not be shown again');
    const keyField = once.getByLabel('New API key for “billing-service”');
    const newKey = await keyField.inputValue();
    expect(KEY_SHAPE.test(newKey)).toBe(true);
    await screenshot(page, 'keys-show-once', [keyField]);
    // the copy button puts exactly the key on the clipboard
    await once.getByRole('button', { name: 'Copy', exact: true }).click();
    await once.getByText('Copied to the clipboard.').waitFor();
    expect((await page.evaluate(() => navigator.clipboard.readText())) === newKey).toBe(true);
    // Escape does not throw the key away: only the button closes the dialog
    await page.keyboard.press('Escape');
    expect(await once.isVisible()).toBe(true);
    expect(await once.getByRole('button', { name: 'Close' }).count()).toBe(0);
    await once.getByRole('button', { name: 'I have stored the key' }).click();
    await once.waitFor({ state: 'hidden' });
    // gone from the page once the dialog closed
    expect(await keyOnPage(page, newKey)).toBe(false);

    const row = await keyRow(page, 'billing-service');
    const rowText = (await row.textContent()) ?? '';
    expect(rowText).toContain('Nightly invoice export');
    expect(rowText).toContain('READONLY');
    expect(rowText).toContain('active');
    expect(rowText).toContain('Never'); // last used
    expect(rowText).toContain('500 requests / 1 minute');
    expect(rowText).toContain(newKey.slice(0, 10));
    const keyId = await row.getAttribute('data-key-id');
    expect(keyId).toMatch(/^[0-9a-f-]{36}$/);

    // the new key works in the playground
    expect(await sendInPlayground(page, /^GET \/v1\/me\b/, newKey)).toMatch(/^200/);
    expect(await page.getByLabel('Response body').textContent()).toContain(keyId);
    await screenshot(page, 'playground-200');

    // revoke it in the keys page, with a reason
    await page.getByRole('link', { name: 'API keys' }).click();
    await (await keyRow(page, 'billing-service')).getByRole('button', { name: 'Revoke billing-service' }).click();
    const revoke = page.getByRole('dialog', { name: 'Revoke key “billing-service”' });
    await revoke.getByLabel('Reason (recorded in the audit trail)').fill('rotated out after the audit');
    await screenshot(page, 'keys-revoke-dialog');
    await revoke.getByRole('button', { name: 'Revoke key' }).click();
    await revoke.waitFor({ state: 'hidden' });
    await (await keyRow(page, 'billing-service')).filter({ hasText: 'revoked' }).waitFor();
    await screenshot(page, 'keys');

    // the same request again: refused, and shown readably
    expect(await sendInPlayground(page, /^GET \/v1\/me\b/, newKey)).toMatch(/^401/);
    await screenshot(page, 'playground-401');

    // the audit trail has both events of this key, and the chain verifies
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit trail' }).waitFor();
    await page.getByLabel('Key ID').fill(keyId!);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const events = page.getByRole('table', { name: 'Audit events' });
    await events.getByRole('row').filter({ hasText: 'KeyRevoked' }).first().waitFor();
    await events.getByRole('row').filter({ hasText: 'KeyCreated' }).first().waitFor();
    await screenshot(page, 'audit-key-rows');
    await page.getByRole('button', { name: 'Verify integrity' }).click();
    await page.getByRole('status').filter({ hasText: 'Chain intact' }).first().waitFor();
    await screenshot(page, 'audit-verify-path');

    // the API agrees with what the pages showed
    const stored = await call(stack.url, 'GET', `/v1/keys/${keyId}`, { key: stack.admin.key });
    expect(stored.body).toEqual(expect.objectContaining({ status: 'revoked', name: 'billing-service', rateLimit: { limit: 500, windowSeconds: 60 } }));
    const history = await call(stack.url, 'GET', `/v1/keys/${keyId}/history`, { key: stack.admin.key });
    const revoked = history.body.items.find((e: { type: string }) => e.type === 'KeyRevoked');
    expect(revoked.data).toEqual(expect.objectContaining({ reason: 'rotated out after the audit' }));

    // the key never reached the URL or local storage
    expect(page.url()).not.toContain('kw_');
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain('kw_');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('edits, rotates with a grace period and deletes keys; filters and pages the list', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await call(stack.url, 'POST', '/v1/keys', { key: stack.admin.key, body: { name: `batch-${i}`, role: 'READONLY' } });
      expect(r.status).toBe(201);
    }
    const { page, problems } = await openPage(browser);
    await signIn(page, stack.url, stack.admin.key);
    await openKeys(page);

    // edit: name, description and allowed addresses
    await (await keyRow(page, 'batch-0')).getByRole('button', { name: 'Edit batch-0' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit key “batch-0”' });
    await edit.getByLabel('Name').fill('batch-zero');
    await edit.getByLabel('Description').fill('renamed in the console');
    await edit.getByLabel('Allowed IP addresses').fill('203.0.113.0/24\n2001:db8::/32');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'hidden' });
    const edited = await keyRow(page, 'batch-zero');
    expect(await edited.textContent()).toContain('IPs: 203.0.113.0/24, 2001:db8::/32');

    // rotate with one hour of grace: a new key is shown once, the old one still works
    await (await keyRow(page, 'batch-1')).getByRole('button', { name: 'Rotate batch-1' }).click();
    const rotate = page.getByRole('dialog', { name: 'Rotate key “batch-1”' });
    await rotate.getByRole('button', { name: '1 hour' }).click();
    await rotate.getByRole('button', { name: 'Rotate key' }).click();
    const once = page.getByRole('dialog', { name: 'Copy the rotated API key' });
    await once.waitFor();
    expect(await once.textContent()).toContain('keeps working for 1 hour');
    const rotated = await once.getByLabel(/^New API key for/).inputValue();
    expect(KEY_SHAPE.test(rotated)).toBe(true);
    expect((await call(stack.url, 'GET', '/v1/me', { key: rotated })).status).toBe(200);
    await once.getByRole('button', { name: 'I have stored the key' }).click();
    await once.waitFor({ state: 'hidden' });
    expect(await keyOnPage(page, rotated)).toBe(false);
    // the old key shows as rotated, with the end of its grace period, and offers only revoke-now and delete
    const old = page.getByRole('table', { name: 'API keys' }).getByRole('row').filter({ hasText: 'batch-1' }).filter({ hasText: 'rotated' });
    await old.waitFor();
    expect(await old.textContent()).toMatch(/replaced: grace ends in (60 minutes|1 hour)/);
    expect(await old.getByRole('button', { name: 'Rotate batch-1' }).count()).toBe(0);
    expect(await old.getByRole('button', { name: 'Revoke batch-1' }).textContent()).toBe('Revoke now');

    // an emptied grace period is refused in the dialog, not sent as 0
    await (await keyRow(page, 'batch-zero')).getByRole('button', { name: 'Rotate batch-zero' }).click();
    const emptyGrace = page.getByRole('dialog', { name: 'Rotate key “batch-zero”' });
    await emptyGrace.getByLabel('Grace period (seconds)').fill('');
    await emptyGrace.getByText('Grace period: must be a whole number of seconds from 0 to 604800.').waitFor();
    expect(await emptyGrace.getByRole('button', { name: 'Rotate key' }).isDisabled()).toBe(true);
    await emptyGrace.getByRole('button', { name: 'Cancel' }).click();

    // delete needs the name typed
    await (await keyRow(page, 'batch-2')).getByRole('button', { name: 'Delete batch-2' }).click();
    const del = page.getByRole('dialog', { name: 'Delete key “batch-2”' });
    const confirm = del.getByRole('button', { name: 'Delete key' });
    expect(await confirm.isDisabled()).toBe(true);
    await del.getByLabel(/Type the key's name/).fill('batch-2');
    await screenshot(page, 'keys-delete-dialog');
    await confirm.click();
    await del.waitFor({ state: 'hidden' });
    await page.getByRole('table', { name: 'API keys' }).getByRole('row').filter({ hasText: 'batch-2' }).waitFor({ state: 'detached' });

    // filters: status revoked only shows revoked keys; the name search narrows
    await page.getByRole('group', { name: 'Status' }).getByLabel('revoked').check();
    await page.getByRole('table', { name: 'API keys' }).getByRole('row').filter({ hasText: 'batch-zero' }).waitFor({ state: 'detached' });
    await page.getByRole('group', { name: 'Status' }).getByLabel('revoked').uncheck();
    await page.getByLabel('Search by name').fill('batch-z');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('table', { name: 'API keys' }).getByRole('row').filter({ hasText: 'billing-service' }).waitFor({ state: 'detached' });
    expect(page.url()).toContain('q=batch-z');
    // a key pasted into the search box is refused before it reaches the URL or the API's query string
    await page.getByLabel('Search by name').fill(stack.admin.key);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'looks like a key or secret itself' }).waitFor();
    expect(page.url().includes('kw_')).toBe(false);
    await page.getByLabel('Search by name').fill('batch-z');
    expect(await page.getByRole('table', { name: 'API keys' }).getByRole('row').count()).toBe(2); // header + batch-zero

    // paging: 25 per page over more than 25 keys
    for (let i = 0; i < 26; i++) await call(stack.url, 'POST', '/v1/keys', { key: stack.admin.key, body: { name: `page-${i}`, role: 'READONLY' } });
    await page.goto(`${stack.url}/console/keys?q=page-&limit=25`);
    const table = page.getByRole('table', { name: 'API keys' });
    await table.getByRole('row').nth(25).waitFor();
    expect(await table.getByRole('row').count()).toBe(26);
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByText('Page 2').waitFor();
    await table.getByRole('row').nth(2).waitFor({ state: 'detached' });
    expect(await table.getByRole('row').count()).toBe(2);
    await page.getByRole('button', { name: '← Previous' }).click();
    await table.getByRole('row').nth(25).waitFor();
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('keys page hygiene: never used / unused for 30 or 90 days, sort by last use, in the URL; the endpoint URL and first call to copy', async () => {
    const create = async (name: string) => (await call(stack.url, 'POST', '/v1/keys', { key: stack.admin.key, body: { name, permissions: ['keys:read'] } })).body;
    const used = await create('hyg-used');
    const old = await create('hyg-old');
    await create('hyg-never');
    expect((await call(stack.url, 'GET', '/v1/me', { key: used.key })).status).toBe(200);
    expect((await call(stack.url, 'GET', '/v1/me', { key: old.key })).status).toBe(200);
    await stack.settleUsage();
    // no request can be made 45 days ago: the read model's last use of one key is moved back instead
    await stack.sql.query(`UPDATE api_keys SET last_used_at = now() - interval '45 days' WHERE id = $1`, [old.id]);

    const { page, problems } = await openPage(browser);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.url });
    await signIn(page, stack.url, stack.admin.key);
    await openKeys(page);
    const table = page.getByRole('table', { name: 'API keys' });
    const names = async () => (await table.locator('tbody tr strong').allTextContents()).filter((n) => n.startsWith('hyg-'));
    /** Waits until the hyg-* rows are exactly these, in this order. */
    const shows = async (expected: string[]) => {
      await page.waitForFunction(
        (want) => {
          const got = [...document.querySelectorAll('table[aria-label="API keys"] tbody tr strong')].map((e) => e.textContent).filter((n) => n?.startsWith('hyg-'));
          return JSON.stringify(got) === JSON.stringify(want);
        },
        expected,
      );
      expect(await names()).toEqual(expected);
    };
    await page.getByLabel('Search by name').fill('hyg-');
    await page.getByRole('button', { name: 'Search' }).click();
    await shows(['hyg-never', 'hyg-old', 'hyg-used']); // newest first

    await page.getByLabel('Sort', { exact: true }).selectOption({ label: 'Last used: most recent first' });
    await shows(['hyg-used', 'hyg-old', 'hyg-never']);
    expect(page.url()).toMatch(/sort=lastUsedAt&order=desc/);
    await page.getByLabel('Sort', { exact: true }).selectOption({ label: 'Last used: longest ago first' });
    await shows(['hyg-never', 'hyg-old', 'hyg-used']);

    await page.getByLabel('Usage', { exact: true }).selectOption({ label: 'Never used' });
    await shows(['hyg-never']);
    expect(page.url()).toMatch(/unused=never/);
    await page.getByLabel('Usage', { exact: true }).selectOption({ label: 'Unused for 30 days' });
    await shows(['hyg-never', 'hyg-old']);
    await page.getByLabel('Usage', { exact: true }).selectOption({ label: 'Unused for 90 days' });
    await shows(['hyg-never']);
    // the filters come back from the URL
    await page.reload();
    await shows(['hyg-never']);
    expect(await page.getByLabel('Usage', { exact: true }).inputValue()).toBe('90d');
    expect(await page.getByLabel('Sort', { exact: true }).inputValue()).toBe('lastUsedAt:asc');
    await page.getByLabel('Usage', { exact: true }).selectOption({ label: 'Any' });
    await shows(['hyg-never', 'hyg-old', 'hyg-used']);

    // the endpoint: base URL and the first call, with a placeholder for the key, each copied
    const endpoint = page.getByRole('region', { name: 'Endpoint' });
    expect(await endpoint.getByRole('textbox', { name: 'API base URL' }).inputValue()).toBe(stack.url);
    const firstCall = `curl -H "x-api-key: $KEYWARD_KEY" ${stack.url}/v1/me`;
    expect(await endpoint.getByRole('textbox', { name: 'First call' }).inputValue()).toBe(firstCall);
    await endpoint.getByRole('button', { name: 'Copy api base url' }).click();
    await endpoint.getByText('API base URL copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(stack.url);
    await endpoint.getByRole('button', { name: 'Copy first call' }).click();
    await endpoint.getByText('First call copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(firstCall);
    expect(await page.evaluate(() => document.body.innerText.includes('kw_') && /kw_[0-9A-Za-z]{49}/.test(document.body.innerText))).toBe(false);

    // right after creating a key: the same line, the key filled in on the clipboard only
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create API key' });
    await dialog.getByLabel('Name').fill('hyg-fresh');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const once = page.getByRole('dialog', { name: 'Copy your new API key' });
    const newKey = await once.getByLabel('New API key for “hyg-fresh”').inputValue();
    expect(await once.locator('.first-call code').textContent()).toBe(firstCall);
    await once.getByRole('button', { name: 'Copy with this key filled in' }).click();
    await once.getByText('The command, with the key, is on the clipboard.').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied === firstCall.replace('$KEYWARD_KEY', newKey)).toBe(true);
    // the copied line works as it is
    const url = /(http\S+)$/.exec(copied)![1];
    expect((await fetch(url, { headers: { 'x-api-key': /x-api-key: (\S+)"/.exec(copied)![1] } })).status).toBe(200);
    await once.getByRole('button', { name: 'I have stored the key' }).click();
    await once.waitFor({ state: 'hidden' });
    expect(await keyOnPage(page, newKey)).toBe(false);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('webhooks page: create (the field the API refuses named), test-send with its result, delivery log, delete with confirmation', async () => {
    // a real receiver: records every request, answers `answer`
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    let answer = 200;
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.statusCode = answer;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/keyward`;
    try {
      const { page, problems } = await openPage(browser);
      await signIn(page, stack.url, stack.admin.key);
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Webhooks' }).click();
      await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
      const table = page.getByRole('table', { name: 'Webhooks' });
      await table.getByText('No webhooks yet.').waitFor();

      // refused by the API: the field it names is marked
      const before = await stack.eventCount();
      await page.getByRole('button', { name: 'Create webhook' }).click();
      const dialog = page.getByRole('dialog', { name: 'Create webhook' });
      await dialog.getByLabel('URL').fill('ftp://nowhere');
      await dialog.getByRole('button', { name: 'Create webhook' }).click();
      await dialog.locator('.field-error').filter({ hasText: /^URL: / }).waitFor();
      expect(await dialog.getByLabel('URL').getAttribute('aria-invalid')).toBe('true');
      expect(await stack.eventCount()).toBe(before);

      // two event types, not the audit stream
      await dialog.getByLabel('URL').fill(target);
      await dialog.getByLabel('Description').fill('SIEM in the test');
      await dialog.getByRole('checkbox', { name: /^All events/ }).uncheck();
      await dialog.getByRole('checkbox', { name: 'KeyCreated', exact: true }).check();
      await dialog.getByRole('checkbox', { name: 'KeyRevoked', exact: true }).check();
      // deliveries are signed with the company's shared secret: none yet, so the page says where to make it
      await dialog.getByRole('button', { name: 'Create webhook' }).click();
      await dialog.getByRole('alert').filter({ hasText: 'SHARED_SECRET_REQUIRED' }).waitFor();
      await dialog.getByRole('link', { name: 'System page' }).waitFor();
      expect(await stack.eventCount()).toBe(before);
      expect((await call(stack.url, 'POST', '/v1/shared-secret/rotate', { key: stack.admin.key, body: {} })).status).toBe(201);
      await dialog.getByRole('button', { name: 'Create webhook' }).click();
      await dialog.waitFor({ state: 'hidden' });
      const row = table.getByRole('row').filter({ hasText: target });
      await row.waitFor();
      expect(await row.textContent()).toMatch(/KeyCreated, KeyRevoked/);
      expect(await row.textContent()).toMatch(/active/);
      const listed = (await call(stack.url, 'GET', '/v1/webhooks', { key: stack.admin.key })).body.items;
      expect(listed.map((w: { url: string; events: string[] }) => [w.url, [...w.events].sort()])).toEqual([[target, ['KeyCreated', 'KeyRevoked']]]);

      // test send: the result on the page, a signed POST at the receiver
      await row.getByRole('button', { name: `Send a test to ${target}` }).click();
      const result = page.getByRole('status', { name: 'Test result' });
      await result.filter({ hasText: 'Delivered: HTTP 200' }).waitFor();
      expect(received.length).toBeGreaterThanOrEqual(1);
      expect(received.at(-1)!.headers['keyward-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}/);
      answer = 500;
      await row.getByRole('button', { name: `Send a test to ${target}` }).click();
      await result.filter({ hasText: 'Failed: HTTP 500' }).waitFor();
      answer = 200;

      // a key created: its KeyCreated reaches the receiver and the delivery log
      const created = await call(stack.url, 'POST', '/v1/keys', { key: stack.admin.key, body: { name: 'hook-watched', permissions: ['keys:read'] } });
      expect(created.status).toBe(201);
      await row.getByRole('button', { name: `Delivery log of ${target}` }).click();
      const log = page.getByRole('table', { name: 'Deliveries' });
      await log.getByRole('row').filter({ hasText: 'KeyCreated' }).filter({ hasText: 'delivered' }).first().waitFor({ timeout: 45_000 });
      const delivered = received.filter((r) => r.body.includes('"KeyCreated"'));
      expect(delivered.length).toBeGreaterThanOrEqual(1);
      expect(delivered.some((r) => r.body.includes(created.body.id))).toBe(true);
      // the receiver never sees a key
      expect(received.some((r) => /kw_[0-9A-Za-z]{49}/.test(r.body))).toBe(false);
      expect((await log.getByRole('row').filter({ hasText: 'test' }).count()) >= 2).toBe(true);
      expect(page.url()).toMatch(/log=/);
      // the list follows the deliveries (it is polled): the last delivery's answer is shown
      await row.filter({ hasText: 'HTTP 200' }).waitFor();
      await screenshot(page, 'webhooks');

      // delete, after a confirmation
      await row.getByRole('button', { name: `Delete ${target}` }).click();
      const confirm = page.getByRole('dialog', { name: 'Delete webhook' });
      await confirm.getByText(target).waitFor();
      await confirm.getByRole('button', { name: 'Delete webhook' }).click();
      await table.getByText('No webhooks yet.').waitFor();
      expect((await call(stack.url, 'GET', '/v1/webhooks', { key: stack.admin.key })).body.items).toEqual([]);
      expect(problems).toEqual([]);
      await page.context().close();
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('shows refusals readably, with the field named, and changes nothing', async () => {
    const before = await stack.eventCount();
    const { page, problems } = await openPage(browser);
    await signIn(page, stack.url, stack.admin.key);
    await openKeys(page);
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create API key' });
    // checked in the browser: no name
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await dialog.getByText('Name: is required').waitFor();
    // checked by the API: an address that is not one
    await dialog.getByLabel('Name').fill('bad-address');
    await dialog.getByLabel('Allowed IP addresses').fill('10.0.0.300');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    // the field the API named is marked next to its input, and the whole refusal is summed up
    await dialog.getByRole('alert').filter({ hasText: 'Allowed IP addresses: must be an IPv4/IPv6 address' }).waitFor();
    expect(await dialog.getByLabel('Allowed IP addresses').getAttribute('aria-invalid')).toBe('true');
    const alert = dialog.getByRole('alert').filter({ hasText: '(400' });
    await alert.waitFor();
    const text = (await alert.textContent()) ?? '';
    expect(text).toMatch(/allowedIps/);
    expect(text).toMatch(/\(400 [A-Z_]+\)/);
    expect(text).not.toMatch(/at .*\.js:\d+|Error:|stack/i);
    await screenshot(page, 'keys-refusal');
    expect(await stack.eventCount()).toBe(before);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('a read-only key sees the pages it may use, without write actions; users page for admins', async () => {
    const readonly = await call(stack.url, 'POST', '/v1/keys', { key: stack.admin.key, body: { name: 'auditor', permissions: ['keys:read', 'audit:read'] } });
    const { page, problems } = await openPage(browser);
    await signIn(page, stack.url, readonly.body.key);
    const nav = page.getByRole('navigation', { name: 'Console' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Overview', 'API keys', 'Audit', 'Playground', 'OpenAPI reference ↗']);
    await openKeys(page);
    expect(await page.getByRole('button', { name: 'Create key' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Revoke / }).count()).toBe(0);
    expect(await page.getByRole('note').first().textContent()).toContain('keys:write');
    await screenshot(page, 'keys-read-only');
    await page.goto(`${stack.url}/console/users`);
    await page.getByText('it needs the users:read permission').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    // an admin manages users: create one, disable it (its keys stop working), enable it
    await signIn(page, stack.url, stack.admin.key);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('button', { name: 'Create user' }).click();
    const create = page.getByRole('dialog', { name: 'Create user' });
    await create.getByLabel('Email').fill('dana@acme.test');
    await create.getByLabel('Name').fill('Dana');
    await create.getByRole('button', { name: 'READONLY' }).click();
    await create.getByRole('button', { name: 'Create user' }).click();
    await create.waitFor({ state: 'hidden' });
    const row = page.getByRole('table', { name: 'Users' }).getByRole('row').filter({ hasText: 'dana@acme.test' });
    await row.waitFor();
    expect(await row.textContent()).toContain('READONLY');
    const dana = (await call(stack.url, 'GET', '/v1/users', { key: stack.admin.key })).body.items.find((u: { email: string }) => u.email === 'dana@acme.test');
    const danaKey = await call(stack.url, 'POST', '/v1/keys', { key: stack.admin.key, body: { name: 'dana-key', role: 'READONLY', ownerId: dana.id } });
    expect((await call(stack.url, 'GET', '/v1/me', { key: danaKey.body.key })).status).toBe(200);
    await row.getByRole('button', { name: 'Disable Dana' }).click();
    await page.getByRole('dialog', { name: 'Disable Dana' }).getByRole('button', { name: 'Disable user' }).click();
    await row.filter({ hasText: 'disabled' }).waitFor();
    expect((await call(stack.url, 'GET', '/v1/me', { key: danaKey.body.key })).status).toBe(401);
    await screenshot(page, 'users');
    await row.getByRole('button', { name: 'Enable Dana' }).click();
    await page.getByRole('dialog', { name: 'Enable Dana' }).getByRole('button', { name: 'Enable user' }).click();
    await row.filter({ hasText: 'active' }).waitFor();
    expect((await call(stack.url, 'GET', '/v1/me', { key: danaKey.body.key })).status).toBe(200);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('starts a restricted key\'s new keys inside its own expiry and addresses', async () => {
    const until = new Date(Date.now() + 86_400_000).toISOString();
    const restricted = await call(stack.url, 'POST', '/v1/keys', {
      key: stack.admin.key,
      body: { name: 'ci-deployer', permissions: ['keys:read', 'keys:write'], expiresAt: until, allowedIps: ['127.0.0.1'] },
    });
    const { page, problems } = await openPage(browser);
    await signIn(page, stack.url, restricted.body.key);
    await openKeys(page);
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create API key' });
    await dialog.getByText('The signed-in key is restricted').waitFor();
    expect(await dialog.getByLabel('Allowed IP addresses').inputValue()).toBe('127.0.0.1');
    const expiry = await dialog.getByLabel('Expires at').inputValue();
    expect(expiry).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(await dialog.getByRole('group', { name: 'Expiry presets' }).getByRole('button', { name: 'Never' }).isDisabled()).toBe(true);
    await dialog.getByLabel('Name').fill('deploy-step');
    await dialog.getByRole('checkbox', { name: /keys:read/ }).check();
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('dialog', { name: 'Copy your new API key' }).getByRole('button', { name: 'I have stored the key' }).click();
    const row = await keyRow(page, 'deploy-step');
    const id = await row.getAttribute('data-key-id');
    const created = await call(stack.url, 'GET', `/v1/keys/${id}`, { key: stack.admin.key });
    expect(created.body.allowedIps).toEqual(['127.0.0.1']);
    expect(Date.parse(created.body.expiresAt)).toBeLessThanOrEqual(Date.parse(until));
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('ends the session with a readable message when the signed-in key is revoked elsewhere', async () => {
    const temp = await call(stack.url, 'POST', '/v1/keys', { key: stack.admin.key, body: { name: 'short-lived', role: 'ADMIN' } });
    const { page, problems } = await openPage(browser);
    await signIn(page, stack.url, temp.body.key);
    await openKeys(page);
    // revoking the key one is signed in with says so first
    await (await keyRow(page, 'short-lived')).getByRole('button', { name: 'Revoke short-lived' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke key “short-lived”' });
    await dialog.getByText('This is the key the console is signed in with').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await call(stack.url, 'POST', `/v1/keys/${temp.body.id}/revoke`, { key: stack.admin.key, body: {} })).status).toBe(200);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByText('The API refused the signed-in key').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    // a wrong key on the form is refused readably
    await page.getByLabel('API key').fill('kw_not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: '401' }).waitFor();
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
