import type { Browser, Page } from 'playwright-core';
import type { DesiredPolicy } from '../../../shared/protocol/v1.js';
import { startTestHub, type TestHub } from '../../support/local-hub.js';
import { ReportingSpoke } from '../../support/reporting-spoke.js';
import { buildConsole, launchBrowser, newPage, screenshot, signIn, tearDownConsoleTest, watchPageErrors } from './harness.js';

/**
 * Governance in real Chromium against a real local hub: three stores chosen by a placement, two
 * PCI policies propagated to them, and compliance reported through the agent API by spokes that
 * join and heartbeat like agents (the test decides each outcome). The Governance view (by standard
 * and control, by policy, by cluster), the policy page with the violating objects and their diffs,
 * and the cluster page's compliance, all non-compliant first; a later report shows up live.
 */

const STORES = ['store-a', 'store-b', 'store-c'];

let hub: TestHub;
let browser: Browser;
let consoleDir: string;
const spokes: ReportingSpoke[] = [];
const previousDir = process.env.TETHER_CONSOLE_DIR;
const sent = new Map<string, DesiredPolicy>();

/** Markup in a diff: it must show as text, never run. */
const HOSTILE_DIFF =
  '--- cluster\n+++ policy\n metadata:\n   labels:\n-    note: "<img src=x onerror=window.__owned=1>"\n+    owner: payments\n';

function policy(name: string, control: string, objectName: string) {
  return {
    apiVersion: 'tether.dev/v1alpha1',
    kind: 'Policy',
    metadata: { name },
    spec: {
      remediationAction: 'inform',
      severity: 'high',
      standards: ['PCI DSS 4.0'],
      categories: ['Network Security Controls'],
      controls: [control],
      placementRef: { name: 'stores' },
      policyTemplates: [
        {
          name: `${name}-t`,
          objectTemplates: [
            {
              complianceType: 'musthave',
              objectDefinition: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: objectName, namespace: 'payments' } },
            },
          ],
        },
      ],
    },
  };
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

const compliant = (p: DesiredPolicy) => [{ name: p.templates[0].name, compliance: 'Compliant' as const, objects: [] }];

beforeAll(async () => {
  consoleDir = await buildConsole();
  process.env.TETHER_CONSOLE_DIR = consoleDir;
  hub = await startTestHub({ config: { pollIntervalSeconds: 1 }, schedulerIntervalMs: 1000 });
  for (const name of STORES) spokes.push((await ReportingSpoke.join(hub, name, { tier: 'store' })).keepAlive(500));
  const placement = await hub.api('/v1/placements', {
    body: {
      apiVersion: 'tether.dev/v1alpha1',
      kind: 'Placement',
      metadata: { name: 'stores' },
      spec: { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { tier: 'store' } } } }] },
    },
  });
  expect(placement.status).toBe(201);
  for (const p of [policy('pci-network', '1.2.1', 'default-deny'), policy('ns-owner', '2.2.1', 'owner')]) {
    const res = await hub.api('/v1/policies', { body: p });
    expect(res.status).toBe(201);
  }
  for (const s of spokes) for (const p of ['pci-network', 'ns-owner']) sent.set(`${s.name}/${p}`, await s.waitForPolicy(p, 30_000));
  const [a, b, c] = spokes;
  const got = (s: ReportingSpoke, p: string) => sent.get(`${s.name}/${p}`)!;
  await a.report(got(a, 'pci-network'), 'Compliant', compliant(got(a, 'pci-network')));
  await a.report(got(a, 'ns-owner'), 'Compliant', compliant(got(a, 'ns-owner')));
  await b.report(got(b, 'pci-network'), 'NonCompliant', [
    {
      name: 'pci-network-t',
      compliance: 'NonCompliant',
      reason: 'Violation',
      objects: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          namespace: 'payments',
          name: 'default-deny',
          compliant: false,
          reason: 'Mismatch',
          message: 'labels differ',
          diff: HOSTILE_DIFF,
        },
      ],
    },
  ]);
  await b.report(got(b, 'ns-owner'), 'Compliant', compliant(got(b, 'ns-owner')));
  await c.report(got(c, 'pci-network'), 'Compliant', compliant(got(c, 'pci-network')));
  await c.report(got(c, 'ns-owner'), 'Pending', [
    { name: 'ns-owner-t', compliance: 'Pending', reason: 'DependencyNotMet', message: 'pci-network is not Compliant', objects: [] },
  ]);
  await until(
    async () => {
      const p = (await hub.api('/v1/policies/pci-network')).body;
      const o = (await hub.api('/v1/policies/ns-owner')).body;
      return p?.status?.summary?.nonCompliant === 1 && o?.status?.summary?.pending === 1;
    },
    20_000,
    'the roll-ups to count the reports',
  );
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  for (const s of spokes) s.stop();
  await tearDownConsoleTest({ agents: [], browser, hub, previousDir, consoleDir });
}, 60_000);

/** The texts of a table's body rows, cell by cell. */
async function rows(page: Page, selector: string): Promise<string[][]> {
  return page.$$eval(`${selector} tbody tr`, (trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('th, td')).map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim())),
  );
}

