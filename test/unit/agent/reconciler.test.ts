import { jest } from '@jest/globals';
import { inventoryName } from '../../../agent/inventory.js';
import { MemoryCluster } from '../../../agent/kube/memory-cluster.js';
import type { ClusterApi } from '../../../agent/kube/cluster-api.js';
import type { KubeObject } from '../../../agent/kube/types.js';
import { Reconciler } from '../../../agent/reconciler.js';
import { workStatusFromReport } from '../../../lambdas/capabilities/works/work-status.js';
import { CapturedLog, configMap, deployment, namespace, work } from './support/harness.js';

const NS = 'tether-agent';

function setup(options: ConstructorParameters<typeof MemoryCluster>[0] = {}) {
  const cluster = new MemoryCluster({ name: 'c1', ...options });
  // The agent's namespace exists (the import manifest or the agent's start-up creates it).
  void cluster.apply(namespace(NS) as KubeObject, { fieldManager: 'kubectl', force: false });
  const logs = new CapturedLog();
  const make = () => new Reconciler({ api: cluster, namespace: NS, log: logs.log, crdWaitMs: 2_000 });
  return { cluster, logs, reconciler: make(), make };
}

/** Wraps a ClusterApi and records every write, in order. */
function recording(api: ClusterApi): { api: ClusterApi; writes: string[] } {
  const writes: string[] = [];
  const wrap: ClusterApi = {
    apply: (obj, o) => {
      writes.push(`apply ${obj.kind}/${obj.metadata.name}`);
      return api.apply(obj, o);
    },
    applyStatus: (obj, o) => {
      writes.push(`applyStatus ${obj.kind}/${obj.metadata.name}`);
      return api.applyStatus(obj, o);
    },
    create: (obj, o) => {
      writes.push(`create ${obj.kind}/${obj.metadata.name}`);
      return api.create(obj, o);
    },
    delete: (ref, o) => {
      writes.push(`delete ${ref.kind}/${ref.name}`);
      return api.delete(ref, o);
    },
    mergePatch: (ref, p, o) => {
      writes.push(`mergePatch ${ref.kind}/${ref.name}`);
      return api.mergePatch(ref, p, o);
    },
    get: (ref) => api.get(ref),
    list: (q) => api.list(q),
    discover: (a, k) => api.discover(a, k),
    isCrdEstablished: (n) => api.isCrdEstablished(n),
    serverVersion: () => api.serverVersion(),
  };
  return { api: wrap, writes };
}

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
};
const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'shop' }, spec: { size: 3 } };

