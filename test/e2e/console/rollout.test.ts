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
 * A rollout watched and steered from the console: four simulated stores (one canary), a
 * FleetDeployment rolled out group by group; the Deployments view shows a progress bar per group,
 * Pause stops it, Resume lets it finish; the inventory and the cluster page show what landed where.
 */

const STORES = [
  { name: 'store-canary', ring: 'canary' },
  { name: 'store-a', ring: 'main' },
  { name: 'store-b', ring: 'main' },
  { name: 'store-c', ring: 'main' },
];

let hub: TestHub;
let browser: Browser;
let consoleDir: string;
const agents: SimulatedAgent[] = [];
const previousDir = process.env.TETHER_CONSOLE_DIR;

beforeAll(async () => {
  consoleDir = await buildConsole();
  process.env.TETHER_CONSOLE_DIR = consoleDir;
  // A one-second scheduler drives the rollout controller; agents poll every second.
  hub = await startTestHub({ config: { pollIntervalSeconds: 1 }, schedulerIntervalMs: 1000 });
  for (const s of STORES) {
    const res = await hub.api(`/v1/clusters/${s.name}/import`, { body: { labels: { ring: s.ring, tier: 'store' }, autoAccept: true } });
    expect(res.status).toBe(200);
    agents.push(startAgentFromManifest(res.body.manifest));
  }
  await until(
    async () => {
      const list = await hub.api('/v1/clusters?labelSelector=tier%3Dstore');
      return (
        list.body.items.filter((c: any) => c.status?.conditions?.some((k: any) => k.type === 'Available' && k.status === 'True')).length ===
        STORES.length
      );
    },
    30_000,
    'all stores Available',
  );
  browser = await launchBrowser();
}, 120_000);

afterAll(() => tearDownConsoleTest({ agents, browser, hub, previousDir, consoleDir }), 60_000);

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function rolloutStatus(): Promise<any> {
  return (await hub.api('/v1/fleetdeployments/web/status')).body;
}

/** The group's progress bar as the browser exposes it to assistive technology. */
async function groupBar(page: Page, group: string): Promise<{ now: number; max: number; text: string }> {
  const bar = page.getByRole('progressbar', { name: `web: group ${group}` });
  return {
    now: Number(await bar.getAttribute('aria-valuenow')),
    max: Number(await bar.getAttribute('aria-valuemax')),
    text: (await bar.getAttribute('aria-valuetext')) ?? '',
  };
}

const CONFIGMAP = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'store-config', namespace: 'default' },
  data: { greeting: 'hello from {{ .cluster.name }}' },
};

const DEPLOYMENT = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
  },
};

/**
 * The Deployment reports its well-known status fields back (readyReplicas, ...); the ConfigMap is
 * applied with force, so the agent takes back fields someone edits on the cluster.
 */
const MANIFEST_CONFIGS = [
  {
    resourceIdentifier: { group: 'apps', resource: 'deployments', namespace: 'default', name: 'web' },
    feedbackRules: [{ type: 'WellKnownStatus' }],
  },
  {
    resourceIdentifier: { resource: 'configmaps', namespace: 'default', name: 'store-config' },
    updateStrategy: { type: 'ServerSideApply', serverSideApply: { force: true } },
  },
];

