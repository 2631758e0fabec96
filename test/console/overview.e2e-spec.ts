import type { Browser, Locator, Page } from 'playwright-core';
import { Stack, call, startStack } from '../support/stack';
import { launchBrowser, openPage, screenshot, signIn } from './browser';

/**
 * The overview (the console's landing page) and a key's usage chart, in Chromium against a real
 * API + worker + Postgres + Redis: usage made by real requests through the API (successes,
 * refusals by permission and missing resources, refused keys), projected by the worker, and the
 * numbers on the page equal to what was sent.
 */
describe('console overview and usage charts (Chromium)', () => {
  let stack: Stack;
  let browser: Browser;
  const sent = { alpha: { '2xx': 6, '4xx': 3 }, beta: { '2xx': 3 }, revoked: 3, deleted: 2 };
  let alphaId: string;
  let neverId: string;

  beforeAll(async () => {
    stack = await startStack();
    browser = await launchBrowser();
    const admin = stack.admin.key;
    const create = async (name: string, extra: Record<string, unknown> = {}) => {
      const r = await call(stack.url, 'POST', '/v1/keys', { key: admin, body: { name, permissions: ['keys:read'], ...extra } });
      expect(r.status).toBe(201);
      return r.body as { id: string; key: string };
    };
    const alpha = await create('ov-alpha');
    const beta = await create('ov-beta');
    const revoked = await create('ov-revoked');
    const deleted = await create('ov-deleted');
    neverId = (await create('ov-never')).id;
    await create('ov-expiring', { expiresAt: new Date(Date.now() + 10 * 86_400_000).toISOString() });
    alphaId = alpha.id;

    const expectStatus = async (key: string, path: string, status: number) => expect([path, (await call(stack.url, 'GET', path, { key })).status]).toEqual([path, status]);
    for (let i = 0; i < 6; i++) await expectStatus(alpha.key, '/v1/me', 200);
    for (let i = 0; i < 2; i++) await expectStatus(alpha.key, '/v1/users', 403); // no users:read
    await expectStatus(alpha.key, '/v1/keys/00000000-0000-4000-8000-000000000000', 404);
    for (let i = 0; i < 3; i++) await expectStatus(beta.key, '/v1/me', 200);
    expect((await call(stack.url, 'POST', `/v1/keys/${revoked.id}/revoke`, { key: admin, body: {} })).status).toBe(200);
    for (let i = 0; i < sent.revoked; i++) await expectStatus(revoked.key, '/v1/me', 401);
    expect((await call(stack.url, 'DELETE', `/v1/keys/${deleted.id}`, { key: admin })).status).toBe(204);
    for (let i = 0; i < sent.deleted; i++) await expectStatus(deleted.key, '/v1/me', 401);
    // keys no company knows: refused, and counted for no company
    await expectStatus(`kw_${'x'.repeat(49)}`, '/v1/me', 401);
    // the worker appends and projects the usage before any page is opened
    await stack.settleUsage();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** The totals a usage chart shows, by data-usage name. */
  async function totals(chart: Locator): Promise<Record<string, number>> {
    const entries = await chart.locator('dd[data-usage]').evaluateAll((dds) => dds.map((d) => [d.getAttribute('data-usage'), Number((d.textContent ?? '').replace(/,/g, ''))]));
    return Object.fromEntries(entries);
  }

  /** A table's body rows as cell texts. */
  const rows = (table: Locator) =>
    table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').trim())));

  async function openOverview(page: Page) {
    await signIn(page, stack.url, stack.admin.key);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    expect(page.url()).toBe(`${stack.url}/console/overview`);
  }

  it('lands on the overview: requests by status, top keys, refusals by reason, expiring and unused keys, equal to what was sent', async () => {
    const { page, problems } = await openPage(browser);
    await openOverview(page);
    const requests = page.getByRole('region', { name: 'Requests over time' });
    await requests.locator('dd[data-usage="total"]').waitFor();
    const t = await totals(requests);
    // the console's own requests (the admin key's, all 2xx) keep adding to 2xx; everything else is exact
    expect({ '3xx': t['3xx'], '4xx': t['4xx'], '5xx': t['5xx'], refused: t.refused }).toEqual({ '3xx': 0, '4xx': sent.alpha['4xx'], '5xx': 0, refused: sent.revoked + sent.deleted });
    expect(t['2xx']).toBeGreaterThanOrEqual(sent.alpha['2xx'] + sent.beta['2xx']);
    expect(t.total).toBe(t['2xx'] + t['4xx'] + t.refused);
    // the chart is an image named by its numbers in words, with axis titles in the canvas
    const canvas = requests.getByRole('img');
    expect(await canvas.getAttribute('aria-label')).toContain(`${sent.revoked + sent.deleted} Refused key`);
    expect(await canvas.evaluate((c: HTMLCanvasElement) => c.width > 0 && c.height > 0)).toBe(true);
    // the table alternative: every bucket with a request, adding up to the totals
    await requests.getByText('Requests as a table').click();
    const table = requests.getByRole('table', { name: 'Requests by hour' });
    const bucketRows = await rows(table);
    expect(bucketRows.reduce((n, r) => n + Number(r[1]), 0)).toBe(t.total);

    // top keys: the busiest first, each with its requests and refusals, linking to the key
    const top = await rows(page.getByRole('table', { name: 'Top keys' }));
    const byName = Object.fromEntries(top.map(([name, total, refused]) => [name, [Number(total), Number(refused)]]));
    expect(byName['ov-alpha']).toEqual([sent.alpha['2xx'] + sent.alpha['4xx'], 0]);
    expect(byName['ov-beta']).toEqual([sent.beta['2xx'], 0]);
    expect(byName['ov-revoked']).toEqual([sent.revoked, sent.revoked]);
    const totalsInOrder = top.map((r) => Number(r[1]));
    expect(totalsInOrder).toEqual([...totalsInOrder].sort((a, b) => b - a));

    // refusals by reason (the unknown key belongs to no company: not here)
    const reasons = await rows(page.getByRole('table', { name: 'Refused requests by reason' }));
    expect(Object.fromEntries(reasons.map(([reason, n]) => [reason, Number(n)]))).toEqual({ REVOKED: sent.revoked, DELETED: sent.deleted });
    expect(await page.getByRole('region', { name: 'Refused requests by reason' }).getByRole('img').getAttribute('aria-label')).toContain('REVOKED 3');

    // keys expiring in 30 days; active keys never used
    const expiring = await rows(page.getByRole('table', { name: 'Keys expiring in the next 30 days' }));
    expect(expiring.map((r) => r[0].split(' ')[0])).toEqual(['ov-expiring']);
    const unused = await rows(page.getByRole('table', { name: 'Unused keys' }));
    expect(unused.map((r) => r[0].split(' ')[0]).sort()).toEqual(['ov-expiring', 'ov-never']);
    expect(await page.locator('[data-unused="never"]').textContent()).toBe('2');
    expect(await page.locator('[data-unused="stale"]').textContent()).toBe('0');
    await screenshot(page, 'overview');

    // the range picker: in the URL, and the last hour by minute counts the same requests
    await page.getByRole('radio', { name: /Last hour/ }).check();
    await page.waitForURL(/range=1h/);
    await requests.getByRole('table', { name: 'Requests by minute' }).waitFor({ state: 'attached' });
    const hour = await totals(requests);
    expect([hour['4xx'], hour.refused]).toEqual([sent.alpha['4xx'], sent.revoked + sent.deleted]);
    await page.reload();
    expect(await page.getByRole('radio', { name: /Last hour/ }).isChecked()).toBe(true);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("a key's page charts its usage by status (from a top key's link); a key never used says so", async () => {
    const { page, problems } = await openPage(browser);
    await openOverview(page);
    await page.getByRole('table', { name: 'Top keys' }).getByRole('link', { name: 'ov-alpha' }).click();
    await page.getByRole('heading', { level: 1, name: 'Key “ov-alpha”' }).waitFor();
    expect(page.url()).toBe(`${stack.url}/console/keys/${alphaId}`);
    const usage = page.getByRole('region', { name: 'Usage' });
    await usage.locator('dd[data-usage="total"]').waitFor();
    expect(await totals(usage)).toEqual({ total: 9, '2xx': sent.alpha['2xx'], '3xx': 0, '4xx': sent.alpha['4xx'], '5xx': 0, refused: 0 });
    expect(await usage.getByRole('img').getAttribute('aria-label')).toMatch(/^Requests of this key, last 24 hours by hour: 9 requests \(6 2xx success, 3 4xx client error\)/);
    await screenshot(page, 'key-usage-chart');
    // by day: the same requests
    await page.getByRole('radio', { name: /Last 30 days/ }).check();
    await page.waitForURL(/range=30d/);
    await usage.getByRole('img', { name: /by day: 9 requests/ }).waitFor();

    await page.goto(`${stack.url}/console/keys/${neverId}`);
    await page.getByRole('heading', { level: 1, name: 'Key “ov-never”' }).waitFor();
    await page.getByRole('region', { name: 'Usage' }).getByText('This key has never been used').waitFor();
    expect(await page.getByRole('region', { name: 'Usage' }).getByRole('img').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
