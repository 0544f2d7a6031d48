import type { Browser, Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../../support/local-hub.js';
import {
  buildConsole,
  launchBrowser,
  newPage,
  screenshot,
  signIn,
  startAgentFromManifest,
  tearDownConsoleTest,
  watchPageErrors,
  type SimulatedAgent,
} from './harness.js';

/**
 * The console at fleet scale, in Chromium against a local hub: 265 clusters (three simulated
 * stores, one gone silent, one waiting for acceptance, 260 registered shops). The fleet summary
 * above every view and its filtering links; the dense, problems-first, paginated clusters table
 * with its state in the URL; Placements with decision groups and chosen clusters, ClusterSets,
 * a deployment's page (soak countdown, ETA, window override, revisions, history) and YAML views;
 * every view marked stale with actions disabled while the hub does not answer; a phone's width.
 */

const STORES: { name: string; labels: Record<string, string> }[] = [
  {
    name: 'store-a',
    labels: {
      ring: 'canary',
      region: 'us-east',
      tier: 'store',
      city: 'boston',
      format: 'flagship',
      'tether.dev/timezone': 'America.New_York',
    },
  },
  { name: 'store-b', labels: { ring: 'main', region: 'eu', tier: 'store' } },
  { name: 'store-c', labels: { ring: 'main', region: 'eu', tier: 'store' } },
];
const SHOPS = 260;

let hub: TestHub;
let browser: Browser;
let consoleDir: string;
const agents: SimulatedAgent[] = [];
const previousDir = process.env.TETHER_CONSOLE_DIR;
const API = 'tether.dev/v1alpha1';

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

const availability = async (name: string) =>
  (await hub.api(`/v1/clusters/${name}`)).body?.status?.conditions?.find((c: any) => c.type === 'Available')?.status;

async function importStore(name: string, labels: Record<string, string>): Promise<SimulatedAgent> {
  const res = await hub.api(`/v1/clusters/${name}/import`, { body: { labels, autoAccept: true } });
  expect(res.status).toBe(200);
  const agent = startAgentFromManifest(res.body.manifest);
  agents.push(agent);
  return agent;
}

beforeAll(async () => {
  consoleDir = await buildConsole();
  process.env.TETHER_CONSOLE_DIR = consoleDir;
  hub = await startTestHub({ config: { pollIntervalSeconds: 1 }, schedulerIntervalMs: 1000 });

  // store-gone joins, then its agent stops; moving the hub's clock past three leases makes the
  // lease sweep mark it Unknown (and taint it unreachable), as it would after three silent minutes.
  const gone = await importStore('store-gone', { ring: 'main', region: 'us-west', tier: 'store' });
  await until(async () => (await availability('store-gone')) === 'True', 30_000, 'store-gone Available');
  await gone.stop();
  const real = hub.ctx.ports.clock;
  hub.ctx.ports.clock = { ...real, now: () => real.now() + 4 * 60_000 + hub.ctx.ports.heartbeats.lagMs };
  await hub.tick();
  await hub.settle();
  hub.ctx.ports.clock = real;
  expect(await availability('store-gone')).toBe('Unknown');

  for (const s of STORES) await importStore(s.name, s.labels);
  const created = await hub.api('/v1/clusters', {
    body: {
      apiVersion: API,
      kind: 'Cluster',
      metadata: { name: 'store-new', labels: { tier: 'new-store' } },
      spec: { hubAcceptsClient: false },
    },
  });
  expect(created.status).toBe(201);
  const shops = Array.from({ length: SHOPS }, (_, i) => ({
    apiVersion: API,
    kind: 'Cluster',
    metadata: { name: `shop-${String(i).padStart(3, '0')}`, labels: { tier: 'shop', region: ['us-east', 'us-west', 'eu'][i % 3] } },
    spec: { hubAcceptsClient: true },
  }));
  for (let i = 0; i < shops.length; i += 100) {
    const batch = shops.slice(i, i + 100);
    const applied = await hub.api('/v1/apply', {
      method: 'POST',
      raw: batch.map((d) => JSON.stringify(d)).join('\n---\n'),
      contentType: 'application/yaml',
    });
    expect([applied.status, applied.body?.summary?.created]).toEqual([200, batch.length]);
  }

  const objects = [
    {
      apiVersion: API,
      kind: 'ClusterSet',
      metadata: { name: 'eu' },
      spec: { clusterSelector: { selectorType: 'LabelSelector', labelSelector: { matchLabels: { region: 'eu' } } } },
    },
    {
      apiVersion: API,
      kind: 'Placement',
      metadata: { name: 'stores' },
      spec: {
        predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { tier: 'store' } } } }],
        decisionStrategy: {
          groupStrategy: {
            decisionGroups: [{ groupName: 'canary', groupClusterSelector: { labelSelector: { matchLabels: { ring: 'canary' } } } }],
          },
        },
      },
    },
  ];
  for (const o of objects)
    expect((await hub.api(`/v1/${o.kind === 'ClusterSet' ? 'clustersets' : 'placements'}`, { body: o })).status).toBe(201);
  await until(
    async () => (await Promise.all(STORES.map((s) => availability(s.name)))).every((a) => a === 'True'),
    30_000,
    'the stores Available',
  );
  await until(
    async () => (await hub.api('/v1/placements/stores')).body.status?.numberOfSelectedClusters === 3,
    20_000,
    'the placement to choose the three live stores',
  );

  const configMap = (name: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default' },
    data: { store: '{{ .cluster.name }}' },
  });
  // web: one store at a time, each soaking ten minutes: the console shows the countdown and ETA.
  const web = {
    apiVersion: API,
    kind: 'FleetDeployment',
    metadata: { name: 'web' },
    spec: {
      template: { workload: { manifests: [configMap('web')] } },
      placementRef: { name: 'stores' },
      rolloutStrategy: { type: 'Progressive', maxConcurrency: 1, minSuccessTime: '10m' },
    },
  };
  // nightly: its window is closed for the whole test; an audited override lets it through.
  const closedHour = (new Date().getUTCHours() + 12) % 24;
  const nightly = {
    apiVersion: API,
    kind: 'FleetDeployment',
    metadata: { name: 'nightly' },
    spec: {
      template: { workload: { manifests: [configMap('nightly')] } },
      placementRef: { name: 'stores' },
      rolloutStrategy: { type: 'All' },
      maintenanceWindows: [{ schedule: `0 ${closedHour} * * *`, duration: '1m', timeZone: 'UTC' }],
    },
  };
  for (const d of [web, nightly]) expect((await hub.api('/v1/fleetdeployments', { body: d })).status).toBe(201);
  await until(async () => (await hub.api('/v1/fleetdeployments/web/status')).body.waves >= 1, 30_000, 'the first wave of web');
  await until(
    async () => (await hub.api('/v1/fleetdeployments/nightly/status')).body.summary?.pendingWindow === 3,
    30_000,
    'nightly waiting for its window',
  );
  expect(
    (await hub.api('/v1/fleetdeployments/nightly/override-window', { body: { reason: 'hotfix for the payment outage' } })).status,
  ).toBe(200);
  browser = await launchBrowser();
}, 180_000);

