import { ClusterProfileKeeper } from '../../../agent/cluster-profiles.js';
import type { ClusterApi } from '../../../agent/kube/cluster-api.js';
import { MemoryCluster } from '../../../agent/kube/memory-cluster.js';
import type { KubeObject } from '../../../agent/kube/types.js';
import { CLUSTER_PROFILE_CRD } from '../../../shared/cluster-profile.js';
import type { DesiredClusterProfile } from '../../../shared/protocol/inventory.js';
import { CapturedLog } from './support/harness.js';

const CRD_REF = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: CLUSTER_PROFILE_CRD };
const ref = (namespace: string, name: string) => ({
  apiVersion: 'multicluster.x-k8s.io/v1alpha1',
  kind: 'ClusterProfile',
  namespace,
  name,
});

const profile = (cluster: string, over: Partial<DesiredClusterProfile> = {}): DesiredClusterProfile => ({
  export: 'argocd',
  namespace: 'argocd-inventory',
  cluster,
  displayName: cluster,
  kubernetesVersion: 'v1.33.1',
  properties: [{ name: 'clusterset.k8s.io', value: 'stores' }],
  health: { status: 'True', reason: 'ClusterAvailable', message: 'ok', since: '2026-11-10T11:00:00Z' },
  validForSeconds: 180,
  ...over,
});

/** Counts the calls the keeper makes, to prove an unchanged pass makes none. */
function counting(cluster: MemoryCluster): { api: ClusterApi; calls: string[] } {
  const calls: string[] = [];
  const track =
    <A extends unknown[], R>(name: string, fn: (...a: A) => Promise<R>) =>
    (...a: A) => {
      calls.push(name);
      return fn(...a);
    };
  const api: ClusterApi = {
    apply: track('apply', (o, opt) => cluster.apply(o, opt)),
    applyStatus: track('applyStatus', (o, opt) => cluster.applyStatus(o, opt)),
    create: (o, opt) => {
      calls.push(`create ${o.kind}`);
      return cluster.create(o, opt);
    },
    mergePatch: track('mergePatch', (r, p, opt) => cluster.mergePatch(r, p, opt)),
    delete: track('delete', (r, opt) => cluster.delete(r, opt)),
    get: track('get', (r) => cluster.get(r)),
    list: track('list', (q) => cluster.list(q)),
    discover: track('discover', (a, k) => cluster.discover(a, k)),
    isCrdEstablished: track('isCrdEstablished', (n) => cluster.isCrdEstablished(n)),
    serverVersion: track('serverVersion', () => cluster.serverVersion()),
  };
  return { api, calls };
}

function setup(existingCrd?: KubeObject) {
  const cluster = new MemoryCluster({ name: 'argocd-hub' });
  let now = Date.parse('2026-11-10T12:00:00Z');
  const { api, calls } = counting(cluster);
  const logs = new CapturedLog();
  const keeper = new ClusterProfileKeeper({ api, log: logs.log, now: () => now });
  const advance = (ms: number) => (now += ms);
  return { cluster, keeper, calls, logs, now: () => now, advance, existingCrd };
}

