import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../../support/local-hub.js';
import {
  ARTIFACTS,
  buildConsole,
  launchBrowser,
  measureBundle,
  newPage,
  screenshot,
  signIn,
  startAgentFromManifest,
  tearDownConsoleTest,
  watchPageErrors,
  type BundleSize,
  type SimulatedAgent,
} from './harness.js';

/**
 * The console's cluster flows in Chromium against a local hub with simulated agents: sign in,
 * filter and sort, import (command, copy, manifest download), accept, watch the cluster turn
 * Available, read its detail, upgrade its agent, and detach it. Also measures the bundle and the
 * time to first render.
 */

let hub: TestHub;
let browser: Browser;
let consoleDir: string;
let bundle: BundleSize;
const agents: SimulatedAgent[] = [];
const previousDir = process.env.TETHER_CONSOLE_DIR;

beforeAll(async () => {
  consoleDir = await buildConsole();
  bundle = measureBundle(consoleDir);
  process.env.TETHER_CONSOLE_DIR = consoleDir;
  hub = await startTestHub({ config: { pollIntervalSeconds: 1, upgradeDeadlineSeconds: 120 } });
  browser = await launchBrowser();
}, 120_000);

afterAll(() => tearDownConsoleTest({ agents, browser, hub, previousDir, consoleDir }), 60_000);

/** Waits until the locator's text matches. */
async function waitForText(page: Page, selector: string, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last =
      (await page
        .locator(selector)
        .first()
        .textContent({ timeout: 1000 })
        .catch(() => null)) ?? '';
    if (pattern.test(last)) return last;
    await page.waitForTimeout(200);
  }
  throw new Error(`timed out waiting for ${selector} to match ${pattern}; last text: ${JSON.stringify(last)}`);
}

/** Signs in on the start page and waits for the cluster list. */
async function signInToClusters(page: Page): Promise<void> {
  await signIn(page, hub);
  await page.getByRole('heading', { level: 1, name: 'Clusters' }).waitFor();
}

/** Re-reads until the value equals `expected` (the console re-renders asynchronously), then asserts it. */
async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (JSON.stringify(last) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  expect(last).toEqual(expected);
}

function rowNames(page: Page): Promise<string[]> {
  return page.locator('table.data tbody tr[data-cluster]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-cluster') ?? ''));
}