afterAll(() => tearDownConsoleTest({ agents, browser, hub, previousDir, consoleDir }), 60_000);

function rowNames(page: Page): Promise<string[]> {
  return page.locator('table.clusters tbody tr[data-cluster]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-cluster') ?? ''));
}

async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (JSON.stringify(last) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  expect(last).toEqual(expected);
}

const hashOf = (page: Page) => new URL(page.url()).hash;

test('fleet summary, problems first, one line per row at 1440 px, pages, and a URL that holds the view', async () => {
  const { context, page } = await newPage(browser, hub.url);
  await page.setViewportSize({ width: 1440, height: 900 });
  const errors = watchPageErrors(page);
  await signIn(page, hub);
  await page.locator('tr[data-cluster]').first().waitFor();

  // The summary counts every state; the zero states are there too, so "0 denied" is visibly zero.
  const summary = page.getByRole('navigation', { name: 'Fleet summary' });
  const count = (state: string) => summary.locator(`[data-summary-cluster="${state}"] strong`).textContent();
  await eventually(
    async () => [
      await count('Unknown'),
      await count('Pending'),
      await count('Waiting'),
      await count('Available'),
      await count('Denied'),
      await count('Detaching'),
    ],
    ['1', '1', `${SHOPS}`, '3', '0', '0'],
  );
  await summary.getByText(/\d+ rollouts/).waitFor();
  expect(await summary.locator('[data-summary-rollout]').count()).toBeGreaterThanOrEqual(1);

  // Problems first: the silent store, then the one waiting for acceptance.
  expect((await rowNames(page)).slice(0, 2)).toEqual(['store-gone', 'store-new']);
  expect(await page.locator('th[aria-sort="ascending"]').textContent()).toMatch(/^Availability/);

  // Dense: every row is one line; names and versions never wrap; labels are a count.
  const rows = await page.locator('table.clusters tbody tr[data-cluster]').evaluateAll((trs) =>
    trs.map((tr) => ({
      h: tr.getBoundingClientRect().height,
      wraps: Array.from(tr.querySelectorAll('.nowrap')).some((c) => (c as HTMLElement).scrollWidth > (c as HTMLElement).clientWidth + 1),
    })),
  );
  expect(rows).toHaveLength(200);
  const heights = rows.map((r) => r.h);
  expect(Math.max(...heights)).toBeLessThan(40);
  expect(Math.max(...heights) - Math.min(...heights)).toBeLessThan(2);
  expect(rows.some((r) => r.wraps)).toBe(false);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1440);
  await page.getByLabel('Search').fill('boston');
  const labels = page.locator('tr[data-cluster="store-a"] details.label-count');
  expect(await labels.locator('summary').getAttribute('title')).toBe(
    'city=boston, format=flagship, region=us-east, ring=canary, tether.dev/timezone=America.New_York, tier=store',
  );
  // What the eye sees is the count; screen readers also hear the labels.
  expect(await labels.locator('summary').innerText()).toMatch(/^6 labels/);
  expect(await labels.locator('summary .sr-only').evaluate((e) => getComputedStyle(e).position)).toBe('absolute');
  expect(await labels.locator('.chip').first().isVisible()).toBe(false);
  await labels.locator('summary').click();
  await labels.locator('.chip', { hasText: 'city=boston' }).waitFor();
  expect(hashOf(page)).toBe('#/clusters?q=boston');
  await page.getByLabel('Search').fill('');
  await screenshot(page, 'clusters-fleet');

  // A summary link filters the table, and the URL says so: reload, and the view is the same.
  await summary.locator('[data-summary-cluster="Unknown"]').click();
  await eventually(() => rowNames(page), ['store-gone']);
  expect(hashOf(page)).toBe('#/clusters?state=Unknown');
  expect(await page.getByLabel('Availability').inputValue()).toBe('Unknown');
  await page.reload();
  await eventually(() => rowNames(page), ['store-gone']);
  await page.getByRole('link', { name: 'clear filters' }).click();

  // Sort and page are in the URL too; a colleague opening it sees the same page.
  await page.getByRole('button', { name: /^Name/ }).click();
  await eventually(async () => (await rowNames(page))[0], 'shop-000');
  expect(hashOf(page)).toBe('#/clusters?sort=name');
  expect(await page.locator('table.clusters caption').textContent()).toMatch(/^265 clusters, 1–200 shown/);
  await page.getByRole('navigation', { name: 'Cluster pages' }).getByRole('button', { name: /Next/ }).click();
  await eventually(async () => (await rowNames(page)).length, 65);
  expect(hashOf(page)).toBe('#/clusters?sort=name&page=2');
  const shared = `${hub.url}/${hashOf(page)}`;
  const other = await newPage(browser, hub.url);
  await signIn(other.page, hub, hashOf(page));
  await other.page.locator('tr[data-cluster]').first().waitFor();
  await eventually(async () => (await rowNames(other.page)).slice(0, 2), (await rowNames(page)).slice(0, 2));
  expect(other.page.url()).toBe(shared);
  expect(await other.page.getByText('Page 2 of 2').count()).toBe(1);
  await other.context.close();
  expect(errors).toEqual([]);
  await context.close();
}, 90_000);