/** Runs a pass and, while the CRD is establishing (asynchronously, as on a real server), runs again. */
async function settle(keeper: ClusterProfileKeeper, profiles: DesiredClusterProfile[], confirmedAt: number) {
  for (let i = 0; i < 50; i++) {
    const pass = await keeper.run({ profiles }, confirmedAt);
    if (pass.applied || pass.skipped || !profiles.length) return pass;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error('the inventory never settled');
}

describe('ClusterProfile keeper (agent, in-memory cluster)', () => {
  test('CRD absent: installed; profiles applied with status as tether-inventory, in a namespace it creates', async () => {
    const s = setup();
    expect(await s.cluster.get(CRD_REF)).toBeUndefined();
    const pass = await settle(s.keeper, [profile('store-1'), profile('store-2')], s.now());
    expect(pass.applied).toBe(2);
    const crd = await s.cluster.get(CRD_REF);
    expect(crd?.metadata.managedFields?.[0]?.manager).toBe('tether-inventory');
    expect(await s.cluster.get({ apiVersion: 'v1', kind: 'Namespace', name: 'argocd-inventory' })).toBeDefined();
    const obj = (await s.cluster.get(ref('argocd-inventory', 'store-1')))!;
    expect(obj.metadata.labels).toEqual({ 'x-k8s.io/cluster-manager': 'tether', 'inventory.tether.dev/export': 'argocd' });
    expect(obj.spec).toEqual({ displayName: 'store-1', clusterManager: { name: 'tether' } });
    expect(obj.status).toMatchObject({
      version: { kubernetes: 'v1.33.1' },
      properties: [{ name: 'clusterset.k8s.io', value: 'stores' }],
      conditions: [{ type: 'ControlPlaneHealthy', status: 'True', reason: 'ClusterAvailable' }],
    });
    const managers = (obj.metadata.managedFields ?? []).map(
      (m) => `${m.manager}/${m.operation}${m.subresource ? `/${m.subresource}` : ''}`,
    );
    expect(managers).toEqual(expect.arrayContaining(['tether-inventory/Apply', 'tether-inventory/Update/status']));
  });

  test('CRD present (installed by someone else): left untouched', async () => {
    const s = setup();
    const { clusterProfileCrd } = await import('../../../shared/cluster-profile.js');
    const theirs = clusterProfileCrd();
    theirs.metadata.labels = { 'app.kubernetes.io/managed-by': 'cluster-inventory-api' };
    await s.cluster.apply(theirs as KubeObject, { fieldManager: 'helm', force: false });
    const before = (await s.cluster.get(CRD_REF))!;
    await settle(s.keeper, [profile('store-1')], s.now());
    const after = (await s.cluster.get(CRD_REF))!;
    expect(after.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cluster-inventory-api' });
    expect(after.spec).toEqual(before.spec);
    expect((after.metadata.managedFields ?? []).map((m) => m.manager)).not.toContain('tether-inventory');
    expect(s.calls).not.toContain('create CustomResourceDefinition');
    expect(s.calls).toContain('create Namespace');
  });

  test('an unchanged inventory makes no Kubernetes call; a change updates; a member that left is deleted', async () => {
    const s = setup();
    await settle(s.keeper, [profile('store-1'), profile('store-2')], s.now());
    s.calls.length = 0;
    expect(await s.keeper.run({ profiles: [profile('store-1'), profile('store-2')] }, s.now())).toEqual({
      applied: 0,
      deleted: 0,
      skipped: true,
    });
    expect(s.calls).toEqual([]);

    const changed = profile('store-1', {
      health: { status: 'False', reason: 'ClusterUnavailable', message: 'disk full', since: '2026-11-10T12:00:30Z' },
    });
    expect(await s.keeper.run({ profiles: [changed] }, s.now())).toEqual({ applied: 1, deleted: 1, skipped: false });
    expect((await s.cluster.get(ref('argocd-inventory', 'store-1')))!.status).toMatchObject({
      conditions: [{ type: 'ControlPlaneHealthy', status: 'False', message: 'disk full', lastTransitionTime: '2026-11-10T12:00:30Z' }],
    });
    expect(await s.cluster.get(ref('argocd-inventory', 'store-2'))).toBeUndefined();

    // The export goes away: every Tether profile goes; someone else's profile in the namespace stays.
    await s.cluster.apply(
      {
        apiVersion: 'multicluster.x-k8s.io/v1alpha1',
        kind: 'ClusterProfile',
        metadata: { name: 'ocm-cluster', namespace: 'argocd-inventory', labels: { 'x-k8s.io/cluster-manager': 'open-cluster-management' } },
        spec: { clusterManager: { name: 'open-cluster-management' } },
      },
      { fieldManager: 'ocm', force: false },
    );
    expect(await s.keeper.run({ profiles: [] }, s.now())).toMatchObject({ deleted: 1 });
    expect(await s.cluster.get(ref('argocd-inventory', 'store-1'))).toBeUndefined();
    expect(await s.cluster.get(ref('argocd-inventory', 'ocm-cluster'))).toBeDefined();
  });

  test('no confirmation from the hub for the validity window: ControlPlaneHealthy turns Unknown by itself', async () => {
    const s = setup();
    const confirmedAt = s.now();
    await settle(s.keeper, [profile('store-1')], confirmedAt);
    s.advance(179_000);
    expect((await s.keeper.run({ profiles: [profile('store-1')] }, confirmedAt)).skipped).toBe(true);
    s.advance(2_000);
    expect((await s.keeper.run({ profiles: [profile('store-1')] }, confirmedAt)).applied).toBe(1);
    const condition = () =>
      (s.cluster.get(ref('argocd-inventory', 'store-1')) as Promise<KubeObject>).then(
        (o) => (o.status as { conditions: { status: string; reason: string }[] }).conditions[0],
      );
    expect(await condition()).toMatchObject({ status: 'Unknown', reason: 'InventoryStale' });
    // A successful poll confirms the hub's view again.
    expect((await s.keeper.run({ profiles: [profile('store-1')] }, s.now())).applied).toBe(1);
    expect(await condition()).toMatchObject({ status: 'True', reason: 'ClusterAvailable' });
  });

  test('a cluster that receives nothing and has no CRD: one list, nothing installed, no error', async () => {
    const s = setup();
    expect(await s.keeper.run({ profiles: [] }, s.now())).toEqual({ applied: 0, deleted: 0, skipped: false });
    expect(await s.cluster.get(CRD_REF)).toBeUndefined();
    expect(s.calls).toEqual(['list']);
    expect(s.logs.lines.filter((l) => l.includes('"warn"') || l.includes('"error"'))).toEqual([]);
  });
});

test('detach: every Tether ClusterProfile goes, the CRD stays', async () => {
  const s = setup();
  await settle(s.keeper, [profile('store-1'), profile('store-2', { namespace: 'kueue-system' })], s.now());
  expect(await s.keeper.removeAll()).toBe(true);
  expect(await s.cluster.list({ apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ClusterProfile' })).toEqual([]);
  expect(await s.cluster.get(CRD_REF)).toBeDefined();
});