test('start a rollout, watch it per group, pause and resume it to completion', async () => {
  const placement = await hub.api('/v1/placements', {
    body: {
      apiVersion: 'tether.dev/v1alpha1',
      kind: 'Placement',
      metadata: { name: 'stores' },
      spec: {
        predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { tier: 'store' } } } }],
        decisionStrategy: {
          groupStrategy: {
            decisionGroups: [
              { groupName: 'canary', groupClusterSelector: { labelSelector: { matchLabels: { ring: 'canary' } } } },
              { groupName: 'main', groupClusterSelector: { labelSelector: { matchLabels: { ring: 'main' } } } },
            ],
          },
        },
      },
    },
  });
  expect(placement.status).toBe(201);
  const fd = await hub.api('/v1/fleetdeployments', {
    body: {
      apiVersion: 'tether.dev/v1alpha1',
      kind: 'FleetDeployment',
      metadata: { name: 'web' },
      spec: {
        template: { workload: { manifests: [CONFIGMAP, DEPLOYMENT] }, manifestConfigs: MANIFEST_CONFIGS },
        placementRef: { name: 'stores' },
        rolloutStrategy: {
          type: 'ProgressivePerGroup',
          maxConcurrency: 1,
          minSuccessTime: '3s',
          mandatoryDecisionGroups: [{ groupName: 'canary' }],
        },
      },
    },
  });
  expect(fd.status).toBe(201);

  const { context, page } = await newPage(browser, hub.url);
  const errors = watchPageErrors(page);
  await signIn(page, hub, '#/deployments');
  await page.getByRole('heading', { level: 1, name: 'Deployments' }).waitFor();
  const card = page.locator('article[data-deployment="web"]');
  await card.waitFor();
  // Revision 1 has nothing earlier to roll back to: no Roll back button.
  await card.getByText(/Revision 1 /).waitFor();
  expect(await card.getByRole('button', { name: 'Roll back web' }).count()).toBe(0);

  // Watch: the canary group fills first; the main group waits for it.
  await until(
    async () => (await page.getByRole('progressbar', { name: 'web: group canary' }).count()) === 1,
    20_000,
    'the canary group bar',
  );
  await until(async () => (await groupBar(page, 'canary')).now === 1, 30_000, 'the canary available in the console');
  expect(await groupBar(page, 'canary')).toEqual({ now: 1, max: 1, text: expect.stringMatching(/^1 of 1/) });
  await screenshot(page, 'deployments');

  // Pause while the main group is still going.
  const status = await rolloutStatus();
  expect(status.state).not.toBe('Complete');
  await card.getByRole('button', { name: 'Pause web' }).click();
  await page.getByRole('status').getByText('Deployment web paused.').waitFor();
  await card.getByText('Paused', { exact: true }).first().waitFor();
  expect((await rolloutStatus()).state).toBe('Paused');
  const frozen = (await groupBar(page, 'main')).now;
  await new Promise((r) => setTimeout(r, 4000));
  expect((await rolloutStatus()).state).toBe('Paused');
  expect((await groupBar(page, 'main')).now).toBeLessThanOrEqual(Math.max(frozen, 1));
  await screenshot(page, 'deployments-paused');

  // Resume: the rollout finishes; every bar is full.
  await card.getByRole('button', { name: 'Resume web' }).click();
  await page.getByRole('status').getByText('Deployment web resumed.').waitFor();
  await until(async () => (await rolloutStatus()).state === 'Complete', 60_000, 'the rollout to complete');
  await card.getByText('Complete', { exact: true }).first().waitFor({ timeout: 10_000 });
  await until(async () => (await groupBar(page, 'main')).now === 3, 10_000, 'the main group full in the console');
  expect(await groupBar(page, 'main')).toEqual({ now: 3, max: 3, text: expect.stringMatching(/^3 of 3/) });
  await screenshot(page, 'deployments-complete');

  // The inventory: web is Available on every store.
  await page.getByRole('link', { name: 'Fleet inventory' }).click();
  await page.getByRole('heading', { level: 1, name: 'Fleet inventory' }).waitFor();
  await page.getByRole('columnheader', { name: /^web/ }).waitFor({ timeout: 20_000 });
  expect((await page.locator('table.matrix caption').textContent())?.trim()).toMatch(/^\d+ of \d+ clusters × 1 deployment$/);
  for (const s of STORES) {
    await page.getByRole('row', { name: new RegExp(`^${s.name} Available`) }).waitFor({ timeout: 20_000 });
  }
  await page.getByLabel('Clusters (label selector)').fill('ring=canary');
  await until(async () => (await page.locator('table.matrix tbody tr').count()) === 1, 5000, 'the canary row only');
  await page.getByLabel('Clusters (label selector)').fill('');
  await screenshot(page, 'inventory');

  // Someone edits the ConfigMap on store-a behind the hub's back: the agent notices and puts it back.
  const storeA = agents[STORES.findIndex((s) => s.name === 'store-a')];
  storeA.cluster.mutate({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'store-config' }, (o) => {
    (o.data as Record<string, string>).greeting = 'edited by hand';
  });

  // The cluster page shows the rendered work with per-resource status, feedback and the drift.
  await page.getByRole('link', { name: 'store-a' }).click();
  const workItem = page.locator('details.work').first();
  await workItem.waitFor({ timeout: 20_000 });
  await workItem.locator('summary').click();
  await workItem.getByRole('rowheader', { name: /ConfigMap default\/store-config/ }).waitFor();
  const deploymentRow = workItem.getByRole('row', { name: /Deployment default\/web/ });
  await deploymentRow.waitFor();
  expect(await deploymentRow.locator('dl.feedback dt').allTextContents()).toEqual(
    expect.arrayContaining(['readyReplicas', 'availableReplicas']),
  );
  const drift = page.getByRole('region', { name: 'Drift events' });
  await drift.getByRole('row', { name: /ConfigMap default\/store-config Modified/ }).waitFor({ timeout: 20_000 });
  // The console shows what the hub recorded, including whether the agent could put it back.
  const recorded = (await hub.api('/v1/clusters/store-a/works/web')).body.status.driftEvents.find((e: any) => e.name === 'store-config');
  expect(recorded).toMatchObject({ kind: 'ConfigMap', change: 'Modified', fields: expect.arrayContaining(['data.greeting']) });
  const cells = await drift
    .getByRole('row', { name: /ConfigMap default\/store-config Modified/ })
    .first()
    .locator('td')
    .allTextContents();
  expect(cells.slice(1)).toEqual([
    'web',
    'ConfigMap default/store-config',
    'Modified',
    recorded.fields.join(', '),
    recorded.corrected ? 'yes, re-applied' : 'no',
  ]);
  expect(recorded.corrected).toBe(true);
  await screenshot(page, 'cluster-detail-works', { fullPage: true });
  expect(errors).toEqual([]);
  await context.close();
}, 180_000);