test('placements with decision groups and chosen clusters, cluster sets, a deployment’s page, history and YAML', async () => {
  const { context, page } = await newPage(browser, hub.url);
  await page.setViewportSize({ width: 1440, height: 900 });
  const errors = watchPageErrors(page);
  await signIn(page, hub);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Placements' }).click();
  await page.getByRole('heading', { level: 1, name: 'Placements' }).waitFor();
  await page.locator('tr[data-placement="stores"]').getByRole('link', { name: 'stores' }).click();
  await page.getByRole('heading', { level: 1, name: /stores/ }).waitFor();

  // The groups and the clusters behind them, as the hub decided (its decisions route).
  const decisions = (await hub.api('/v1/placements/stores/decisions')).body.items;
  expect(decisions.map((d: any) => d.cluster)).toEqual(['store-a', 'store-b', 'store-c']);
  const groups = page.getByRole('region', { name: 'Decision groups' });
  await groups.locator('tr[data-group="0"]').getByRole('button', { name: 'canary' }).waitFor();
  expect(await groups.locator('tr[data-group="0"] td.mono').textContent()).toBe('ring=canary');
  expect(await groups.locator('tr[data-group="1"] td').last().textContent()).toBe('2');
  const chosen = page.getByRole('region', { name: /Chosen clusters/ });
  await chosen.locator('tr[data-decision="store-c"]').waitFor();
  expect(await chosen.locator('tr[data-decision]').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-decision')))).toEqual([
    'store-a',
    'store-b',
    'store-c',
  ]);
  expect(await chosen.locator('tr[data-decision="store-a"]').innerText()).toMatch(/canary\s+Available/);
  await groups.getByRole('button', { name: 'group 1 (chunk)' }).click();
  await eventually(() => chosen.locator('tr[data-decision]').count(), 2);
  expect(await page.getByRole('link', { name: 'web' }).count()).toBe(1); // "Used by"
  await page.locator('details.yaml summary').click();
  const yaml = (await page.locator('pre[data-yaml]').textContent()) ?? '';
  expect(yaml).toMatch(/^apiVersion: tether\.dev\/v1alpha1\nkind: Placement\nmetadata:\n {2}name: stores\n/);
  expect(yaml).toContain('numberOfSelectedClusters: 3');
  await screenshot(page, 'placement', { fullPage: true });

  // Cluster sets: the members each cluster reports, and what the set selects.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cluster sets' }).click();
  await page.locator('tr[data-clusterset="eu"]').getByRole('link', { name: 'eu' }).click();
  const members = page.getByRole('region', { name: 'Members' });
  await members.locator('tr[data-member="store-c"]').waitFor({ timeout: 15_000 });
  const memberNames = await members.locator('tr[data-member]').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-member')));
  expect(memberNames).toContain('store-b');
  expect(memberNames.every((n) => n === 'store-b' || n === 'store-c' || n!.startsWith('shop-'))).toBe(true);
  expect(await page.getByText('region=eu', { exact: true }).count()).toBeGreaterThanOrEqual(1);

  // The deployment's page: soak countdown and ETA of the wave in flight, revisions, history.
  await page.goto(`${hub.url}/#/deployments/web`);
  const card = page.locator('article[data-deployment="web"]');
  await card.waitFor();
  const status = (await hub.api('/v1/fleetdeployments/web/status')).body;
  expect(status.state).toBe('Progressing');
  await card.locator('[data-soak]').waitFor();
  expect(await card.locator('[data-soak]').textContent()).toMatch(/^soak \(10m\) ends in (9|10) min \d+ s$/);
  expect(await card.locator('[data-eta]').textContent()).toMatch(/^done in \d+ min \d+ s \(.+\) at the earliest, 2 more waves$/);
  expect(await page.locator('[data-current-revision]').textContent()).toBe('1');
  const history = page.getByRole('region', { name: 'History' });
  await history.getByText(`Wave ${status.waves} started`).waitFor();
  await history.getByText('Created').waitFor();
  await screenshot(page, 'deployment', { fullPage: true });

  // The audited window override shows while it applies, with its reason.
  await page.goto(`${hub.url}/#/deployments`);
  const nightly = page.locator('article[data-deployment="nightly"]');
  await nightly.locator('[data-override="active"]').waitFor({ timeout: 20_000 });
  expect(await nightly.locator('[data-override]').textContent()).toMatch(
    /^Window override active — “hotfix for the payment outage”.*, for revision 1$/,
  );
  // The rollout summary's links filter the list.
  const state = (await hub.api('/v1/fleetdeployments/web/status')).body.state;
  await page.getByRole('navigation', { name: 'Fleet summary' }).locator(`[data-summary-rollout="${state}"]`).click();
  await eventually(
    async () => page.locator('article[data-deployment]').evaluateAll((as) => as.map((a) => a.getAttribute('data-deployment'))),
    ['web'],
  );

  // A cluster's history and YAML.
  await page.goto(`${hub.url}/#/clusters/store-gone`);
  const clusterHistory = page.getByRole('region', { name: 'History' });
  await clusterHistory.getByText(/^Available became Unknown/).waitFor();
  await clusterHistory.getByText(/^Taint tether\.dev\/unreachable/).waitFor();
  await page.locator('details.yaml summary').click();
  expect(await page.locator('pre[data-yaml]').textContent()).toMatch(/kind: Cluster\n/);
  expect(errors).toEqual([]);
  await context.close();
}, 90_000);

