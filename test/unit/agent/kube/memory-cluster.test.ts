import { describe, expect, it } from '@jest/globals';
import { waitForCrds } from '../../../../agent/kube/apply-order.js';
import { TETHER_FIELD_MANAGER } from '../../../../agent/kube/cluster-api.js';
import {
  KubeAlreadyExistsError,
  KubeConflictError,
  KubeForbiddenError,
  KubeInvalidError,
  KubeNotFoundError,
  KubeUnavailableError,
  KubeUnknownKindError,
} from '../../../../agent/kube/errors.js';
import { MemoryCluster, OUT_OF_BAND_MANAGER } from '../../../../agent/kube/memory-cluster.js';
import type { KubeObject, ObjectRef } from '../../../../agent/kube/types.js';

const AGENT = { fieldManager: TETHER_FIELD_MANAGER, force: false };
const FORCED = { fieldManager: TETHER_FIELD_MANAGER, force: true };
const OTHER = { fieldManager: 'helm', force: false };

function configMap(data: Record<string, string>, labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default', ...(labels ? { labels } : {}) }, data };
}
const CM: ObjectRef = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'settings' };

function deployment(options: { replicas?: number; image?: string; containers?: { name: string; image: string }[]; labels?: Record<string, string> } = {}): KubeObject {
  const spec: Record<string, unknown> = {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: options.containers ?? [{ name: 'web', image: options.image ?? 'nginx:1.27' }] } },
  };
  if (options.replicas !== undefined) spec.replicas = options.replicas;
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', ...(options.labels ? { labels: options.labels } : {}) }, spec };
}
const DEPLOY: ObjectRef = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'web' };

const WIDGET_CRD: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget' },
    scope: 'Namespaced',
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
};
const widget = (size: number): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default' }, spec: { size } });

