import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent } from '../../agent/agent.js';
import { systemClock, type AgentClock } from '../../agent/clock.js';
import { silentLog } from '../../agent/log.js';
import { MemoryCluster } from '../../agent/kube/memory-cluster.js';
import { run } from '../../cli/main.js';
import { parseImportManifest } from '../../shared/agent-manifest.js';
import { captureIO } from '../integration/cli/support/capture-io.js';
import { TestClock } from '../integration/lifecycle/support.js';
import { startTestHub, type TestHub } from '../support/local-hub.js';

/**
 * Governance end to end: the local hub, three stores with the real agent code on in-memory
 * clusters, and docs/examples/governance/ applied through the CLI. Inform reports and changes
 * nothing; enforce makes every store comply; a store drifts while the policy informs and turns
 * NonCompliant (with a diff); enforce again repairs it; an unmet dependency is Pending and deletes
 * nothing; a silent store turns Unknown; the history and the report hold all of it.
 *
 * The agents share a clock that the test moves forward, so re-evaluation (10 minutes for a
 * compliant template) and the report debounce (60 s) pass without waiting for them.
 */

const EXAMPLES = fileURLToPath(new URL('../../docs/examples/governance/', import.meta.url));
const STORES = ['store-a', 'store-b', 'store-c'];
const hubClock = new TestClock();
/** The agents' clock: real time plus an offset the test advances. */
const agentClock = new (class implements AgentClock {
  offsetMs = 0;
  now = () => Date.now() + this.offsetMs;
  sleep = (ms: number, signal?: AbortSignal) => systemClock.sleep(ms, signal);
})();
let hub: TestHub;
const spokes = new Map<string, MemoryCluster>();
const agents = new Map<string, { agent: Agent; exit: Promise<unknown> }>();
const scratch = mkdtempSync(join(tmpdir(), 'tether-gov-'));

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const v = await probe().catch((err: unknown) => {
      last = err;
      return undefined;
    });
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function tether(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO({ env: { TETHER_HUB: hub.url, TETHER_TOKEN: hub.adminToken, TETHER_CONFIG: join(scratch, 'config.json') } });
  const code = await run(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

/** A policy's roll-up once the hub has it. */
async function summary(policy: string): Promise<Record<string, number>> {
  await hub.settle();
  return (await hub.api(`/v1/policies/${policy}`)).body.status?.summary ?? {};
}

/** One store's current compliance with one policy. */
async function complianceOf(policy: string, cluster: string): Promise<any> {
  const page = (await hub.api(`/v1/policies/${policy}/compliance`)).body;
  return page.items.find((c: any) => c.cluster === cluster);
}

/** Moves the agents' time past re-evaluation and debounce, and lets them run a few loops. */
async function passTime(seconds: number): Promise<void> {
  agentClock.offsetMs += seconds * 1000;
  await new Promise((r) => setTimeout(r, 1500));
}

async function patchPolicy(name: string, spec: Record<string, unknown>): Promise<void> {
  const res = await hub.api(`/v1/policies/${name}`, {
    method: 'PATCH',
    body: { spec },
    contentType: 'application/merge-patch+json',
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  hub = await startTestHub({ config: { pollIntervalSeconds: 1 }, schedulerIntervalMs: 1000 });
  hub.ctx.ports.clock = hubClock;
  for (const [i, name] of STORES.entries()) {
    const imported = await hub.api(`/v1/clusters/${name}/import`, {
      body: { labels: { fleet: 'retail', region: ['us-east', 'us-west', 'eu'][i] }, ttlSeconds: 3600 },
    });
    expect(imported.status).toBe(200);
    expect((await hub.api(`/v1/clusters/${name}/accept`, { method: 'POST' })).status).toBe(200);
    const spoke = new MemoryCluster({ name });
    spokes.set(name, spoke);
    const agent = new Agent({
      ...parseImportManifest(imported.body.manifest),
      api: spoke,
      namespace: 'tether-agent',
      version: '0.1.0',
      log: silentLog(),
      clock: agentClock,
      initialPollIntervalMs: 200,
      simulate: true,
    });
    agents.set(name, { agent, exit: agent.start() });
  }
  await until('every store to be Available', async () => {
    await hub.settle();
    const list = (await hub.api('/v1/clusters?labelSelector=fleet%3Dretail')).body.items;
    return list.filter((c: any) => c.status?.conditions?.some((x: any) => x.type === 'Available' && x.status === 'True')).length === 3;
  });
}, 120_000);

afterAll(async () => {
  for (const { agent } of agents.values()) await agent.stop();
  await hub?.stop();
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);

const configMap = (store: string) =>
  spokes.get(store)!.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'pci-audit', name: 'audit-policy' }) as Promise<any>;
const namespace = (store: string, name: string) => spokes.get(store)!.get({ apiVersion: 'v1', kind: 'Namespace', name }) as Promise<any>;

describe('governance end to end', () => {
  it('informs, enforces, catches drift, enforces again, keeps a pending policy’s objects, and shows a silent store as Unknown', async () => {
    // Inform: every store reports, nothing is written on any spoke.
    const applied = await tether(['apply', '-f', join(EXAMPLES, 'placement.yaml'), '-f', join(EXAMPLES, 'pci-inform.yaml')]);
    expect(applied).toMatchObject({ code: 0, err: '' });
    await until('the inform reports', async () => {
      const [owner, deny, pods, audit] = await Promise.all(
        ['pci-namespace-owner', 'pci-default-deny', 'pci-no-privileged-pods', 'pci-audit-config'].map(summary),
      );
      return owner.nonCompliant === 3 && deny.pending === 3 && pods.compliant === 3 && audit.nonCompliant === 3;
    });
    const missing = await complianceOf('pci-audit-config', 'store-a');
    expect(missing.compliance).toBe('NonCompliant');
    expect(missing.templates[0].objects.map((o: any) => [o.kind, o.reason])).toEqual(
      expect.arrayContaining([
        ['Namespace', 'Missing'],
        ['ConfigMap', 'Missing'],
      ]),
    );
    const pending = await complianceOf('pci-default-deny', 'store-b');
    expect(pending.templates[0]).toMatchObject({ compliance: 'Pending', reason: 'DependencyNotMet' });
    for (const store of STORES) expect(await namespace(store, 'payments')).toBeUndefined();

    // Enforce: every store complies; the ConfigMap is rendered per store.
    expect((await tether(['apply', '-f', join(EXAMPLES, 'pci-enforce.yaml')])).code).toBe(0);
    await until('every store to comply', async () => {
      // Each policy reported its inform state moments ago: its next report waits out the 60 s debounce.
      await passTime(61);
      const all = await Promise.all(['pci-namespace-owner', 'pci-default-deny', 'pci-audit-config'].map(summary));
      return all.every((s) => s.compliant === 3);
    });
    for (const store of STORES) {
      expect((await configMap(store)).data).toMatchObject({ store, retention: '365d' });
      expect((await namespace(store, 'payments')).metadata.labels).toMatchObject({ owner: 'payments-team' });
    }

    // Drift while the policy only informs: store-a turns NonCompliant, with the field in the diff.
    await patchPolicy('pci-audit-config', { remediationAction: 'inform' });
    const cm = await configMap('store-a');
    await spokes.get('store-a')!.apply(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'audit-policy', namespace: 'pci-audit' },
        data: { ...cm.data, retention: '30d' },
      },
      { fieldManager: 'kubectl', force: true },
    );
    await until('store-a to report the drift', async () => {
      await passTime(11 * 60);
      const c = await complianceOf('pci-audit-config', 'store-a');
      return c?.compliance === 'NonCompliant' && c;
    });
    const drifted = await complianceOf('pci-audit-config', 'store-a');
    const violation = drifted.templates[0].objects.find((o: any) => !o.compliant);
    expect(violation).toMatchObject({ kind: 'ConfigMap', name: 'audit-policy', reason: 'Mismatch' });
    expect(violation.diff).toContain('retention');
    expect((await summary('pci-audit-config')).compliant).toBe(2);

    // Enforce again: repaired on the spoke and reported.
    await patchPolicy('pci-audit-config', { remediationAction: 'enforce' });
    await until('store-a to be repaired and report it', async () => {
      await passTime(61);
      return (await complianceOf('pci-audit-config', 'store-a'))?.compliance === 'Compliant';
    });
    expect((await configMap('store-a')).data.retention).toBe('365d');

    // The history holds every change of store-a's audit policy, oldest first.
    const history = await hub.api('/v1/compliance/events?cluster=store-a&policy=pci-audit-config&direction=asc');
    expect(history.status).toBe(200);
    expect(history.body.items.map((e: any) => e.compliance)).toEqual(['NonCompliant', 'Compliant', 'NonCompliant', 'Compliant']);
    expect(history.body.items[0]).toMatchObject({ standards: ['PCI DSS 4.0'], controls: ['10.2.1', '10.5.1'], reportedBy: 'agent' });

    // An unmet dependency: the owner label drifts on store-b while its policy informs; the
    // default-deny policy turns Pending there and its NetworkPolicy stays.
    await patchPolicy('pci-namespace-owner', { remediationAction: 'inform' });
    await spokes
      .get('store-b')!
      .apply(
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments', labels: { owner: 'someone-else' } } },
        { fieldManager: 'kubectl', force: true },
      );
    await until('the dependant to turn Pending on store-b', async () => {
      await passTime(11 * 60);
      return (await complianceOf('pci-default-deny', 'store-b'))?.compliance === 'Pending';
    });
    const policy = await spokes
      .get('store-b')!
      .get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: 'payments', name: 'default-deny' });
    expect(policy).toBeDefined();

    // A silent store: its last answer is not shown as current.
    const c = agents.get('store-c')!;
    await c.agent.stop();
    hubClock.advance(3 * 60 + hub.ctx.ports.heartbeats.lagMs / 1000 + 1);
    // The sweep sees every lease as old at first; the live stores' next heartbeats renew theirs.
    const silent = await until('store-c, and only store-c, to be Unknown', async () => {
      await hub.tick();
      await hub.settle();
      const s = await complianceOf('pci-audit-config', 'store-c');
      const rollUp = await summary('pci-audit-config');
      return s?.compliance === 'Unknown' && rollUp.unknown === 1 && rollUp.compliant === 2 && s;
    });
    expect(silent.lastReported).toBe('Compliant');

    // The auditor's report, as CSV: a row per store and policy.
    const report = await hub.api('/v1/compliance/report?format=csv&standard=PCI%20DSS%204.0');
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = report.text.trim().split(/\r?\n/);
    expect(rows).toHaveLength(1 + STORES.length * 4);
    expect(rows.find((r) => r.startsWith('store-c,pci-audit-config,'))).toContain('Unknown');
  }, 300_000);
});