test('when the hub stops answering, every view is marked stale and actions are disabled until it answers again', async () => {
  const { context, page } = await newPage(browser, hub.url);
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, hub, '#/clusters/store-a');
  await page.getByRole('heading', { level: 1, name: /store-a/ }).waitFor();
  await page.getByRole('button', { name: 'Detach' }).waitFor();
  const before = Date.now();
  // The hub goes away: every API call fails as if the connection were refused.
  await page.route('**/v1/**', (route) => route.abort('connectionrefused'));
  const banner = page.getByRole('alert').filter({ hasText: 'The hub is not answering' });
  await banner.waitFor({ timeout: 15_000 });
  expect(await page.locator('main').getAttribute('data-stale')).toBe('true');
  const since = Date.parse((await banner.getAttribute('data-stale-since')) ?? '');
  expect(since).toBeLessThanOrEqual(Date.now());
  expect(since).toBeGreaterThan(before - 15_000);
  expect(await banner.textContent()).toMatch(/last answer at .+ and may be out of date\. Actions are disabled/);
  for (const name of ['Upgrade agent', 'Detach']) expect(await page.getByRole('button', { name }).isDisabled()).toBe(true);
  // The badge no longer looks current: the whole view is greyed.
  expect(await page.locator('main').evaluate((m) => getComputedStyle(m).filter)).toBe('grayscale(1)');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clusters' }).click();
  await page.getByRole('heading', { level: 1, name: 'Clusters' }).waitFor();
  expect(await page.getByRole('button', { name: 'Import cluster' }).isDisabled()).toBe(true);
  await screenshot(page, 'stale');

  // The hub is back: the next poll clears the mark and the actions come back.
  await page.unroute('**/v1/**');
  await banner.waitFor({ state: 'detached', timeout: 15_000 });
  expect(await page.locator('main').getAttribute('data-stale')).toBeNull();
  expect(await page.getByRole('button', { name: 'Import cluster' }).isDisabled()).toBe(false);
  await context.close();
}, 60_000);