test('clusters outside their maintenance window are shown waiting; the audited override lets them through', async () => {
  // A daily one-minute window twelve hours from now: closed for the whole test.
  const closedHour = (new Date().getUTCHours() + 12) % 24;
  const fd = await hub.api('/v1/fleetdeployments', {
    body: {
      apiVersion: 'tether.dev/v1alpha1',
      kind: 'FleetDeployment',
      metadata: { name: 'nightly' },
      spec: {
        template: { workload: { manifests: [{ ...CONFIGMAP, metadata: { name: 'nightly-config', namespace: 'default' } }] } },
        placementRef: { name: 'stores' },
        rolloutStrategy: { type: 'All' },
        maintenanceWindows: [{ schedule: `0 ${closedHour} * * *`, duration: '1m', timeZone: 'UTC' }],
      },
    },
  });
  expect(fd.status).toBe(201);

  const { context, page } = await newPage(browser, hub.url);
  const errors = watchPageErrors(page);
  await signIn(page, hub, '#/deployments');
  const card = page.locator('article[data-deployment="nightly"]');
  await card.getByText(`${STORES.length} waiting for a maintenance window`).waitFor({ timeout: 30_000 });
  const status = (await hub.api('/v1/fleetdeployments/nightly/status')).body;
  expect(status.summary.pendingWindow).toBe(STORES.length);
  expect(status.summary.updated).toBe(0);
  await screenshot(page, 'deployments-window');

  // The emergency override asks for a reason, which lands in the audit log.
  await card.getByRole('button', { name: 'Override maintenance windows of nightly' }).click();
  const dialog = page.getByRole('dialog', { name: 'Override maintenance windows for nightly?' });
  const confirm = dialog.getByRole('button', { name: 'Override windows' });
  expect(await confirm.isDisabled()).toBe(true);
  await dialog.getByLabel('Reason (for the audit log)').fill('hotfix for the payment outage');
  await confirm.click();
  await page.getByRole('status').getByText('Maintenance windows of nightly overridden.').waitFor();
  expect(
    hub.audit.some(
      (e: any) =>
        e.action === 'fleetdeployment.override-window' && e.fleetDeployment === 'nightly' && e.reason === 'hotfix for the payment outage',
    ),
  ).toBe(true);
  await until(async () => (await hub.api('/v1/fleetdeployments/nightly/status')).body.state === 'Complete', 60_000, 'nightly to complete');
  await card.getByText('Complete', { exact: true }).first().waitFor({ timeout: 10_000 });
  expect(await card.getByText(/waiting for a maintenance window/).count()).toBe(0);
  expect(errors).toEqual([]);
  await context.close();
}, 120_000);