test('the Governance view: by standard and control, by policy and by cluster, non-compliant first', async () => {
  const { context, page } = await newPage(browser, hub.url);
  const errors = watchPageErrors(page);
  await signIn(page, hub, '#/governance');
  await page.getByRole('link', { name: 'Governance' }).waitFor();
  expect(await page.getByRole('link', { name: 'Governance' }).getAttribute('aria-current')).toBe('page');
  await page.getByRole('heading', { name: 'Governance', level: 1 }).waitFor();

  // By standard and control (the first tab): the standard, then its failing control before the pending one.
  const standardTab = page.getByRole('tab', { name: 'By standard and control' });
  expect(await standardTab.getAttribute('aria-selected')).toBe('true');
  await page.locator('tbody[data-standard="PCI DSS 4.0"]').waitFor();
  const standard = await rows(page, 'table.governance-standards');
  expect(standard.map((r) => r.slice(0, 2))).toEqual([
    ['PCI DSS 4.0', 'Non-compliant'],
    ['1.2.1', 'Non-compliant'],
    ['2.2.1', 'Pending'],
  ]);
  // Non-compliant policies, compliant policies, distinct non-compliant clusters, cluster results.
  expect(standard[0].slice(2)).toEqual(['2 policies', '1', '0', '1', '4 compliant · 1 non-compliant · 1 pending · 0 unknown']);
  expect(standard[1].slice(2, 6)).toEqual(['pci-network', '1', '0', '1']);
  await screenshot(page, 'governance-standards');

  await page.getByRole('tab', { name: 'By policy' }).click();
  await page.locator('table.governance-policies').waitFor();
  expect(page.url()).toContain('#/governance?tab=policies');
  expect((await rows(page, 'table.governance-policies')).map((r) => [r[0], r[1], ...r.slice(5)])).toEqual([
    ['pci-network', 'Non-compliant', '1', '0', '0', '2'],
    ['ns-owner', 'Pending', '0', '1', '0', '2'],
  ]);

  await page.getByRole('tab', { name: 'By cluster' }).click();
  await page.locator('table.governance-clusters').waitFor();
  expect(await rows(page, 'table.governance-clusters')).toEqual([
    ['store-b', '1', 'pci-network'],
    ['store-a', '0', '—'],
    ['store-c', '0', '—'],
  ]);
  await page.getByLabel('Only non-compliant clusters').check();
  await until(async () => (await rows(page, 'table.governance-clusters')).length === 1, 5000, 'the filter');
  await screenshot(page, 'governance-clusters');
  expect(errors).toEqual([]);
  await context.close();
}, 60_000);

test('the policy page: roll-up, then each cluster non-compliant first with its violating object and the diff as text', async () => {
  const { context, page } = await newPage(browser, hub.url);
  const errors = watchPageErrors(page);
  await signIn(page, hub, '#/governance?tab=policies');
  await page.getByRole('link', { name: 'pci-network' }).click();
  await page.getByRole('heading', { name: /pci-network/, level: 1 }).waitFor();
  expect(page.url()).toContain('#/policies/pci-network');
  expect(await page.locator('[data-fact="standards"]').textContent()).toBe('PCI DSS 4.0');
  expect(await page.locator('[data-fact="noncompliant"]').textContent()).toBe('1');
  expect(await page.locator('[data-fact="compliant"]').textContent()).toBe('2');
  await page.locator('details.compliance').first().waitFor();
  const blocks = page.locator('details.compliance');
  expect(
    await blocks.evaluateAll((ds) =>
      ds.map((d) => [d.getAttribute('data-row'), d.getAttribute('data-compliance'), (d as HTMLDetailsElement).open]),
    ),
  ).toEqual([
    ['store-b', 'NonCompliant', true],
    ['store-a', 'Compliant', false],
    ['store-c', 'Compliant', false],
  ]);
  const first = blocks.first();
  expect(await first.locator('[data-object="ConfigMap payments/default-deny"]').textContent()).toContain('Mismatch labels differ');
  // The diff is shown exactly, as text: its markup neither renders nor runs.
  expect(await first.getByLabel('diff of ConfigMap payments/default-deny').textContent()).toBe(HOSTILE_DIFF);
  expect(await first.locator('pre.diff img').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned)).toBeUndefined();
  await screenshot(page, 'policy-detail', { fullPage: true });

  // The state filter lives in the URL.
  await page.getByRole('combobox', { name: 'Compliance' }).selectOption('NonCompliant');
  await until(async () => (await blocks.count()) === 1, 5000, 'the filter');
  expect(page.url()).toContain('state=NonCompliant');
  expect(errors).toEqual([]);
  await context.close();
}, 60_000);

test("the cluster page lists the cluster's policies non-compliant first, and a new report shows up live", async () => {
  const { context, page } = await newPage(browser, hub.url);
  const errors = watchPageErrors(page);
  await signIn(page, hub, '#/clusters/store-b');
  const section = page.locator('#cluster-compliance');
  await section.locator('details.compliance').first().waitFor();
  expect(await section.locator('[data-compliance-counts]').textContent()).toBe('1 non-compliant · 0 pending · 0 unknown · 1 compliant');
  expect(
    await section
      .locator('details.compliance')
      .evaluateAll((ds) => ds.map((d) => [d.getAttribute('data-row'), d.getAttribute('data-compliance')])),
  ).toEqual([
    ['pci-network', 'NonCompliant'],
    ['ns-owner', 'Compliant'],
  ]);
  expect(await section.locator('details.compliance').first().getByLabel('diff of ConfigMap payments/default-deny').textContent()).toBe(
    HOSTILE_DIFF,
  );
  await screenshot(page, 'cluster-compliance', { fullPage: true });

  // The store fixes it: the page follows without a reload.
  const b = spokes[1];
  const p = sent.get('store-b/pci-network')!;
  await b.report(p, 'Compliant', compliant(p));
  await section.locator('details.compliance[data-row="pci-network"][data-compliance="Compliant"]').waitFor({ timeout: 15_000 });
  expect(await section.locator('[data-compliance-counts]').textContent()).toBe('0 non-compliant · 0 pending · 0 unknown · 2 compliant');
  expect(errors).toEqual([]);
  await context.close();
}, 60_000);
