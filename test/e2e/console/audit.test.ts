import type { Browser, Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../../support/local-hub.js';
import { buildConsole, launchBrowser, newPage, screenshot, signIn, tearDownConsoleTest, watchPageErrors } from './harness.js';

/**
 * The audit view in real Chromium against a real local hub: changes made through the admin API
 * and a refused call show newest first with their author; the filters (outcome, verb, user) narrow
 * the list and live in the URL; a row unfolds to its redacted diff, shown as text.
 */

const api = 'tether.dev/v1alpha1';
let hub: TestHub;
let browser: Browser;
let consoleDir: string;
const previousDir = process.env.TETHER_CONSOLE_DIR;

/** Markup in a label value: it must show as text in the diff, never run. */
const HOSTILE = '<img src=x onerror=window.__owned=1>';

beforeAll(async () => {
  consoleDir = await buildConsole();
  process.env.TETHER_CONSOLE_DIR = consoleDir;
  hub = await startTestHub();
  const set = (name: string, labels?: Record<string, string>) => ({ apiVersion: api, kind: 'ClusterSet', metadata: { name, labels } });
  expect((await hub.api('/v1/clustersets', { body: set('stores-east') })).status).toBe(201);
  const patched = await hub.api('/v1/clustersets/stores-east', {
    method: 'PATCH',
    body: { metadata: { annotations: { note: HOSTILE } } },
    contentType: 'application/merge-patch+json',
  });
  expect(patched.status).toBe(200);
  expect((await hub.api('/v1/clustersets', { body: set('doomed') })).status).toBe(201);
  expect((await hub.api('/v1/clustersets/doomed', { method: 'DELETE' })).status).toBeLessThan(300);
  expect((await hub.api('/v1/clustersets', { body: set('sneaky'), token: 'tha_not-a-token' })).status).toBe(403);
  await hub.ctx.ports.audit.flush?.(true);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await tearDownConsoleTest({ agents: [], browser, hub, previousDir, consoleDir });
}, 60_000);

/** The texts of the audit table's rows, cell by cell. */
async function rows(page: Page): Promise<string[][]> {
  return page.$$eval('table.audit tbody tr', (trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((c) => (c.firstChild?.textContent ?? '').replace(/\s+/g, ' ').trim())),
  );
}

async function rowsSettle(page: Page, check: (r: string[][]) => boolean, what: string): Promise<string[][]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await rows(page);
    if (check(r)) return r;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; rows: ${JSON.stringify(r)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

test('the audit view: changes and refusals newest first, filtered, each change unfolding to its diff', async () => {
  const { context, page } = await newPage(browser, hub.url);
  const errors = watchPageErrors(page);
  await signIn(page, hub, '#/audit');
  await page.getByRole('heading', { name: 'Audit trail', level: 1 }).waitFor();
  expect(await page.getByRole('link', { name: 'Audit' }).getAttribute('aria-current')).toBe('page');

  const all = await rowsSettle(page, (r) => r.length >= 5, 'the five events');
  // Time, user, verb, object, outcome: newest first.
  expect(all.map((r) => [r[1], r[2], r[3], r[4]])).toEqual([
    ['system:anonymous', 'create', 'clustersets', 'denied 403'],
    ['token:bootstrap', 'delete', 'clustersets/doomed', 'allowed 200'],
    ['token:bootstrap', 'create', 'clustersets/doomed', 'allowed 201'],
    ['token:bootstrap', 'patch', 'clustersets/stores-east', 'allowed 200'],
    ['token:bootstrap', 'create', 'clustersets/stores-east', 'allowed 201'],
  ]);

  // Only denials: the select writes the filter into the URL and the hub answers the narrower query.
  await page.getByLabel('Outcome').selectOption('denied');
  await rowsSettle(page, (r) => r.length === 1 && r[0][1] === 'system:anonymous', 'the denied filter');
  expect(page.url()).toContain('outcome=denied');
  await page.getByLabel('Outcome').selectOption('');

  // Patches only, then unfold the diff: the hostile annotation is text, not markup.
  await page.getByLabel('Verb').selectOption('patch');
  await rowsSettle(page, (r) => r.length === 1, 'the verb filter');
  const diff = page.locator('details.audit-diff').first();
  await diff.locator('summary').click();
  expect(await diff.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
  expect(await diff.locator('pre').textContent()).toContain(HOSTILE);
  expect(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned)).toBeUndefined();
  await screenshot(page, 'audit-diff');

  // A user filter is applied when committed (Enter), not per keystroke.
  await page.getByLabel('Verb').selectOption('');
  await page.getByLabel('User').fill('system:anonymous');
  await page.getByLabel('User').press('Enter');
  await rowsSettle(page, (r) => r.length === 1 && r[0][2] === 'create', 'the user filter');
  expect(page.url()).toContain('user=system');
  expect(errors).toEqual([]);
  await context.close();
}, 60_000);
