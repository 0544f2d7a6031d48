import { afterEach, describe, expect, test } from '@jest/globals';
import type { KubeObject } from '../../../agent/kube/types.js';
import { SYNC_STATE_CONFIGMAP } from '../../../agent/state-store.js';
import { ORIGIN_RULE_ANNOTATION, type DesiredSync, type DesiredSyncSource } from '../../../shared/protocol/sync.js';
import { canonicalHash } from '../../../shared/hash.js';
import { importManifestObjects } from '../../../shared/agent-manifest.js';
import { rig, type Rig } from './support/harness.js';
import { asServiceAccount } from './support/rbac.js';

/**
 * The agent with resource sync in its desired state, over the in-memory cluster and the fake hub
 * (which answers POST /agent/v1/sync per the contract and bumps the digest): the idle path stays
 * one 304 poll, an unchanged source sends nothing, a restarted source sends what the hub needs,
 * a destination applies and reports its status only when it changes.
 */

const AGENT = { fieldManager: 'test', force: true };
const cm = (name: string, data: Record<string, string>, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'shop', ...(labels ? { labels } : {}) },
  data,
});
const source = (more: Partial<DesiredSyncSource> = {}): DesiredSyncSource => ({
  rule: 'settings',
  uid: 'uid-settings',
  generation: 1,
  resource: { group: '', version: 'v1', kind: 'ConfigMap' },
  match: [[{ namespaces: ['shop'], labels: [{ matchLabels: { sync: 'yes' } }] }]],
  withStatus: false,
  digest: '',
  ...more,
});
const sync = (s: Partial<DesiredSync>): DesiredSync => ({ sources: [], destinationRules: [], objects: [], ...s });

/** Cluster calls made, as `verb kind name`. */
function watchCalls(r: Rig): string[] {
  const calls: string[] = [];
  for (const verb of ['apply', 'create', 'mergePatch', 'get', 'list', 'delete', 'discover'] as const) {
    const original = r.cluster[verb].bind(r.cluster) as (...a: unknown[]) => Promise<unknown>;
    (r.cluster as unknown as Record<string, unknown>)[verb] = (...args: unknown[]) => {
      const t = args[0] as { metadata?: { name?: string }; name?: string; kind?: string } | string;
      calls.push(typeof t === 'string' ? `${verb} ${String(args[1])}` : `${verb} ${t.kind} ${t.metadata?.name ?? t.name ?? ''}`);
      return original(...args);
    };
  }
  return calls;
}

