import { describe, expect, it } from '@jest/globals';
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
import { AGENT, CM, configMap, DEPLOY, deployment, FORCED, managers, mustGet, namespace } from './memory-fixtures.js';

/** Deletion and garbage collection, out-of-band drift, simulated controllers, isolation, queries and hooks of the in-memory cluster. */

describe('MemoryCluster: delete and garbage collection', () => {
  const owned = (name: string, owners: { name: string; uid: string }[]): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace: 'default',
      ownerReferences: owners.map((o) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.name, uid: o.uid })),
    },
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
    return (await mustGet(cluster, { apiVersion: obj.apiVersion, kind: obj.kind, namespace: 'default', name: obj.metadata.name }))
      .status as Record<string, unknown>;
  };

  it('reports a Deployment available with spec.replicas (default 1) at the current generation', async () => {
    const cluster = new MemoryCluster();
    const one = await ready(cluster, deployment());
    expect(one).toMatchObject({ observedGeneration: 1, replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1 });
    const three = await ready(cluster, deployment({ replicas: 3 }));
    expect(three).toMatchObject({ observedGeneration: 2, replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 3 });
    expect((three.conditions as { type: string; status: string }[]).map((c) => `${c.type}=${c.status}`)).toEqual([
      'Available=True',
      'Progressing=True',
    ]);
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
    expect(sts).toMatchObject({
      observedGeneration: 1,
      replicas: 2,
      readyReplicas: 2,
      currentReplicas: 2,
      updatedReplicas: 2,
      availableReplicas: 2,
    });
    expect(sts).not.toHaveProperty('conditions');
    const ds = await ready(cluster, { ...deployment(), kind: 'DaemonSet' });
    expect(ds).toMatchObject({
      observedGeneration: 1,
      desiredNumberScheduled: 3,
      currentNumberScheduled: 3,
      numberReady: 3,
      numberAvailable: 3,
    });
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
    expect(err.message).toBe(
      'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not match template `labels`',
    );

    const badName = await cluster
      .apply({ ...configMap({}), metadata: { name: 'Bad_Name', namespace: 'default' } }, AGENT)
      .catch((e: unknown) => e);
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
    for (const [ns, name, app] of [
      ['shop', 'b', 'web'],
      ['default', 'c', 'web'],
      ['shop', 'a', 'web'],
      ['shop', 'z', 'db'],
    ]) {
      await cluster.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels: { app } } }, AGENT);
    }
    const names = (objs: KubeObject[]) => objs.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);

    expect(names(await cluster.list({ apiVersion: 'v1', kind: 'ConfigMap', labelSelector: 'app=web' }))).toEqual([
      'default/c',
      'shop/a',
      'shop/b',
    ]);
    expect(
      names(
        await cluster.list({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          namespace: 'shop',
          labelSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] },
        }),
      ),
    ).toEqual(['shop/z']);
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

    const openshift = new MemoryCluster({ distribution: 'openshift' });
    expect(await openshift.discover('config.openshift.io/v1', 'ClusterVersion')).toEqual({ namespaced: false, plural: 'clusterversions' });
    expect(
      (await mustGet(openshift, { apiVersion: 'config.openshift.io/v1', kind: 'ClusterVersion', name: 'version' })).spec,
    ).toMatchObject({ clusterID: expect.any(String) });
    expect(await cluster.discover('config.openshift.io/v1', 'ClusterVersion')).toBeUndefined();

    const k3s = new MemoryCluster({ distribution: 'k3s' });
    expect((await k3s.serverVersion()).gitVersion).toBe('v1.33.1+k3s1');
    expect((await k3s.list({ apiVersion: 'v1', kind: 'Node' }))[0].spec).toEqual({ providerID: 'k3s://k3s-node-0' });
  });
});