describe('Reconciler', () => {
  let cluster: MemoryCluster;
  afterEach(() => cluster?.close());

  test('applies namespaces before namespaced objects and CRDs before their custom resources, whatever the work order', async () => {
    const s = setup({ crdEstablishDelayMs: 30 });
    cluster = s.cluster;
    await s.reconciler.reconcile([work('infra', [])]); // creates nothing but proves an empty work is fine
    const rec = recording(cluster);
    const reconciler = new Reconciler({ api: rec.api, namespace: NS, log: s.logs.log, crdWaitMs: 2_000 });
    const result = await reconciler.reconcile([
      work('app', [widget, deployment('web', 'shop'), configMap('cfg', 'shop', { a: '1' }), crd, namespace('shop')]),
    ]);
    const applies = rec.writes.filter((w) => w.startsWith('apply') && !w.includes('tether-work-'));
    expect(applies).toEqual([
      'apply Namespace/shop',
      'apply CustomResourceDefinition/widgets.example.com',
      'apply ConfigMap/cfg',
      'apply Deployment/web',
      'apply Widget/w1',
    ]);
    const w = result.works[0];
    expect(w.conditions.find((c) => c.type === 'Applied')).toMatchObject({
      status: 'True',
      reason: 'AppliedManifestsComplete',
      observedGeneration: 1,
    });
    expect(await cluster.get({ apiVersion: 'example.com/v1', kind: 'Widget', namespace: 'shop', name: 'w1' })).toBeDefined();
  });

  test('records an inventory and prunes only objects it created', async () => {
    const s = setup();
    cluster = s.cluster;
    await cluster.apply(namespace('shop') as KubeObject, { fieldManager: 'kubectl', force: false });
    // A ConfigMap someone else made, which the work later also names.
    await cluster.apply(configMap('theirs', 'shop', { owner: 'ops' }) as KubeObject, { fieldManager: 'kubectl', force: false });
    const v1 = work('app', [
      namespace('shop'),
      configMap('a', 'shop', { x: '1' }),
      configMap('b', 'shop', { x: '2' }),
      configMap('theirs', 'shop', { owner: 'ops' }),
    ]);
    await s.reconciler.reconcile([v1]);
    const inv = await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name: inventoryName('app') });
    expect(inv?.metadata.labels).toMatchObject({ 'tether.dev/inventory': 'true', 'tether.dev/work': 'app' });
    const entries = JSON.parse((inv!.data as Record<string, string>).inventory).entries as {
      name: string;
      created: boolean;
      hash: string;
    }[];
    expect(entries.map((e) => [e.name, e.created])).toEqual([
      ['shop', false],
      ['a', true],
      ['b', true],
      ['theirs', false],
    ]);
    expect(entries.every((e) => /^[0-9a-f]{64}$/.test(e.hash))).toBe(true);

    // An object nobody asked for, in the same namespace: never touched.
    await cluster.apply(configMap('bystander', 'shop', { y: '1' }) as KubeObject, { fieldManager: 'kubectl', force: false });
    const result = await s.reconciler.reconcile([work('app', [namespace('shop'), configMap('a', 'shop', { x: '1' })], { generation: 2 })]);
    expect(result.deletions).toBe(1);
    const names = (await cluster.list({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop' })).map((c) => c.metadata.name);
    expect(names.sort()).toEqual(['a', 'bystander', 'theirs']);
    expect(await cluster.get({ apiVersion: 'v1', kind: 'Namespace', name: 'shop' })).toBeDefined();
  });

  test('deletes a removed work using its inventory, after a restart too, honouring SelectivelyOrphan', async () => {
    const s = setup();
    cluster = s.cluster;
    const w = work(
      'app',
      [namespace('shop'), configMap('keep', 'shop', { a: '1' }), configMap('drop', 'shop', { a: '2' }), deployment('web', 'shop')],
      {
        deleteOption: {
          propagationPolicy: 'SelectivelyOrphan',
          selectivelyOrphans: { orphaningRules: [{ group: '', resource: 'configmaps', namespace: 'shop', name: 'keep' }] },
        },
      },
    );
    await s.reconciler.reconcile([w, work('other', [configMap('other', 'default', { a: '3' })])]);
    // A new process: inventories come from the cluster.
    const fresh = s.make();
    const result = await fresh.reconcile([work('other', [configMap('other', 'default', { a: '3' })])]);
    expect(result.deletions).toBe(2);
    expect(await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'keep' })).toBeDefined();
    // Deleting the namespace would delete the orphan with it, so it stays.
    expect(await cluster.get({ apiVersion: 'v1', kind: 'Namespace', name: 'shop' })).toBeDefined();
    expect(await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'drop' })).toBeUndefined();
    expect(await cluster.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' })).toBeUndefined();
    expect(await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name: inventoryName('app') })).toBeUndefined();
    expect(await fresh.inventoryWorks()).toEqual(['other']);
  });

  test('deletes a removed work entirely with the default delete option, its namespace last', async () => {
    const s = setup();
    cluster = s.cluster;
    await s.reconciler.reconcile([work('app', [namespace('shop'), configMap('a', 'shop', { v: '1' }), deployment('web', 'shop')])]);
    const rec = recording(cluster);
    const reconciler = new Reconciler({ api: rec.api, namespace: NS, log: s.logs.log });
    const result = await reconciler.reconcile([]);
    expect(result.deletions).toBe(3);
    expect(rec.writes).toEqual([
      'delete Deployment/web',
      'delete ConfigMap/a',
      'delete Namespace/shop',
      'delete ConfigMap/tether-work-app',
    ]);
    expect(await cluster.get({ apiVersion: 'v1', kind: 'Namespace', name: 'shop' })).toBeUndefined();
  });

  test('an object moved from one work to another is not deleted', async () => {
    const s = setup();
    cluster = s.cluster;
    await s.reconciler.reconcile([work('a', [configMap('shared', 'default', { v: '1' })]), work('b', [])]);
    await s.reconciler.reconcile([work('b', [configMap('shared', 'default', { v: '1' })])]);
    expect(await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'shared' })).toBeDefined();
  });

  test('Orphan keeps every object of a removed work', async () => {
    const s = setup();
    cluster = s.cluster;
    await s.reconciler.reconcile([work('app', [configMap('a', 'default', { v: '1' })], { deleteOption: { propagationPolicy: 'Orphan' } })]);
    const result = await s.reconciler.reconcile([]);
    expect(result.deletions).toBe(0);
    expect(await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'a' })).toBeDefined();
    expect(await s.reconciler.inventoryWorks()).toEqual([]);
  });

  test('CreateOnly creates once and never updates; ReadOnly never writes', async () => {
    const s = setup();
    cluster = s.cluster;
    await cluster.apply(configMap('external', 'default', { owner: 'ops' }) as KubeObject, { fieldManager: 'kubectl', force: false });
    const configs = [
      {
        resourceIdentifier: { group: '', resource: 'configmaps', namespace: 'default', name: 'seed' },
        updateStrategy: { type: 'CreateOnly' },
      },
      {
        resourceIdentifier: { group: '', resource: 'configmaps', namespace: 'default', name: 'external' },
        updateStrategy: { type: 'ReadOnly' },
        feedbackRules: [{ type: 'JSONPaths', jsonPaths: [{ name: 'owner', path: '.data.owner' }] }],
      },
    ];
    const v1 = work('app', [configMap('seed', 'default', { v: '1' }), configMap('external', 'default', { owner: 'tether' })], {
      manifestConfigs: configs,
    });
    const r1 = await s.reconciler.reconcile([v1]);
    expect(r1.writes).toBe(1);
    const v2 = work('app', [configMap('seed', 'default', { v: '2' }), configMap('external', 'default', { owner: 'tether' })], {
      manifestConfigs: configs,
      generation: 2,
    });
    const r2 = await s.reconciler.reconcile([v2]);
    expect(r2.writes).toBe(0);
    expect((await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'seed' }))!.data).toEqual({ v: '1' });
    expect((await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'external' }))!.data).toEqual({
      owner: 'ops',
    });
    const external = r2.works[0].manifests.find((m) => m.name === 'external')!;
    expect(external.feedback).toEqual([{ name: 'owner', value: 'ops' }]);
    expect(external.conditions.find((c) => c.type === 'Applied')).toMatchObject({ status: 'True', reason: 'ReadOnly' });
    // Removing both from the work deletes the one it created and leaves the read-only one.
    await s.reconciler.reconcile([work('app', [], { generation: 3 })]);
    expect(await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'seed' })).toBeUndefined();
    expect(await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'external' })).toBeDefined();
  });

  test('drift: a modified and a deleted object are detected, reported and corrected', async () => {
    const s = setup();
    cluster = s.cluster;
    const forceWeb = [
      {
        resourceIdentifier: { group: 'apps', resource: 'deployments', namespace: 'shop', name: 'web' },
        updateStrategy: { type: 'ServerSideApply', serverSideApply: { force: true } },
      },
    ];
    const w = work('app', [namespace('shop'), deployment('web', 'shop', { replicas: 2 }), configMap('cfg', 'shop', { a: '1' })], {
      manifestConfigs: forceWeb,
    });
    expect((await s.reconciler.reconcile([w])).driftEvents).toEqual([]);
    cluster.mutate({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' }, (d) => {
      (d.spec as { replicas: number }).replicas = 5;
    });
    cluster.remove({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'cfg' });
    const result = await s.reconciler.reconcile([w]);
    expect(result.driftEvents).toEqual([
      {
        work: 'app',
        kind: 'ConfigMap',
        namespace: 'shop',
        name: 'cfg',
        change: 'Deleted',
        fields: [],
        corrected: true,
        time: expect.any(String),
      },
      {
        work: 'app',
        kind: 'Deployment',
        namespace: 'shop',
        name: 'web',
        change: 'Modified',
        fields: ['spec.replicas'],
        corrected: true,
        time: expect.any(String),
      },
    ]);
    expect(
      ((await cluster.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' }))!.spec as { replicas: number })
        .replicas,
    ).toBe(2);
    expect(await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'cfg' })).toBeDefined();
    // Corrected: the next pass finds nothing.
    expect((await s.reconciler.reconcile([w])).driftEvents).toEqual([]);
  });

  test('drift that cannot be corrected without force is reported once, with a conflict message naming the manager', async () => {
    const s = setup();
    cluster = s.cluster;
    const w = work('app', [configMap('cfg', 'default', { a: '1' })]);
    await s.reconciler.reconcile([w]);
    cluster.mutate({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'cfg' }, (c) => {
      (c.data as Record<string, string>).a = 'changed';
    });
    const first = await s.reconciler.reconcile([w]);
    expect(first.driftEvents).toMatchObject([{ name: 'cfg', change: 'Modified', fields: ['data.a'], corrected: false }]);
    const applied = first.works[0].manifests[0].conditions.find((c) => c.type === 'Applied')!;
    expect(applied).toMatchObject({ status: 'False', reason: 'ApplyConflict' });
    expect(applied.message).toContain('"kubectl-edit"');
    expect(applied.message).toContain('force: true');
    // The drift event says the same real reason, not a guess.
    expect(first.driftEvents[0].reason).toBe(applied.message);
    const second = await s.reconciler.reconcile([w]);
    expect(second.driftEvents).toEqual([]);
    expect((await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'cfg' }))!.data).toEqual({ a: 'changed' });
  });

  test('drift after kubectl scale: the Drifted condition names the conflicting manager and the fix, not ReadOnly/CreateOnly', async () => {
    const s = setup();
    cluster = s.cluster;
    const w = work('app', [namespace('shop'), deployment('web', 'shop', { replicas: 2 })]);
    await s.reconciler.reconcile([w]);
    // What `kubectl scale --replicas=5` leaves on a real API server: manager "kubectl" owns .spec.replicas.
    await cluster.apply(
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { replicas: 5 } } as KubeObject,
      { fieldManager: 'kubectl', force: true },
    );
    const result = await s.reconciler.reconcile([w]);
    expect(result.driftEvents).toMatchObject([{ kind: 'Deployment', name: 'web', fields: ['spec.replicas'], corrected: false }]);
    const reason = result.driftEvents[0].reason!;
    expect(reason).toContain('field manager "kubectl" owns .spec.replicas');
    expect(reason).toContain('force: true');

    const now = new Date().toISOString();
    const status = workStatusFromReport(undefined, undefined, result.driftEvents, now);
    const drifted = status.conditions.find((c) => c.type === 'Drifted')!;
    expect(drifted.message).toContain(`not corrected: ${reason}`);
    expect(drifted.message).not.toContain('ReadOnly or CreateOnly');
  });

  test('drift on a CreateOnly manifest says that CreateOnly leaves it', async () => {
    const s = setup();
    cluster = s.cluster;
    const createOnly = [
      {
        resourceIdentifier: { group: '', resource: 'configmaps', namespace: 'default', name: 'cfg' },
        updateStrategy: { type: 'CreateOnly' },
      },
    ];
    const w = work('app', [configMap('cfg', 'default', { a: '1' })], { manifestConfigs: createOnly });
    await s.reconciler.reconcile([w]);
    cluster.mutate({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'cfg' }, (c) => {
      (c.data as Record<string, string>).a = 'changed';
    });
    const result = await s.reconciler.reconcile([w]);
    expect(result.driftEvents).toMatchObject([{ name: 'cfg', corrected: false }]);
    expect(result.driftEvents[0].reason).toContain('CreateOnly');
  });

  test('feedback: WellKnownStatus and JSONPaths', async () => {
    const s = setup({ nodes: { count: 3 } });
    cluster = s.cluster;
    const ds = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'logs', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'logs' } },
        template: { metadata: { labels: { app: 'logs' } }, spec: { containers: [{ name: 'c', image: 'fluent-bit:3' }] } },
      },
    };
    const configs = [
      {
        resourceIdentifier: { group: 'apps', resource: 'deployments', namespace: 'default', name: 'web' },
        feedbackRules: [
          { type: 'WellKnownStatus' },
          {
            type: 'JSONPaths',
            jsonPaths: [
              { name: 'isAvailable', path: '.status.conditions[?(@.type=="Available")].status' },
              { name: 'image', path: '{.spec.template.spec.containers[0].image}' },
              { name: 'missing', path: '$.status.nothing' },
            ],
          },
        ],
      },
      {
        resourceIdentifier: { group: 'apps', resource: 'daemonsets', namespace: 'default', name: 'logs' },
        feedbackRules: [{ type: 'WellKnownStatus' }],
      },
    ];
    const result = await s.reconciler.reconcile([
      work('app', [deployment('web', 'default', { replicas: 3 }), ds], { manifestConfigs: configs }),
    ]);
    const [web, logs] = result.works[0].manifests;
    expect(web.feedback).toEqual([
      { name: 'replicas', value: 3 },
      { name: 'readyReplicas', value: 3 },
      { name: 'availableReplicas', value: 3 },
      { name: 'updatedReplicas', value: 3 },
      { name: 'observedGeneration', value: 1 },
      { name: 'isAvailable', value: 'True' },
      { name: 'image', value: 'nginx:1.27' },
      { name: 'missing', value: null },
    ]);
    expect(logs.feedback).toEqual([
      { name: 'desiredNumberScheduled', value: 3 },
      { name: 'numberReady', value: 3 },
      { name: 'numberAvailable', value: 3 },
    ]);
    expect(web.conditions.find((c) => c.type === 'Available')).toMatchObject({ status: 'True' });
    expect(result.works[0].conditions.find((c) => c.type === 'Available')).toMatchObject({ status: 'True', reason: 'ResourcesAvailable' });
  });

  test('one failing manifest does not stop the others, and its condition says what to do', async () => {
    const s = setup();
    cluster = s.cluster;
    const unknown = { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'default' }, spec: {} };
    const invalid = { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} };
    const result = await s.reconciler.reconcile([work('app', [unknown, invalid, configMap('ok', 'default', { a: '1' })])]);
    const byKind = Object.fromEntries(result.works[0].manifests.map((m) => [`${m.kind}/${m.name}`, m]));
    expect(byKind['Gadget/g'].conditions.find((c) => c.type === 'Applied')).toMatchObject({ status: 'False', reason: 'UnknownKind' });
    expect(byKind['Gadget/g'].conditions.find((c) => c.type === 'Applied')!.message).toMatch(/install its CustomResourceDefinition/);
    expect(byKind['ConfigMap/(unnamed)'].conditions.find((c) => c.type === 'Applied')).toMatchObject({
      status: 'False',
      reason: 'InvalidManifest',
    });
    expect(byKind['ConfigMap/ok'].conditions.find((c) => c.type === 'Applied')).toMatchObject({ status: 'True' });
    expect(await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'ok' })).toBeDefined();
    const applied = result.works[0].conditions.find((c) => c.type === 'Applied')!;
    expect(applied).toMatchObject({ status: 'False', reason: 'AppliedManifestsFailed' });
    expect(applied.message).toMatch(/^1 of 3 manifests applied/);
  });

  test('a cluster that is unavailable fails the pass without deleting anything', async () => {
    const s = setup();
    cluster = s.cluster;
    await s.reconciler.reconcile([work('app', [configMap('a', 'default', { v: '1' })])]);
    const fresh = s.make();
    const { KubeUnavailableError } = await import('../../../agent/kube/errors.js');
    cluster.failNext({ verb: 'list' }, new KubeUnavailableError('etcd timeout'));
    const spy = jest.spyOn(cluster, 'delete');
    await expect(fresh.reconcile([])).rejects.toThrow('etcd timeout');
    expect(spy).not.toHaveBeenCalled();
    expect(await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'a' })).toBeDefined();
  });
});