describe('Agent: resource sync', () => {
  let r: Rig;
  afterEach(async () => {
    await r?.close();
  });

  async function withShop(): Promise<void> {
    await r.cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, AGENT);
  }

  test('without sync rules, an idle poll is one 304 and sync makes no Kubernetes call', async () => {
    r = await rig();
    await r.agent.runOnce();
    await r.agent.runOnce();
    const calls = watchCalls(r);
    const before = r.hub.requests.length;

    await r.agent.runOnce();

    expect(r.hub.requests.slice(before).map((q) => `${q.method} ${q.path}`)).toEqual(['GET /agent/v1/desired']);
    expect(calls.filter((c) => c.includes(SYNC_STATE_CONFIGMAP) || c.includes('kube-system') || c.startsWith('discover'))).toEqual([]);
  });

  test('a source with 100 matching, unchanged objects sends no report, and an idle poll stays one 304', async () => {
    r = await rig();
    await withShop();
    for (let i = 0; i < 100; i++) await r.cluster.apply(cm(`cm-${i}`, { i: String(i) }, { sync: 'yes' }), AGENT);
    r.hub.setDesired({ sync: sync({ sources: [source()] }) });
    await r.agent.runOnce();
    expect(r.hub.syncHeld.get('settings')?.size).toBe(100);
    await r.agent.runOnce(); // the new digest arrives: equal, nothing to send
    const sent = r.hub.count('/agent/v1/sync');
    const before = r.hub.requests.length;

    for (let i = 0; i < 3; i++) await r.agent.runOnce();

    expect(r.hub.count('/agent/v1/sync')).toBe(sent);
    expect(r.hub.requests.slice(before).map((q) => `${q.method} ${q.path}`)).toEqual(Array(3).fill('GET /agent/v1/desired'));
  });

  test('a change on the source goes out on the next poll: the changed object only, with the whole inventory', async () => {
    r = await rig();
    await withShop();
    await r.cluster.apply(cm('a', { v: '1' }, { sync: 'yes' }), AGENT);
    await r.cluster.apply(cm('b', { v: '1' }, { sync: 'yes' }), AGENT);
    r.hub.setDesired({ sync: sync({ sources: [source()] }) });
    await r.agent.runOnce();
    await r.agent.runOnce();
    const n = r.hub.syncReports.length;

    await r.cluster.apply(cm('b', { v: '2' }, { sync: 'yes' }), AGENT);
    await r.agent.runOnce();

    const [report] = r.hub.syncReports.slice(n);
    expect(report.inventory.map((e) => e.name)).toEqual(['a', 'b']);
    expect(report.objects.map((o) => (o.object as { data: unknown }).data)).toEqual([{ v: '2' }]);
    expect(r.hub.syncReports).toHaveLength(n + 1);
  });

  test('after a restart the source sends its inventory, then what the hub needs', async () => {
    r = await rig();
    await withShop();
    for (const n of ['a', 'b', 'c']) await r.cluster.apply(cm(n, { v: '1' }, { sync: 'yes' }), AGENT);
    r.hub.setDesired({ sync: sync({ sources: [source()] }) });
    await r.agent.runOnce();
    await r.agent.stop();
    // While the agent is down, an object changes.
    await r.cluster.apply(cm('c', { v: '2' }, { sync: 'yes' }), AGENT);
    const n = r.hub.syncReports.length;

    await r.restart({ bootstrapToken: undefined }).runOnce();

    expect(r.hub.syncReports.slice(n).map((x) => x.objects.map((o) => (o.object.metadata as { name: string }).name))).toEqual([[], ['c']]);
    expect(r.hub.syncDigestOf('settings')).toBe(r.hub.desired.sync.sources[0].digest);
  });

  test('a kind the cluster does not serve is reported Blocked', async () => {
    r = await rig();
    r.hub.setDesired({ sync: sync({ sources: [source({ resource: { group: 'example.com', version: 'v1', kind: 'Widget' } })] }) });
    await r.agent.runOnce();
    expect(r.hub.syncSourceStates.get('settings')).toBe('Blocked: the cluster does not serve kind Widget in apiVersion example.com/v1');
  });

  test('a destination applies, reports its status, and sends no report while nothing changes', async () => {
    r = await rig();
    await withShop();
    const object = cm('shared', { v: '1' });
    r.hub.setDesired({
      sync: sync({
        destinationRules: [{ rule: 'settings', uid: 'uid-settings', conflictPolicy: 'Abort', deletePolicy: 'Propagate' }],
        objects: [
          {
            rule: 'settings',
            sourceCluster: 'store-0001',
            originClusterId: 'uid-1',
            sourceResourceVersion: '7',
            hash: canonicalHash(object),
            object,
          },
        ],
      }),
    });
    await r.agent.runOnce();

    const live = await r.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'shared' });
    expect(live?.metadata.annotations?.[ORIGIN_RULE_ANNOTATION]).toBe('settings');
    expect(r.hub.reports.at(-1)?.syncDestinations).toEqual([
      { rule: 'settings', uid: 'uid-settings', state: 'Synced', objects: 1, synced: 1, conflicts: 0, blocked: 0, optedOut: 0, reasons: [] },
    ]);
    const reports = r.hub.reports.length;
    await r.agent.runOnce();
    await r.agent.runOnce();
    expect(r.hub.reports).toHaveLength(reports);

    // The rule goes: its copy is deleted (Propagate), and the report says so once.
    r.hub.setDesired({ sync: sync({}) });
    await r.agent.runOnce();
    expect(await r.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'shared' })).toBeUndefined();
    expect(r.hub.reports.at(-1)?.syncDestinations).toEqual([]);
  });

  test('detach deletes the copies of Propagate rules and leaves Orphan ones', async () => {
    r = await rig();
    await withShop();
    const a = cm('a', { v: '1' });
    const b = cm('b', { v: '1' });
    const item = (rule: string, object: KubeObject) => ({
      rule,
      sourceCluster: 'store-0001',
      originClusterId: 'uid-1',
      sourceResourceVersion: '7',
      hash: canonicalHash(object),
      object,
    });
    r.hub.setDesired({
      sync: sync({
        destinationRules: [
          { rule: 'p', uid: 'uid-p', conflictPolicy: 'Abort', deletePolicy: 'Propagate' },
          { rule: 'o', uid: 'uid-o', conflictPolicy: 'Abort', deletePolicy: 'Orphan' },
        ],
        objects: [item('p', a), item('o', b)],
      }),
    });
    await r.agent.runOnce();
    r.hub.setDesired({ detach: true });

    await r.agent.runOnce();

    expect(await r.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'a' })).toBeUndefined();
    expect(await r.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'b' })).toBeDefined();
    expect(r.hub.reports.at(-1)?.detached).toBe(true);
  });

  test("with the import manifest's RBAC only: lists and reports as a source, applies as a destination, cleans up on detach", async () => {
    r = await rig();
    for (const o of importManifestObjects({
      cluster: 'store-0042',
      hubUrl: 'https://hub.example.com',
      bootstrapToken: 'thb_store-0042.secret',
      image: 'ghcr.io/tether-dev/tether-agent',
      version: '0.1.0',
    }))
      await r.cluster.apply(o as KubeObject, { fieldManager: 'kubectl-client-side-apply', force: false });
    await withShop();
    await r.cluster.apply(cm('local', { v: '1' }, { sync: 'yes' }), AGENT);
    const agent = r.restart({ api: asServiceAccount(r.cluster, { namespace: 'tether-agent', name: 'tether-agent' }) });
    const copy = cm('copy', { v: '1' });
    r.hub.setDesired({
      sync: sync({
        sources: [source()],
        destinationRules: [{ rule: 'in', uid: 'uid-in', conflictPolicy: 'Abort', deletePolicy: 'Propagate' }],
        objects: [
          { rule: 'in', sourceCluster: 'x', originClusterId: 'uid-x', sourceResourceVersion: '1', hash: canonicalHash(copy), object: copy },
        ],
      }),
    });

    await agent.runOnce();

    expect(r.logs.text).not.toContain('Forbidden');
    expect([...(r.hub.syncHeld.get('settings')?.keys() ?? [])]).toEqual(['shop/local']);
    expect(r.hub.reports.at(-1)?.syncDestinations?.[0]).toMatchObject({ rule: 'in', state: 'Synced' });
    r.hub.setDesired({ detach: true });
    await agent.runOnce();
    expect(await r.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'copy' })).toBeUndefined();
    expect(
      await r.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'tether-agent', name: SYNC_STATE_CONFIGMAP }),
    ).toBeUndefined();
  });
});