function namespace(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

async function mustGet(cluster: MemoryCluster, ref: ObjectRef): Promise<KubeObject> {
  const obj = await cluster.get(ref);
  if (!obj) throw new Error(`expected ${ref.kind} ${ref.name} to exist`);
  return obj;
}

function managers(obj: KubeObject): string[] {
  return (obj.metadata.managedFields ?? []).map((e) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ''}`);
}

describe('MemoryCluster: server-side apply', () => {
  it('creates a missing object with server-owned metadata and records field ownership in FieldsV1', async () => {
    const cluster = new MemoryCluster({ now: () => Date.parse('2026-11-01T10:00:00.500Z') });
    const live = await cluster.apply(configMap({ a: '1' }, { app: 'web' }), AGENT);

    expect(live.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(live.metadata.creationTimestamp).toBe('2026-11-01T10:00:00Z');
    expect(Number(live.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(live.metadata.generation).toBeUndefined(); // ConfigMaps have no generation
    expect(live.metadata.managedFields).toEqual([
      {
        manager: 'tether-agent',
        operation: 'Apply',
        apiVersion: 'v1',
        time: '2026-11-01T10:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { 'f:a': {} }, 'f:metadata': { 'f:labels': { 'f:app': {} } } },
      },
    ]);
    expect(await cluster.get(CM)).toEqual(live);
  });

  it('does not write, nor bump resourceVersion, when an apply changes nothing', async () => {
    const cluster = new MemoryCluster();
    const first = await cluster.apply(configMap({ a: '1' }), AGENT);
    const again = await cluster.apply(configMap({ a: '1' }), AGENT);
    const other = await cluster.apply({ ...configMap({}), metadata: { name: 'other', namespace: 'default' } }, AGENT);

    expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    expect(again).toEqual(first);
    // resourceVersion is one cluster-wide counter.
    expect(Number(other.metadata.resourceVersion)).toBeGreaterThan(Number(first.metadata.resourceVersion));
  });

  it('removes fields the manager applied before and no longer applies', async () => {
    const cluster = new MemoryCluster();
    await cluster.apply(configMap({ a: '1', b: '2' }, { app: 'web', tier: 'front' }), AGENT);
    const live = await cluster.apply(configMap({ a: '1' }, { app: 'web' }), AGENT);

    expect(live.data).toEqual({ a: '1' });
    expect(live.metadata.labels).toEqual({ app: 'web' });
    expect(live.metadata.managedFields?.[0].fieldsV1).toEqual({ 'f:data': { 'f:a': {} }, 'f:metadata': { 'f:labels': { 'f:app': {} } } });
  });

  it('keeps a dropped field that another manager also owns, now owned by that manager alone', async () => {
    const cluster = new MemoryCluster();
    await cluster.apply(configMap({ a: '1', b: '2' }), AGENT);
    await cluster.apply(configMap({ b: '2' }), OTHER); // same value: shared ownership, no conflict
    const live = await cluster.apply(configMap({ a: '1' }), AGENT);

    expect(live.data).toEqual({ a: '1', b: '2' });
    expect(managers(live)).toEqual(['tether-agent/Apply', 'helm/Apply']);
    expect(live.metadata.managedFields?.[1].fieldsV1).toEqual({ 'f:data': { 'f:b': {} } });
  });

  it('merges keyed lists item by item: a container another manager added survives, a dropped one goes', async () => {
    const cluster = new MemoryCluster();
    await cluster.apply(deployment({ containers: [{ name: 'web', image: 'nginx' }, { name: 'log', image: 'fluentbit' }] }), AGENT);
    cluster.mutate(DEPLOY, (d) => {
      (d.spec as { template: { spec: { containers: unknown[] } } }).template.spec.containers.push({ name: 'debug', image: 'busybox' });
    });
    const live = await cluster.apply(deployment({ containers: [{ name: 'web', image: 'nginx' }] }), AGENT);

    const containers = (live.spec as { template: { spec: { containers: { name: string }[] } } }).template.spec.containers;
    expect(containers.map((c) => c.name)).toEqual(['web', 'debug']);
  });

  it('fails with KubeConflictError when another manager owns a field with a different value', async () => {
    const cluster = new MemoryCluster();
    await cluster.apply(configMap({ a: '1', b: '2' }), OTHER);
    const err = (await cluster.apply(configMap({ a: 'mine', b: '2' }), AGENT).catch((e: unknown) => e)) as KubeConflictError;

    expect(err).toBeInstanceOf(KubeConflictError);
    expect(err.conflicts).toEqual([{ manager: 'helm', field: '.data.a' }]);
    expect(err.message).toContain('ConfigMap default/settings');
    expect(err.message).toContain('field manager "helm" owns .data.a');
    expect(err.message).toContain('set force: true');
    expect((await mustGet(cluster, CM)).data).toEqual({ a: '1', b: '2' });
  });

  it('force takes the field over: the other manager loses it and now conflicts itself', async () => {
    const cluster = new MemoryCluster();
    await cluster.apply(configMap({ a: '1' }), OTHER);
    const live = await cluster.apply(configMap({ a: 'mine' }), FORCED);

    expect(live.data).toEqual({ a: 'mine' });
    expect(managers(live)).toEqual(['tether-agent/Apply']);
    await expect(cluster.apply(configMap({ a: '1' }), OTHER)).rejects.toThrow(KubeConflictError);
  });

  it('ignores status and server-owned metadata in the applied object (a stale resourceVersion is no precondition)', async () => {
    const cluster = new MemoryCluster();
    const first = await cluster.apply(configMap({ a: '1' }), AGENT);
    const stale = { ...configMap({ a: '2' }), status: { phase: 'x' } };
    stale.metadata = { ...stale.metadata, resourceVersion: '1', uid: 'forged', managedFields: [] };
    const live = await cluster.apply(stale, AGENT);

    expect(live.data).toEqual({ a: '2' });
    expect(live.metadata.uid).toBe(first.metadata.uid);
    expect(live).not.toHaveProperty('status');
  });

  it('dry run computes the result without storing it', async () => {
    const cluster = new MemoryCluster();
    const before = await cluster.apply(configMap({ a: '1' }), AGENT);
    const dry = await cluster.apply(configMap({ a: '2' }), { ...AGENT, dryRun: true });

    expect(dry.data).toEqual({ a: '2' });
    expect(await cluster.get(CM)).toEqual(before);
  });
});

describe('MemoryCluster: generation and resourceVersion', () => {
  it('bumps generation only for changes outside metadata and status', async () => {
    const cluster = new MemoryCluster();
    const created = await cluster.apply(deployment({ replicas: 1 }), AGENT);
    const relabelled = await cluster.apply(deployment({ replicas: 1, labels: { team: 'a' } }), AGENT);
    const scaled = await cluster.apply(deployment({ replicas: 2, labels: { team: 'a' } }), AGENT);

    expect(created.metadata.generation).toBe(1);
    expect(relabelled.metadata.generation).toBe(1);
    expect(Number(relabelled.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    expect(scaled.metadata.generation).toBe(2);
    // The controller's status write changes resourceVersion, not generation.
    const live = await mustGet(cluster, DEPLOY);
    expect(live.metadata.generation).toBe(2);
    expect(Number(live.metadata.resourceVersion)).toBeGreaterThan(Number(scaled.metadata.resourceVersion));
  });
});

describe('MemoryCluster: namespaces', () => {
  it('starts with default and kube-system; kube-system has a UID stable per cluster name', async () => {
    const a1 = new MemoryCluster({ name: 'store-1' });
    const a2 = new MemoryCluster({ name: 'store-1' });
    const b = new MemoryCluster({ name: 'store-2' });
    const ks: ObjectRef = { apiVersion: 'v1', kind: 'Namespace', name: 'kube-system' };

    expect((await a1.list({ apiVersion: 'v1', kind: 'Namespace' })).map((n) => n.metadata.name)).toEqual(['default', 'kube-system']);
    expect((await mustGet(a1, ks)).metadata.uid).toBe((await mustGet(a2, ks)).metadata.uid);
    expect((await mustGet(a1, ks)).metadata.uid).not.toBe((await mustGet(b, ks)).metadata.uid);
    expect((await mustGet(new MemoryCluster({ kubeSystemUid: 'fixed-uid' }), ks)).metadata.uid).toBe('fixed-uid');
  });

  it('rejects namespaced objects in a namespace that does not exist, like the API server', async () => {
    const cluster = new MemoryCluster();
    const err = await cluster.apply({ ...configMap({}), metadata: { name: 'x', namespace: 'shop' } }, AGENT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeNotFoundError);
    expect((err as Error).message).toBe('namespaces "shop" not found');

    const ns = await cluster.apply(namespace('shop'), AGENT);
    expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'shop' });
    expect(ns.status).toEqual({ phase: 'Active' });
    await expect(cluster.apply({ ...configMap({}), metadata: { name: 'x', namespace: 'shop' } }, AGENT)).resolves.toBeDefined();
  });

  it('puts namespaced objects without a namespace in default, and drops the namespace of cluster-scoped ones', async () => {
    const cluster = new MemoryCluster();
    const cm = await cluster.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain' } }, AGENT);
    const role = await cluster.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:reader', namespace: 'shop' }, rules: [] }, AGENT);
    expect(cm.metadata.namespace).toBe('default');
    expect(role.metadata).not.toHaveProperty('namespace');
  });
});

describe('MemoryCluster: custom resources', () => {
  it('rejects an unknown kind until its CRD is applied and Established (asynchronously)', async () => {
    const cluster = new MemoryCluster();
    await expect(cluster.apply(widget(1), AGENT)).rejects.toThrow(
      new KubeUnknownKindError('example.com/v1', 'Widget'),
    );
    expect(await cluster.discover('example.com/v1', 'Widget')).toBeUndefined();

    await cluster.apply(WIDGET_CRD, AGENT);
    expect(await cluster.isCrdEstablished('widgets.example.com')).toBe(false);
    await expect(cluster.apply(widget(1), AGENT)).rejects.toThrow(KubeUnknownKindError);

    await waitForCrds(cluster, ['widgets.example.com'], { timeoutMs: 1000, intervalMs: 1 });
    expect(await cluster.discover('example.com/v1', 'Widget')).toEqual({ namespaced: true, plural: 'widgets' });
    const crd = await mustGet(cluster, { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'widgets.example.com' });
    expect((crd.status as { conditions: { type: string; status: string }[] }).conditions.map((c) => `${c.type}=${c.status}`)).toEqual(['NamesAccepted=True', 'Established=True']);
    const w = await cluster.apply(widget(1), AGENT);
    expect(w.metadata.generation).toBe(1);
  });

  it('honours a configured establishment delay', async () => {
    const cluster = new MemoryCluster({ crdEstablishDelayMs: 40 });
    await cluster.apply(WIDGET_CRD, AGENT);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await cluster.isCrdEstablished('widgets.example.com')).toBe(false);
    await waitForCrds(cluster, ['widgets.example.com'], { timeoutMs: 1000, intervalMs: 5 });
    expect(await cluster.isCrdEstablished('widgets.example.com')).toBe(true);
    cluster.close();
  });

  it('deleting a CRD deletes its custom resources and the kind', async () => {
    const cluster = new MemoryCluster();
    await cluster.apply(WIDGET_CRD, AGENT);
    await waitForCrds(cluster, ['widgets.example.com'], { intervalMs: 1 });
    await cluster.apply(widget(1), AGENT);
    await cluster.delete({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'widgets.example.com' });

    expect(await cluster.get({ apiVersion: 'example.com/v1', kind: 'Widget', namespace: 'default', name: 'w1' })).toBeUndefined();
    await expect(cluster.list({ apiVersion: 'example.com/v1', kind: 'Widget' })).rejects.toThrow(KubeUnknownKindError);
  });

  it('treats lists of custom resources as atomic', async () => {
    const cluster = new MemoryCluster();
    await cluster.apply(WIDGET_CRD, AGENT);
    await waitForCrds(cluster, ['widgets.example.com'], { intervalMs: 1 });
    const w = { ...widget(1), spec: { containers: [{ name: 'a' }] } };
    const live = await cluster.apply(w, AGENT);
    expect(live.metadata.managedFields?.[0].fieldsV1).toEqual({ 'f:spec': { 'f:containers': {} } });
  });
});

describe('MemoryCluster: delete and garbage collection', () => {
  const owned = (name: string, owners: { name: string; uid: string }[]): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', ownerReferences: owners.map((o) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.name, uid: o.uid })) },
  });
  const ref = (name: string): ObjectRef => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name });

  it('deleting a namespace deletes everything in it', async () => {
    const cluster = new MemoryCluster();
    await cluster.apply(namespace('shop'), AGENT);
    await cluster.apply({ ...configMap({}), metadata: { name: 'a', namespace: 'shop' } }, AGENT);
    await cluster.apply({ ...deployment(), metadata: { name: 'web', namespace: 'shop' } }, AGENT);

    expect(await cluster.delete({ apiVersion: 'v1', kind: 'Namespace', name: 'shop' })).toBe(true);
    expect(await cluster.list({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop' })).toEqual([]);
    expect(await cluster.list({ apiVersion: 'apps/v1', kind: 'Deployment' })).toEqual([]);
    expect(await cluster.delete({ apiVersion: 'v1', kind: 'Namespace', name: 'shop' })).toBe(false);
  });

  it('refuses to delete the namespaces Kubernetes protects', async () => {
    const cluster = new MemoryCluster();
    await expect(cluster.delete({ apiVersion: 'v1', kind: 'Namespace', name: 'kube-system' })).rejects.toThrow(KubeForbiddenError);
  });

  it('collects dependents of a deleted owner, unless orphaned, and keeps dependents with another live owner', async () => {
    const cluster = new MemoryCluster();
    const owner = await cluster.apply({ ...configMap({}), metadata: { name: 'owner', namespace: 'default' } }, AGENT);
    const owner2 = await cluster.apply({ ...configMap({}), metadata: { name: 'owner2', namespace: 'default' } }, AGENT);
    const o1 = { name: 'owner', uid: owner.metadata.uid! };
    const o2 = { name: 'owner2', uid: owner2.metadata.uid! };
    const child = await cluster.apply(owned('child', [o1]), AGENT);
    await cluster.apply(owned('grandchild', [{ name: 'child', uid: child.metadata.uid! }]), AGENT);
    await cluster.apply(owned('shared', [o1, o2]), AGENT);

    await cluster.delete(ref('owner'), { propagationPolicy: 'Background' });
    expect(await cluster.get(ref('child'))).toBeUndefined();
    expect(await cluster.get(ref('grandchild'))).toBeUndefined();
    expect((await mustGet(cluster, ref('shared'))).metadata.ownerReferences?.map((r) => r.name)).toEqual(['owner2']);

    await cluster.delete(ref('owner2'), { propagationPolicy: 'Orphan' });
    const orphan = await mustGet(cluster, ref('shared'));
    expect(orphan.metadata.ownerReferences).toBeUndefined();
  });

  it('answers false for objects and kinds that are already gone', async () => {
    const cluster = new MemoryCluster();
    expect(await cluster.delete(ref('nothing'))).toBe(false);
    expect(await cluster.delete({ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w' })).toBe(false);
  });
});

describe('MemoryCluster: out-of-band changes (drift)', () => {
  it('mutate edits as kubectl-edit: ownership moves, the agent then conflicts, and force restores', async () => {
    const cluster = new MemoryCluster();
    const applied = await cluster.apply(deployment({ replicas: 2 }), AGENT);
    const edited = cluster.mutate(DEPLOY, (d) => {
      (d.spec as { replicas: number }).replicas = 5;
    });

    expect((edited.spec as { replicas: number }).replicas).toBe(5);
    expect(edited.metadata.generation).toBe(2);
    expect(Number(edited.metadata.resourceVersion)).toBeGreaterThan(Number(applied.metadata.resourceVersion));
    expect(managers(edited)).toContain(`${OUT_OF_BAND_MANAGER}/Update`);

    const err = (await cluster.apply(deployment({ replicas: 2 }), AGENT).catch((e: unknown) => e)) as KubeConflictError;
    expect(err).toBeInstanceOf(KubeConflictError);
    expect(err.conflicts).toEqual([{ manager: 'kubectl-edit', field: '.spec.replicas' }]);

    const restored = await cluster.apply(deployment({ replicas: 2 }), FORCED);
    expect((restored.spec as { replicas: number }).replicas).toBe(2);
    expect(managers(restored)).not.toContain(`${OUT_OF_BAND_MANAGER}/Update`);
  });

  it('remove deletes out of band; removing a missing object fails', async () => {
    const cluster = new MemoryCluster();
    await cluster.apply(configMap({ a: '1' }), AGENT);
    cluster.remove(CM);
    expect(await cluster.get(CM)).toBeUndefined();
    expect(() => cluster.remove(CM)).toThrow(KubeNotFoundError);
    expect(() => cluster.mutate(CM, () => undefined)).toThrow(KubeNotFoundError);
  });
});

describe('MemoryCluster: simulated controllers', () => {
  const ready = async (cluster: MemoryCluster, obj: KubeObject) => {
    await cluster.apply(obj, AGENT);
    return (await mustGet(cluster, { apiVersion: obj.apiVersion, kind: obj.kind, namespace: 'default', name: obj.metadata.name })).status as Record<string, unknown>;
  };

  it('reports a Deployment available with spec.replicas (default 1) at the current generation', async () => {
    const cluster = new MemoryCluster();
    const one = await ready(cluster, deployment());
    expect(one).toMatchObject({ observedGeneration: 1, replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1 });
    const three = await ready(cluster, deployment({ replicas: 3 }));
    expect(three).toMatchObject({ observedGeneration: 2, replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 3 });
    expect((three.conditions as { type: string; status: string }[]).map((c) => `${c.type}=${c.status}`)).toEqual(['Available=True', 'Progressing=True']);
    const live = await mustGet(cluster, DEPLOY);
    expect(managers(live)).toEqual(['tether-agent/Apply', 'kube-controller-manager/Update/status']);
  });

  it('leaves zero counts out, as the API server does', async () => {
    const cluster = new MemoryCluster();
    const zero = await ready(cluster, deployment({ replicas: 0 }));
    expect(zero).not.toHaveProperty('readyReplicas');
    expect(zero).toHaveProperty('observedGeneration', 1);
  });

  it('reports StatefulSets ready (counts and revisions, no conditions) and DaemonSets on every node', async () => {
    const cluster = new MemoryCluster({ nodes: { count: 3 } });
    const sts = await ready(cluster, { ...deployment({ replicas: 2 }), kind: 'StatefulSet' });
    expect(sts).toMatchObject({ observedGeneration: 1, replicas: 2, readyReplicas: 2, currentReplicas: 2, updatedReplicas: 2, availableReplicas: 2 });
    expect(sts).not.toHaveProperty('conditions');
    const ds = await ready(cluster, { ...deployment(), kind: 'DaemonSet' });
    expect(ds).toMatchObject({ observedGeneration: 1, desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, numberAvailable: 3 });
  });

  it('completes Jobs', async () => {
    const cluster = new MemoryCluster();
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate', namespace: 'default' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'migrate:1' }] } } },
    };
    const status = await ready(cluster, job);
    expect(status.succeeded).toBe(1);
    expect((status.conditions as { type: string; status: string }[]).find((c) => c.type === 'Complete')?.status).toBe('True');
  });

  it('can be switched off, and does not react to out-of-band edits', async () => {
    const off = new MemoryCluster({ simulateControllers: false });
    await off.apply(deployment(), AGENT);
    expect((await mustGet(off, DEPLOY)).status).toBeUndefined();

    const on = new MemoryCluster();
    await on.apply(deployment(), AGENT);
    on.mutate(DEPLOY, (d) => {
      d.status = { observedGeneration: 1, replicas: 1, unavailableReplicas: 1 };
    });
    expect((await mustGet(on, DEPLOY)).status).toEqual({ observedGeneration: 1, replicas: 1, unavailableReplicas: 1 });
  });
});

describe('MemoryCluster: isolation, validation, queries and hooks', () => {
  it('never aliases internal state: inputs, results and reads are independent copies', async () => {
    const cluster = new MemoryCluster();
    const input = configMap({ a: '1' });
    const result = await cluster.apply(input, AGENT);
    (input.data as Record<string, string>).a = 'changed-input';
    (result.data as Record<string, string>).a = 'changed-result';
    const read = await mustGet(cluster, CM);
    (read.data as Record<string, string>).a = 'changed-read';
    cluster.mutate(CM, (cm) => {
      (cm.data as Record<string, string>).b = '2';
      (input.data as Record<string, string>).c = 'leak';
    });

    expect((await mustGet(cluster, CM)).data).toEqual({ a: '1', b: '2' });
  });

  it('validates like the API server: names, selectors, containers', async () => {
    const cluster = new MemoryCluster();
    const bad = deployment();
    (bad.spec as { template: { metadata: { labels: unknown } } }).template.metadata.labels = { app: 'other' };
    const err = (await cluster.apply(bad, AGENT).catch((e: unknown) => e)) as KubeInvalidError;
    expect(err).toBeInstanceOf(KubeInvalidError);
    expect(err.message).toBe('Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not match template `labels`');

    const badName = await cluster.apply({ ...configMap({}), metadata: { name: 'Bad_Name', namespace: 'default' } }, AGENT).catch((e: unknown) => e);
    expect((badName as KubeInvalidError).causes.map((c) => c.field)).toEqual(['metadata.name']);
    expect(await cluster.get({ ...CM, name: 'Bad_Name' })).toBeUndefined();
  });

  it('create fails with KubeAlreadyExistsError and records an Update by the field manager', async () => {
    const cluster = new MemoryCluster();
    const created = await cluster.create(configMap({ a: '1' }), { fieldManager: TETHER_FIELD_MANAGER });
    expect(managers(created)).toEqual(['tether-agent/Update']);
    await expect(cluster.create(configMap({ a: '2' }), { fieldManager: TETHER_FIELD_MANAGER })).rejects.toThrow(KubeAlreadyExistsError);
    expect((await mustGet(cluster, CM)).data).toEqual({ a: '1' });
  });

  it('lists by namespace and label selector (string or structured), sorted by namespace and name', async () => {
    const cluster = new MemoryCluster();
    await cluster.apply(namespace('shop'), AGENT);
    for (const [ns, name, app] of [['shop', 'b', 'web'], ['default', 'c', 'web'], ['shop', 'a', 'web'], ['shop', 'z', 'db']]) {
      await cluster.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels: { app } } }, AGENT);
    }
    const names = (objs: KubeObject[]) => objs.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);

    expect(names(await cluster.list({ apiVersion: 'v1', kind: 'ConfigMap', labelSelector: 'app=web' }))).toEqual(['default/c', 'shop/a', 'shop/b']);
    expect(names(await cluster.list({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', labelSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] } }))).toEqual(['shop/z']);
    await expect(cluster.list({ apiVersion: 'v1', kind: 'ConfigMap', labelSelector: 'app in (' })).rejects.toThrow(KubeInvalidError);
    await expect(cluster.list({ apiVersion: 'example.com/v1', kind: 'Widget' })).rejects.toThrow(KubeUnknownKindError);
  });

  it('failNext injects a failure into the next matching calls only', async () => {
    const cluster = new MemoryCluster();
    cluster.failNext({ verb: 'apply', kind: 'ConfigMap' }, () => new KubeUnavailableError('etcd timeout'), 2);
    cluster.failNext((call) => call.verb === 'get' && call.name === 'settings', new KubeUnavailableError('network'));

    await expect(cluster.apply(deployment(), AGENT)).resolves.toBeDefined();
    await expect(cluster.apply(configMap({ a: '1' }), AGENT)).rejects.toThrow('etcd timeout');
    await expect(cluster.apply(configMap({ a: '1' }), AGENT)).rejects.toThrow('etcd timeout');
    await expect(cluster.apply(configMap({ a: '1' }), AGENT)).resolves.toBeDefined();
    await expect(cluster.get(CM)).rejects.toThrow('network');
    await expect(cluster.get(CM)).resolves.toBeDefined();
  });
});

describe('MemoryCluster: claims signals', () => {
  it('reports the version and nodes with the fingerprints of the configured distribution', async () => {
    const cluster = new MemoryCluster({ distribution: 'eks', version: 'v1.32.4', nodes: { count: 2, cpu: '8', memory: '32Gi' } });
    expect(await cluster.serverVersion()).toEqual({ gitVersion: 'v1.32.4-eks-7308294', platform: 'linux/amd64', major: '1', minor: '32' });

    const nodes = await cluster.list({ apiVersion: 'v1', kind: 'Node' });
    expect(nodes).toHaveLength(2);
    expect(nodes[0].spec).toEqual({ providerID: expect.stringMatching(/^aws:\/\/\//) });
    expect(nodes[0].metadata.labels).toMatchObject({ 'eks.amazonaws.com/nodegroup': 'default', 'kubernetes.io/os': 'linux' });
    expect((nodes[1].status as { allocatable: unknown }).allocatable).toEqual({ cpu: '8', memory: '32Gi', pods: '110' });

    const k3s = new MemoryCluster({ distribution: 'k3s' });
    expect((await k3s.serverVersion()).gitVersion).toBe('v1.33.1+k3s1');
    expect((await k3s.list({ apiVersion: 'v1', kind: 'Node' }))[0].spec).toEqual({ providerID: 'k3s://k3s-node-0' });
  });
});
