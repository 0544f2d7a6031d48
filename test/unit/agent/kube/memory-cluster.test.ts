import { describe, expect, it } from '@jest/globals';
import { waitForCrds } from '../../../../agent/kube/apply-order.js';
import { KubeConflictError, KubeNotFoundError, KubeUnknownKindError } from '../../../../agent/kube/errors.js';
import { MemoryCluster } from '../../../../agent/kube/memory-cluster.js';
import type { ObjectRef } from '../../../../agent/kube/types.js';
import {
  AGENT,
  CM,
  configMap,
  DEPLOY,
  deployment,
  FORCED,
  managers,
  mustGet,
  namespace,
  OTHER,
  widget,
  WIDGET_CRD,
} from './memory-fixtures.js';

/** Server-side apply, metadata, namespaces and custom resources of the in-memory cluster. */

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
    await cluster.apply(
      deployment({
        containers: [
          { name: 'web', image: 'nginx' },
          { name: 'log', image: 'fluentbit' },
        ],
      }),
      AGENT,
    );
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
  it('starts with the namespaces of a real cluster; kube-system has a UID stable per cluster name', async () => {
    const a1 = new MemoryCluster({ name: 'store-1' });
    const a2 = new MemoryCluster({ name: 'store-1' });
    const b = new MemoryCluster({ name: 'store-2' });
    const ks: ObjectRef = { apiVersion: 'v1', kind: 'Namespace', name: 'kube-system' };

    expect((await a1.list({ apiVersion: 'v1', kind: 'Namespace' })).map((n) => n.metadata.name)).toEqual([
      'default',
      'kube-node-lease',
      'kube-public',
      'kube-system',
    ]);
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
    const role = await cluster.apply(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'system:reader', namespace: 'shop' },
        rules: [],
      },
      AGENT,
    );
    expect(cm.metadata.namespace).toBe('default');
    expect(role.metadata).not.toHaveProperty('namespace');
  });
});

describe('MemoryCluster: custom resources', () => {
  it('rejects an unknown kind until its CRD is applied and Established (asynchronously)', async () => {
    const cluster = new MemoryCluster();
    await expect(cluster.apply(widget(1), AGENT)).rejects.toThrow(new KubeUnknownKindError('example.com/v1', 'Widget'));
    expect(await cluster.discover('example.com/v1', 'Widget')).toBeUndefined();

    await cluster.apply(WIDGET_CRD, AGENT);
    expect(await cluster.isCrdEstablished('widgets.example.com')).toBe(false);
    await expect(cluster.apply(widget(1), AGENT)).rejects.toThrow(KubeUnknownKindError);

    await waitForCrds(cluster, ['widgets.example.com'], { timeoutMs: 1000, intervalMs: 1 });
    expect(await cluster.discover('example.com/v1', 'Widget')).toEqual({ namespaced: true, plural: 'widgets' });
    const crd = await mustGet(cluster, {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      name: 'widgets.example.com',
    });
    expect((crd.status as { conditions: { type: string; status: string }[] }).conditions.map((c) => `${c.type}=${c.status}`)).toEqual([
      'NamesAccepted=True',
      'Established=True',
    ]);
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
