import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import type { Browser, Download, Locator, Page } from 'playwright-core';
import { isoToLocalSeconds } from '../../apps/console/src/pages/audit/filters';
import { Stack, call, startStack } from '../support/stack';
import { launchBrowser, openPage, screenshot, signIn } from './browser';

/**
 * The Audit page in Chromium against a real API + worker + Postgres + Redis: the trail with
 * its filters and cursor paging, a key's history and its state before and after a revoke,
 * CSV and JSONL exports with the same filters, the integrity check (intact, then broken
 * after a superuser edits an event). Keys are only handled by the API calls; no assertion
 * prints one.
 */

interface Created {
  id: string;
  createdAt: string;
}

interface ExportedEvent {
  position: number;
  type: string;
  data: { keyId?: string };
  hash: string;
  prevHash: string;
}

/** Reads until the value is the expected one (the page answers asynchronously); else fails with a diff. */
async function eventually<T>(read: () => Promise<T>, expected: T | ((value: T) => boolean), timeoutMs = 10_000): Promise<T> {
  const ok = (v: T) => (typeof expected === 'function' ? (expected as (value: T) => boolean)(v) : isDeepStrictEqual(v, expected));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) {
      if (typeof expected === 'function') throw new Error(`still ${JSON.stringify(value)} after ${timeoutMs} ms`);
      expect(value).toEqual(expected);
      return value;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('console: Audit page (Chromium)', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const keys: Record<'alpha' | 'beta' | 'gamma' | 'delta', Created> = {} as never;

  const api = (method: string, path: string, body?: unknown) => call(stack.url, method, path, { key: stack.admin.key, body });
  const events = () => page.getByRole('table', { name: 'Audit events' });
  /** Data rows of a table: the rows holding a cell (the header row has none). */
  const dataRows = (table: Locator) => table.locator('tbody tr.audit-row');
  const typesOf = async (table: Locator) => dataRows(table).locator('.audit-type').allTextContents();

  async function download(button: string): Promise<{ file: Download; text: string }> {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
    const path = await file.path();
    return { file, text: await readFile(path, 'utf8') };
  }

  beforeAll(async () => {
    stack = await startStack();
    for (const name of ['alpha', 'beta', 'gamma', 'delta'] as const) {
      const res = await api('POST', '/v1/keys', { name: `audit-${name}`, role: 'READONLY' });
      expect(res.status).toBe(201);
      keys[name] = { id: res.body.id, createdAt: res.body.createdAt };
    }
    const revoked = await api('POST', `/v1/keys/${keys.beta.id}/revoke`, { reason: 'left the team' });
    expect(revoked.status).toBe(200);
    await stack.settleUsage(); // the KeyUsed events of those calls are in the log too
    browser = await launchBrowser();
    ({ page, problems } = await openPage(browser));
    await signIn(page, stack.url, stack.admin.key);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit trail' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  afterEach(() => {
    expect(problems).toEqual([]);
    // the signed-in key never reaches the address bar (compared as a boolean: a failure prints no key)
    expect(page.url().includes('kw_')).toBe(false);
  });

  it('shows the trail newest first, or in log order, each row with position, type, actor and the key it concerns', async () => {
    await dataRows(events()).first().waitFor();
    const newestFirst = (await dataRows(events()).locator('td:first-child').allTextContents()).map(Number);
    expect(newestFirst.length).toBeGreaterThan(10);
    expect(newestFirst).toEqual([...newestFirst].sort((a, b) => b - a));
    await page.getByLabel('Order').selectOption('asc');
    await page.waitForURL(/order=asc/);
    await eventually(async () => Number(await dataRows(events()).locator('td:first-child').first().textContent()), (p) => p < newestFirst[newestFirst.length - 1] || p === 1);
    const types = await typesOf(events());
    expect(types.slice(0, 3)).toEqual(['CompanyCreated', 'UserCreated', 'KeyCreated']);
    expect(types.filter((t) => t === 'KeyCreated')).toHaveLength(5); // the admin key and ours
    expect(types).toContain('KeyRevoked');
    expect(types).toContain('KeyUsed');
    const positions = (await dataRows(events()).locator('td:first-child').allTextContents()).map(Number);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));

    const revokedRow = dataRows(events()).filter({ hasText: 'KeyRevoked' });
    await expect(revokedRow.textContent()).resolves.toContain('reason: left the team');
    await expect(revokedRow.textContent()).resolves.toContain('127.0.0.1');
    await revokedRow.getByRole('button', { name: /^History of key / }).first().waitFor();
    await screenshot(page, 'audit-trail');

    // the full event, hashes included, in an expandable row
    const position = Number(await revokedRow.locator('td:first-child').textContent());
    const details = revokedRow.getByRole('button', { name: `Details of event ${position}` });
    await details.click();
    await expect(details.getAttribute('aria-expanded')).resolves.toBe('true');
    const expanded = events().locator('tr.audit-detail-row');
    const stored = (await api('GET', `/v1/audit-events?type=KeyRevoked`)).body.items[0];
    const text = (await expanded.textContent()) ?? '';
    expect(text).toContain(stored.hash);
    expect(text).toContain(stored.prevHash);
    expect(text).toContain(stored.eventId);
    expect(text).toContain('"reason": "left the team"');
    await details.click();
    await expanded.waitFor({ state: 'detached' });
    await page.getByLabel('Order').selectOption('desc');
    await page.waitForURL((u) => !u.search.includes('order='));
  });

  it('filters by type (several at once), key and time, keeps the filters in the URL, and refuses a bad key ID before asking', async () => {
    // the type list folds away while no type is chosen
    expect(await page.getByRole('checkbox', { name: 'KeyRevoked' }).isVisible()).toBe(false);
    await page.getByText('Choose event types').click();
    await page.getByRole('group', { name: 'Event types' }).getByRole('checkbox', { name: 'KeyRevoked' }).check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/type=KeyRevoked/);
    await eventually(() => typesOf(events()), ['KeyRevoked']);

    await page.getByRole('checkbox', { name: 'KeyCreated' }).check();
    await page.getByLabel('Key ID').fill(keys.beta.id);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await eventually(() => typesOf(events()), ['KeyRevoked', 'KeyCreated']);
    const url = new URL(page.url());
    expect(url.searchParams.get('type')).toBe('KeyCreated,KeyRevoked');
    expect(url.searchParams.get('keyId')).toBe(keys.beta.id);

    // a shared link opens the same view
    await page.reload();
    await eventually(() => typesOf(events()), ['KeyRevoked', 'KeyCreated']);
    await expect(page.getByLabel('Key ID').inputValue()).resolves.toBe(keys.beta.id);
    await expect(page.getByRole('checkbox', { name: 'KeyRevoked' }).isChecked()).resolves.toBe(true);

    // a time range after every event: nothing matches
    await page.getByLabel('From', { exact: true }).fill(isoToLocalSeconds(new Date(Date.now() + 3_600_000).toISOString()));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No event matches these filters.').waitFor();
    // To before From is refused in the form
    await page.getByLabel('To', { exact: true }).fill(isoToLocalSeconds(new Date(Date.now() - 3_600_000).toISOString()));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('Must be later than From.').waitFor();

    await page.getByLabel('To', { exact: true }).fill('');
    await page.getByLabel('From', { exact: true }).fill('');
    await page.getByLabel('Key ID').fill('kw_not-an-id');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText(/A key ID is a UUID/).first().waitFor();
    await expect(page.getByLabel('Key ID').getAttribute('aria-invalid')).resolves.toBe('true');
    // a key pasted where an ID belongs is refused before it reaches the URL
    await page.getByLabel('Key ID').fill('');
    await page.getByLabel('Actor ID').fill(stack.admin.key);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText(/looks like a key or secret itself/).waitFor();
    expect(page.url().includes('kw_')).toBe(false);
    await page.getByLabel('Actor ID').fill('');

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL((u) => u.search === '');
    await eventually(async () => (await typesOf(events())).length, (n) => n > 10);
  });

  it('pages through the trail by cursor with a small page size', async () => {
    await page.getByLabel('Page size').selectOption('10');
    await page.waitForURL(/limit=10/);
    await eventually(async () => dataRows(events()).count(), 10);
    const pager = page.getByRole('navigation', { name: 'Audit events pages' });
    await pager.getByText('Page 1').waitFor();
    const firstPage = (await dataRows(events()).locator('td:first-child').allTextContents()).map(Number);
    expect(firstPage).toHaveLength(10);
    expect(firstPage).toEqual([...firstPage].sort((a, b) => b - a)); // newest first

    await pager.getByRole('button', { name: 'Next →' }).click();
    await pager.getByText('Page 2').waitFor();
    await eventually(async () => Number(await dataRows(events()).locator('td:first-child').first().textContent()), (p) => p < firstPage[9]);
    await pager.getByRole('button', { name: '← Previous' }).click();
    await pager.getByText('Page 1').waitFor();
    await eventually(async () => Number(await dataRows(events()).locator('td:first-child').first().textContent()), firstPage[0]);

    await page.getByLabel('Page size').selectOption('50');
    await page.waitForURL((u) => !u.search.includes('limit='));
  });

  it("opens a key's history from a row and replays its state before and after the revoke", async () => {
    const row = dataRows(events()).filter({ hasText: 'KeyRevoked' });
    await row.getByRole('button', { name: `History of key ${keys.beta.id}` }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Key history' });
    await dialog.waitFor();
    await page.waitForURL(new RegExp(`history=${keys.beta.id}`));
    const history = dialog.getByRole('table', { name: 'Key history' });
    await eventually(() => typesOf(history), ['KeyCreated', 'KeyRevoked']);
    expect(await dialog.textContent()).toContain('audit-beta');
    await screenshot(page, 'audit-key-history');

    const positions = (await dataRows(history).locator('td:first-child').allTextContents()).map(Number);
    const state = dialog.getByRole('region', { name: 'Key state' });

    // as of the KeyCreated event: active, could authenticate, with the READONLY permissions
    await dialog.getByRole('button', { name: `State as of event ${positions[0]}` }).click();
    await state.getByText('The key was active').waitFor();
    let text = (await state.textContent()) ?? '';
    expect(text).toMatch(/Could authenticate\s*Yes/);
    expect(text).toContain('keys:read');
    expect(text).toContain('audit:read');

    // as of the KeyRevoked event: revoked, nothing effective
    await dialog.getByRole('button', { name: `State as of event ${positions[1]}` }).click();
    await state.getByText('The key was revoked').waitFor();
    text = (await state.textContent()) ?? '';
    expect(text).toContain('revoked');
    expect(text).toMatch(/Could authenticate\s*No/);
    expect(text).toMatch(/Effective permissions\s*none/);
    await screenshot(page, 'audit-key-state');

    // an instant typed in (to the second): an hour before it was created, it did not exist
    await dialog.getByLabel('State at').fill(isoToLocalSeconds(new Date(Date.parse(keys.beta.createdAt) - 3_600_000).toISOString()));
    await dialog.getByRole('button', { name: 'Show state' }).click();
    await state.getByText('The key did not exist yet').waitFor();

    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(new URL(page.url()).searchParams.get('history')).toBeNull();
  });

  it('opens a key by ID from the lookup form, and shows a refusal for a key that does not exist', async () => {
    await page.getByLabel('Look up key').fill(keys.alpha.id);
    await page.getByRole('button', { name: 'Open history' }).click();
    const dialog = page.getByRole('dialog', { name: 'Key history' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Now', exact: true }).click();
    await dialog.getByRole('region', { name: 'Key state' }).getByText('The key was active').waitFor();
    expect(await typesOf(dialog.getByRole('table', { name: 'Key history' }))).toEqual(['KeyCreated']);
    await dialog.getByRole('button', { name: 'Close' }).click();

    // "filter the trail by this key" from the dialog
    await page.getByLabel('Look up key').fill(keys.gamma.id);
    await page.getByRole('button', { name: 'Open history' }).click();
    await dialog.getByRole('button', { name: 'Filter the trail by this key' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await eventually(() => typesOf(events()), ['KeyCreated']);
    await expect(page.getByLabel('Key ID').inputValue()).resolves.toBe(keys.gamma.id);

    // an unknown key: the API's 404, readable
    await page.goto(`${stack.url}/console/audit?history=00000000-0000-4000-8000-000000000000`);
    await dialog.getByRole('alert').filter({ hasText: /not found/i }).first().waitFor();
    expect(await dialog.getByRole('alert').first().textContent()).toContain('404');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL((u) => u.search === '');
  });

  it('exports CSV and JSONL with the filters applied', async () => {
    const csv = await download('Export CSV');
    expect(csv.file.suggestedFilename()).toMatch(/^keyward-audit-.*\.csv$/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('position,eventId,streamId,streamVersion,type,occurredAt,companyId,actor,data,metadata,prevHash,hash');
    expect(lines.length).toBeGreaterThan(10);
    expect(csv.text).toContain('KeyRevoked');
    expect(csv.text).toContain(keys.delta.id);
    await page.getByText(/Saved keyward-audit-.*\.csv/).waitFor();

    // the same filters as the table: only our four keys' creations
    const keyCreated = page.getByRole('checkbox', { name: 'KeyCreated' });
    if (!(await keyCreated.isVisible())) await page.getByText('Choose event types').click();
    await keyCreated.check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/type=KeyCreated/);
    const jsonl = await download('Export JSONL');
    expect(jsonl.file.suggestedFilename()).toMatch(/^keyward-audit-.*\.jsonl$/);
    const exported = jsonl.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ExportedEvent);
    expect(exported.map((e) => e.type)).toEqual(['KeyCreated', 'KeyCreated', 'KeyCreated', 'KeyCreated', 'KeyCreated']);
    for (const k of Object.values(keys)) expect(exported.map((e) => e.data.keyId)).toContain(k.id);
    expect(exported.every((e) => /^[0-9a-f]{64}$/.test(e.hash) && /^[0-9a-f]{64}$/.test(e.prevHash))).toBe(true);
    // each export is itself recorded
    await eventually(async () => (await api('GET', '/v1/audit-events?type=AuditExported')).body.items.length, 2);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL((u) => u.search === '');
  });

  it('verifies the chain: intact, then broken at the position a superuser edited', async () => {
    await page.getByRole('button', { name: 'Verify integrity' }).click();
    const status = page.getByRole('status', { name: 'Integrity check' });
    await status.getByText('Chain intact').waitFor();
    const text = (await status.textContent()) ?? '';
    expect(text).toMatch(/\d+ events checked/);
    expect(text).toMatch(/Head position\d+/);
    expect(text).toMatch(/Head hash[0-9a-f]{64}/);
    await screenshot(page, 'audit-verify');

    // a superuser (triggers off) rewrites what one event says, without fixing its hash
    const [victim] = await stack.sql.query(`SELECT position FROM events WHERE type = 'KeyRevoked' LIMIT 1`);
    await stack.sql.transaction(async (m) => {
      await m.query('SET LOCAL session_replication_role = replica');
      await m.query(`UPDATE events SET data = jsonb_set(data, '{reason}', '"nothing to see"') WHERE position = $1`, [victim.position]);
    });
    await page.getByRole('button', { name: 'Verify integrity' }).click();
    await status.getByText(`Chain broken at position ${victim.position}`).waitFor();
    expect(await status.textContent()).toContain('altered after it was written');
    await screenshot(page, 'audit-verify-broken');
  });
});
