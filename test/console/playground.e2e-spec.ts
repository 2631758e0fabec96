import type { Browser, Page } from 'playwright-core';
import { startStack, type Stack } from '../support/stack';
import { launchBrowser, openPage, screenshot } from './browser';

/**
 * The console's Playground in a real browser against a real API: any endpoint of the
 * OpenAPI document, sent with the signed-in key or another one, the answer shown as it
 * came; bad JSON never sent; saved requests survive a reload and never hold a key.
 */
describe('console: playground', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startStack();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** Selects the endpoint whose option text starts with `METHOD /path` (followed by the summary or nothing). */
  async function chooseEndpoint(page: Page, methodAndPath: string): Promise<void> {
    const select = page.getByLabel('Endpoint');
    const label = await select.locator('option').evaluateAll(
      (options, wanted) =>
        options.map((o) => o.textContent ?? '').find((t) => t === wanted || t.startsWith(`${wanted} — `)) ?? null,
      methodAndPath,
    );
    if (!label) throw new Error(`no endpoint option for ${methodAndPath}`);
    await select.selectOption({ label });
  }

  async function send(page: Page, code: number): Promise<string> {
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const status = page.locator('[aria-label="Response status"]', { hasText: new RegExp(`^${code}\\b`) });
    await status.waitFor();
    return (await status.textContent()) ?? '';
  }

  async function responseBody(page: Page): Promise<string> {
    return (await page.locator('[aria-label="Response body"]').textContent()) ?? '';
  }

  /** The badges of the chosen endpoint (public, the permissions it needs), once the one starting with `first` shows. */
  async function permissionBadges(page: Page, first: string): Promise<{ text: string; ok: boolean }[]> {
    const info = page.locator('#playground-op-info');
    await info.locator('.badge', { hasText: first }).first().waitFor();
    return info.locator('.badge').evaluateAll((badges) =>
      badges.map((b) => ({ text: b.textContent ?? '', ok: b.classList.contains('badge-ok') })),
    );
  }

  it('sends with either key, shows answers and refusals readably, checks JSON, saves requests without keys', async () => {
    const { page, problems } = await openPage(browser);
    // every API request the page makes, in the order the browser sends them, with the body it sends
    const apiCalls: string[] = [];
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (url.pathname.startsWith('/v1/')) apiCalls.push(`${req.method()} ${url.pathname} ${req.postData() ?? ''}`.trim());
    });

    await page.goto(`${stack.url}/console/playground`);
    await page.getByLabel('API key').fill(stack.admin.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Playground' }).waitFor();

    // the endpoints come from the OpenAPI document, grouped by tag, labelled METHOD /path — summary
    const groups = await page.getByLabel('Endpoint').locator('optgroup').evaluateAll((g) => g.map((x) => x.getAttribute('label')));
    expect(groups).toEqual(expect.arrayContaining(['me', 'keys', 'users', 'audit']));

    // each endpoint shows the permission the document names (x-required-permissions), green when the signed-in key has it
    await chooseEndpoint(page, 'POST /v1/keys');
    expect(await permissionBadges(page, 'needs ')).toEqual([{ text: 'needs keys:write', ok: true }]);
    await chooseEndpoint(page, 'GET /v1/system/status'); // the permission is on the controller class
    expect(await permissionBadges(page, 'needs ')).toEqual([{ text: 'needs admin.system.api', ok: true }]);

    // 1. GET /v1/me with the signed-in key: any valid key, no permission
    await chooseEndpoint(page, 'GET /v1/me');
    expect(await permissionBadges(page, 'any valid key')).toEqual([{ text: 'any valid key', ok: false }]);
    expect(await send(page, 200)).toBe('200 OK');
    expect(await responseBody(page)).toContain(stack.admin.keyId);

    // 2. another key, created through the API
    const created = await fetch(`${stack.url}/v1/keys`, {
      method: 'POST',
      headers: { 'x-api-key': stack.admin.key, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'playground second key', role: 'READONLY' }),
    });
    expect(created.status).toBe(201);
    const second = (await created.json()) as { id: string; key: string };

    await page.getByRole('radio', { name: 'Another key' }).check();
    await page.getByLabel('API key to send').fill(second.key);
    expect(await send(page, 200)).toBe('200 OK');
    const body = await responseBody(page);
    expect(body).toContain(second.id);
    expect(body).not.toContain(stack.admin.keyId);
    expect(await page.getByLabel('API key to send').getAttribute('type')).toBe('password');

    // 3. a garbage key: 401, the problem in words, and the console stays signed in
    await page.getByLabel('API key to send').fill('kw_not-a-real-key');
    expect(await send(page, 401)).toBe('401 Unauthorized');
    const problem = page.getByRole('alert').filter({ hasText: 'Unauthorized' });
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/does not hold a well-formed Keyward key.*MALFORMED_API_KEY/);
    expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);

    // 4. POST /v1/keys with an empty name: 400, the field named
    await page.getByRole('radio', { name: 'Signed-in key' }).check();
    await chooseEndpoint(page, 'POST /v1/keys');
    const bodyBox = page.getByLabel('Request body');
    expect(JSON.parse(await bodyBox.inputValue())).toMatchObject({ name: expect.any(String) });
    await bodyBox.fill('{"name": ""}');
    expect(await send(page, 400)).toBe('400 Bad Request');
    const fieldProblem = page.getByRole('alert').filter({ hasText: 'VALIDATION_FAILED' });
    await fieldProblem.waitFor();
    expect(await fieldProblem.locator('li').allTextContents()).toEqual([expect.stringMatching(/^name: must be longer/)]);

    // 5. invalid JSON: a message naming the problem, and nothing sent
    const before = apiCalls.length;
    /** What the page sent since `before`, leaving out the GETs it refreshes its other pages with after a change. */
    const sentSince = () => apiCalls.slice(before).filter((c) => !c.startsWith('GET '));
    await bodyBox.fill('{\n  "name": "x",\n}');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const jsonError = page.getByRole('alert').filter({ hasText: 'not valid JSON' });
    await jsonError.waitFor();
    expect(await jsonError.textContent()).toContain('line 3, column 1: a comma before "}" (a trailing comma) is not allowed in JSON');
    expect(await page.locator('[aria-label="Response status"]').textContent()).toBe('400 Bad Request');
    // then a valid body, sent and answered: a request the bad body had caused would have gone out before this one,
    // so once its answer shows, this one is the only request since (no waiting for something not to happen)
    await bodyBox.fill('{"name": "playground third key"}');
    expect(await send(page, 201)).toBe('201 Created');
    expect(sentSince()).toEqual(['POST /v1/keys {"name": "playground third key"}']);

    // 6. save two requests: one whose body holds a key (taken out), one with a path parameter
    await chooseEndpoint(page, 'POST /v1/keys/verify');
    await bodyBox.fill(JSON.stringify({ key: second.key, permissions: ['keys:read'] }));
    await page.getByLabel('Request name').fill('Verify the second key');
    await page.getByRole('button', { name: 'Save request' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved “Verify the second key”' }).waitFor();

    await chooseEndpoint(page, 'GET /v1/keys/{id}');
    await page.getByLabel('id', { exact: true }).fill(second.id);
    await page.getByLabel('Request name').fill('Read the second key');
    await page.getByRole('button', { name: 'Save request' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved “Read the second key”' }).waitFor();

    // 7. after a reload they are still there, load and send; storage holds no key
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Playground' }).waitFor();
    const saved = page.getByRole('list', { name: 'Saved requests' });
    await saved.getByText('Read the second key').waitFor();
    expect(await saved.getByRole('listitem').count()).toBe(2);
    const stored = await page.evaluate(() => Object.values(localStorage).join('\n'));
    expect(stored).toContain('Verify the second key');
    expect(/kw_/.test(stored)).toBe(false);

    await saved.getByRole('button', { name: 'Load Read the second key' }).click();
    expect(await page.getByLabel('Endpoint').inputValue()).toBe('GET /v1/keys/{id}');
    expect(await page.getByLabel('id', { exact: true }).inputValue()).toBe(second.id);
    expect(await send(page, 200)).toBe('200 OK');
    expect(await responseBody(page)).toContain('playground second key');
    await page.evaluate(() => window.scrollTo(0, 0)); // the response column is sticky: from the top it sits beside the form
    await screenshot(page, 'playground');

    await saved.getByRole('button', { name: 'Load Verify the second key' }).click();
    expect(await page.getByLabel('Endpoint').inputValue()).toBe('POST /v1/keys/verify');
    const loadedBody = await page.getByLabel('Request body').inputValue();
    expect(loadedBody).toContain('keys are never saved');
    expect(/kw_/.test(loadedBody)).toBe(false);

    // 8. delete one
    await saved.getByRole('button', { name: 'Delete Verify the second key' }).click();
    expect(await saved.getByRole('listitem').count()).toBe(1);
    expect(await page.evaluate(() => Object.values(localStorage).join('\n'))).not.toContain('Verify the second key');

    expect(problems).toEqual([]);
  }, 120_000);
});

describe('console: playground with a key-protected OpenAPI document (DOCS_PUBLIC=false)', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startStack({ DOCS_PUBLIC: 'false' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('reads the document with the signed-in key', async () => {
    expect((await fetch(`${stack.url}/docs/openapi.json`)).status).toBe(401);

    const { page, problems } = await openPage(browser);
    await page.goto(`${stack.url}/console/playground`);
    await page.getByLabel('API key').fill(stack.admin.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Playground' }).waitFor();
    const options = await page.getByLabel('Endpoint').locator('option').allTextContents();
    expect(options).toEqual(expect.arrayContaining([expect.stringMatching(/^GET \/v1\/me — /), expect.stringMatching(/^POST \/v1\/keys — /)]));
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.locator('[aria-label="Response status"]', { hasText: /^200 OK$/ }).waitFor();
    expect(problems).toEqual([]);
  });
});