test('at a phone’s width (390 px) nothing scrolls sideways and the navigation folds into a menu', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await signIn(page, hub);
  await page.locator('tr[data-cluster]').first().waitFor();
  const nav = page.getByRole('navigation', { name: 'Main' });
  expect(await nav.getByRole('link', { name: 'Placements' }).isVisible()).toBe(false);
  const menu = page.getByRole('button', { name: 'Menu' });
  expect(await menu.getAttribute('aria-expanded')).toBe('false');
  await screenshot(page, 'phone-clusters');
  await menu.click();
  expect(await menu.getAttribute('aria-expanded')).toBe('true');
  await nav.getByRole('link', { name: 'Placements' }).waitFor({ state: 'visible' });
  await screenshot(page, 'phone-menu');
  await nav.getByRole('link', { name: 'Placements' }).click();
  await page.getByRole('heading', { level: 1, name: 'Placements' }).waitFor();
  expect(await nav.getByRole('link', { name: 'Placements' }).isVisible()).toBe(false);

  const views: [string, string][] = [
    ['#/clusters', 'tr[data-cluster]'],
    ['#/clusters/store-a', '.facts'],
    ['#/deployments', 'article[data-deployment]'],
    ['#/deployments/web', '[data-current-revision]'],
    ['#/placements', 'tr[data-placement]'],
    ['#/placements/stores', 'tr[data-decision]'],
    ['#/clustersets/eu', 'tr[data-member]'],
    ['#/inventory', 'table.matrix, p.muted'],
  ];
  for (const [hash, ready] of views) {
    await page.goto(`${hub.url}/${hash}`);
    await page.locator(ready).first().waitFor({ timeout: 20_000 });
    const width = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    expect([hash, width.scroll]).toEqual([hash, width.client]);
  }
  expect(errors).toEqual([]);
  await context.close();
}, 90_000);