test('sign-in keeps the token in session storage only and shows the hub’s detail for a bad token', async () => {
  const { context, page } = await newPage(browser, hub.url);
  const errors = watchPageErrors(page);
  await page.goto(`${hub.url}/`);
  // The page must not send users to .tether/ when the hub's data directory is elsewhere.
  const hint = await page.locator('main.signin p').first().textContent();
  expect(hint).toContain('admin-token file of its data directory');
  expect(hint).toContain('--data');
  await page.getByLabel('Admin token').fill('not-a-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = await page.getByRole('alert').textContent();
  const direct = await hub.api('/v1/clusters?limit=1', { token: 'not-a-token' });
  expect(direct.status).toBe(403);
  expect(alert).toBe(direct.body.detail);

  await page.getByLabel('Admin token').fill(hub.adminToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Clusters' }).waitFor();
  expect(page.url()).not.toContain(hub.adminToken);
  expect(await page.evaluate(() => sessionStorage.getItem('tether.adminToken'))).toBe(hub.adminToken);
  expect(await page.evaluate(() => localStorage.length)).toBe(0);
  expect((await context.cookies()).length).toBe(0);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Admin token').waitFor();
  expect(await page.evaluate(() => sessionStorage.getItem('tether.adminToken'))).toBeNull();
  expect(errors).toEqual([]);
  await context.close();
}, 60_000);

test('clusters table: label selector (validated by the hub’s parser), free text, sort, keyboard', async () => {
  for (const [name, labels] of [
    ['lab-east', { region: 'us-east', tier: 'lab' }],
    ['lab-west', { region: 'us-west', tier: 'lab' }],
    ['lab-eu', { region: 'eu-central', tier: 'edge' }],
  ] as const) {
    const res = await hub.api('/v1/clusters', {
      body: { apiVersion: 'tether.dev/v1alpha1', kind: 'Cluster', metadata: { name, labels }, spec: { hubAcceptsClient: true } },
    });
    expect(res.status).toBe(201);
  }
  const { context, page } = await newPage(browser, hub.url);
  const errors = watchPageErrors(page);
  await signInToClusters(page);
  await page.locator('tr[data-cluster="lab-eu"]').waitFor();

  await page.getByLabel('Label selector').fill('region in (us-east,us-west)');
  await eventually(() => rowNames(page), ['lab-east', 'lab-west']);
  await page.getByLabel('Label selector').fill('region in (us-east');
  // The hub's own parser (loaded on first use) explains what is wrong and where.
  await waitForText(page, '#cluster-selector-help', /invalid label selector "region in \(us-east": .*\(at character \d+\)/, 5000);
  expect(await page.getByLabel('Label selector').getAttribute('aria-invalid')).toBe('true');
  await page.getByLabel('Label selector').fill('tier=lab,region!=us-west');
  await eventually(() => rowNames(page), ['lab-east']);
  await page.getByLabel('Label selector').fill('');

  await page.getByLabel('Search').fill('edge');
  await eventually(() => rowNames(page), ['lab-eu']);
  await page.getByLabel('Search').fill('');

  // Sorting with the keyboard: the table opens sorted by availability (problems first); focus the
  // Name header's button and press Enter to sort by name, again to reverse.
  expect(await page.locator('th[aria-sort="ascending"]').textContent()).toMatch(/^Availability/);
  await page.getByRole('button', { name: /^Name/ }).focus();
  await page.keyboard.press('Enter');
  expect(await page.locator('th[aria-sort="ascending"]').textContent()).toMatch(/^Name/);
  await page.keyboard.press('Enter');
  expect(await page.locator('th[aria-sort="descending"]').textContent()).toMatch(/^Name/);
  await eventually(async () => (await rowNames(page)).slice(0, 3), ['lab-west', 'lab-eu', 'lab-east']);
  await page.getByRole('button', { name: /^Labels/ }).click();
  await eventually(async () => (await rowNames(page))[0], 'lab-eu');

  // After a fresh load, the first Tab lands on the skip link, which moves focus to the content.
  await page.reload();
  await page.locator('tr[data-cluster="lab-eu"]').waitFor();
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
  await page.keyboard.press('Enter');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
  expect(errors).toEqual([]);
  await context.close();
}, 60_000);

test('import -> accept -> Available -> detail -> upgrade -> detach, with a simulated agent', async () => {
  const { context, page } = await newPage(browser, hub.url);
  const errors = watchPageErrors(page);
  await signInToClusters(page);

  // Import: the dialog takes focus, and gives a command to copy and a manifest to download.
  await page.getByRole('button', { name: 'Import cluster' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import a cluster' });
  await dialog.waitFor();
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('import-name');
  await dialog.getByLabel('Cluster name').fill('store-0001');
  await dialog.getByLabel('Labels').fill('region=us-east\ntier=store');
  await page.getByRole('button', { name: 'Generate command' }).click();
  const result = page.getByRole('dialog', { name: 'Import store-0001' });
  await result.waitFor();
  const command = (await page.locator('#import-command').textContent()) ?? '';
  expect(command).toMatch(/kubectl apply/);
  await result.getByRole('button', { name: 'Copy' }).click();
  await page.getByText('Command copied to the clipboard.').waitFor();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(command);
  const [download] = await Promise.all([page.waitForEvent('download'), result.getByRole('link', { name: /^Download/ }).click()]);
  const manifest = readFileSync((await download.path())!, 'utf8');
  expect(manifest).toContain('kind: Secret');
  expect(manifest).toContain('tether-agent-bootstrap');
  await screenshot(page, 'import-dialog');
  await result.getByRole('button', { name: 'Done' }).click();
  await eventually(() => page.evaluate(() => document.activeElement?.textContent), 'Import cluster', 2000);

  // Pending: the agent tries to join and waits; the console offers Accept.
  // A simulated EKS cluster, so that the registry metadata columns have something to show.
  const sim = startAgentFromManifest(manifest, { distribution: 'eks', nodes: 2 });
  agents.push(sim);
  await page.getByRole('heading', { name: /Waiting for acceptance/ }).waitFor();
  await screenshot(page, 'clusters-pending');
  await page.getByRole('button', { name: 'Accept store-0001' }).click();
  await page.getByRole('status').getByText('Cluster store-0001 accepted').waitFor();

  // The agent joins, polls and reports; the console's next poll shows it Available.
  const row = 'tr[data-cluster="store-0001"] td.availability';
  await waitForText(page, row, /^Available/, 30_000);
  await waitForText(page, 'tr[data-cluster="store-0001"]', /v1\.33/, 15_000);
  // Registry metadata from the agent's claims: provider, distribution and region columns.
  expect(await page.locator('tr[data-cluster="store-0001"] td[data-col="provider"]').textContent()).toBe('aws');
  expect(await page.locator('tr[data-cluster="store-0001"] td[data-col="distribution"]').textContent()).toBe('EKS');
  expect(await page.locator('tr[data-cluster="store-0001"] td[data-col="region"]').textContent()).toBe('us-east-1');
  expect(await page.locator('tr[data-cluster="lab-east"] td[data-col="provider"]').textContent()).toBe('—');
  await page.getByLabel('Search').fill('eks');
  await eventually(() => rowNames(page), ['store-0001']);
  await page.getByLabel('Search').fill('');
  await screenshot(page, 'clusters');

  // Detail: conditions with times, claims.
  await page.getByRole('link', { name: 'store-0001' }).first().click();
  await page.getByRole('heading', { level: 1, name: /store-0001/ }).waitFor();
  await eventually(() => page.evaluate(() => document.activeElement?.tagName), 'H1', 2000);
  const conditions = page.getByRole('region', { name: 'Conditions' });
  for (const type of ['HubAccepted', 'Joined', 'Available']) await conditions.getByRole('rowheader', { name: type }).waitFor();
  expect(await conditions.locator('time').count()).toBeGreaterThanOrEqual(3);
  await page.getByRole('region', { name: 'Claims' }).getByRole('rowheader', { name: 'id.k8s.io' }).waitFor();
  expect(await page.locator('.facts [data-fact="distribution"]').textContent()).toBe('EKS');
  expect(await page.locator('.facts [data-fact="zones"]').textContent()).toBe('us-east-1a, us-east-1b');
  expect(await page.locator('.facts [data-fact="kubelet"]').textContent()).toBe('v1.33.1-eks-7308294');
  await screenshot(page, 'cluster-detail');

  // Upgrade, behind a confirmation; the simulated agent upgrades itself.
  await page.getByRole('button', { name: 'Upgrade agent' }).click();
  const upgrade = page.getByRole('dialog', { name: 'Upgrade the agent of store-0001' });
  await upgrade.getByLabel('Agent version').fill('0.2.0');
  await upgrade.getByRole('button', { name: 'Upgrade' }).click();
  await page.getByRole('status').getByText('upgrading to 0.2.0').waitFor();
  await waitForText(page, '.facts', /Agent0\.2\.0(?! \(upgrading)/, 30_000);

  // Detach: Escape cancels (focus returns to the button); then confirm.
  await page.getByRole('button', { name: 'Detach' }).click();
  const detach = page.getByRole('dialog', { name: 'Detach store-0001?' });
  await detach.waitFor();
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
  await page.keyboard.press('Escape');
  await detach.waitFor({ state: 'detached' });
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Detach');
  await page.getByRole('button', { name: 'Detach' }).click();
  await page.getByRole('dialog', { name: 'Detach store-0001?' }).getByRole('button', { name: 'Detach' }).click();
  await page.getByText('This cluster does not exist (any more).').waitFor({ timeout: 30_000 });
  expect(await sim.done).toBe('detached');
  expect((await hub.api('/v1/clusters/store-0001')).status).toBe(404);
  await page.getByRole('link', { name: 'Back to clusters' }).click();
  await page.locator('tr[data-cluster="lab-east"]').waitFor();
  expect(await rowNames(page)).not.toContain('store-0001');
  expect(errors).toEqual([]);
  await context.close();
}, 120_000);

test('an idle console: one request per list per 5 s (clusters, and deployments for the summary), no re-render while nothing changes, nothing in a hidden tab', async () => {
  const { context, page } = await newPage(browser, hub.url);
  await signInToClusters(page);
  await page.locator('tr[data-cluster="lab-eu"]').waitFor();
  const requests: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/v1/')) requests.push(r.url());
  });
  await page.evaluate(() => {
    const w = window as unknown as { mutations: number; changed: string[] };
    w.mutations = 0;
    w.changed = [];
    new MutationObserver((list) => {
      w.mutations += list.length;
      for (const m of list) w.changed.push(`${m.type} ${(m.target as Element).outerHTML?.slice(0, 120) ?? m.target.textContent}`);
    }).observe(document.getElementById('main')!, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await page.waitForTimeout(11_000);
  const perPath = (path: string) => requests.filter((u) => new URL(u).pathname === path).length;
  for (const path of ['/v1/clusters', '/v1/fleetdeployments']) {
    expect([path, perPath(path)]).toEqual([path, expect.any(Number)]);
    expect(perPath(path)).toBeGreaterThanOrEqual(2);
    expect(perPath(path)).toBeLessThanOrEqual(3);
  }
  expect(new Set(requests.map((u) => new URL(u).pathname))).toEqual(new Set(['/v1/clusters', '/v1/fleetdeployments']));
  expect(await page.evaluate(() => (window as unknown as { changed: string[] }).changed)).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { mutations: number }).mutations)).toBe(0);

  // A hidden tab makes no requests at all, and catches up as soon as it is shown again.
  const setHidden = (hidden: boolean) =>
    page.evaluate((h) => {
      Object.defineProperty(document, 'hidden', { value: h, configurable: true });
      Object.defineProperty(document, 'visibilityState', { value: h ? 'hidden' : 'visible', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);
  await setHidden(true);
  await page.waitForTimeout(500);
  requests.length = 0;
  await page.waitForTimeout(11_000);
  expect(requests).toEqual([]);
  await setHidden(false);
  await page.waitForTimeout(1000);
  expect(requests.map((u) => new URL(u).pathname).sort()).toEqual(['/v1/clusters', '/v1/fleetdeployments']);
  await context.close();
}, 60_000);

test('measures time to first render (with 100 more clusters) and records the bundle size', async () => {
  const fleet = Array.from({ length: 100 }, (_, i) => ({
    apiVersion: 'tether.dev/v1alpha1',
    kind: 'Cluster',
    metadata: {
      name: `fleet-${String(i).padStart(3, '0')}`,
      labels: { region: ['us-east', 'us-west', 'eu-central'][i % 3], tier: 'store' },
    },
    spec: { hubAcceptsClient: true },
  }));
  const applied = await hub.api('/v1/apply', {
    method: 'POST',
    raw: fleet.map((d) => JSON.stringify(d)).join('\n---\n'),
    contentType: 'application/yaml',
  });
  expect(applied.status).toBe(200);
  expect(applied.body.summary.created).toBe(100);
  const { context, page } = await newPage(browser, hub.url);
  await signInToClusters(page);
  await page.locator('tr[data-cluster="fleet-099"]').waitFor();
  const samples: { firstRender: number; fcp: number }[] = [];
  for (let i = 0; i < 5; i++) {
    await page.reload();
    await page.locator('table.data tbody tr').first().waitFor();
    await page.waitForFunction(() => performance.getEntriesByName('tether:first-render').length > 0);
    samples.push(
      await page.evaluate(() => ({
        firstRender: performance.getEntriesByName('tether:first-render')[0]?.startTime ?? -1,
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1,
      })),
    );
  }
  for (const s of samples) expect(s.firstRender).toBeGreaterThan(0);
  const sorted = samples.map((s) => s.firstRender).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  mkdirSync(ARTIFACTS, { recursive: true });
  const rows = await page.locator('table.data tbody tr[data-cluster]').count();
  expect(rows).toBeGreaterThanOrEqual(100);
  const report = { clusters: rows, firstRenderMs: { median, samples: sorted }, firstContentfulPaintMs: samples.map((s) => s.fcp), bundle };
  writeFileSync(join(ARTIFACTS, 'metrics.json'), `${JSON.stringify(report, null, 2)}\n`);
  // The whole first-visit payload stays small: well under 40 kB gzipped.
  expect(bundle.initial.gzip).toBeLessThan(40_000);
  await context.close();
}, 60_000);
