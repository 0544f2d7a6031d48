import { describe, expect, it } from '@jest/globals';
import { waitForCrds } from '../../../../agent/kube/apply-order.js';
import { KubeConflictError, KubeInvalidError } from '../../../../agent/kube/errors.js';
import { MemoryCluster } from '../../../../agent/kube/memory-cluster.js';
import type { KubeObject } from '../../../../agent/kube/types.js';
import { AGENT, managers, mustGet, namespace, WIDGET_CRD } from './memory-fixtures.js';

/**
 * What resource sync needs of the in-memory cluster, as a real API server does it: list with
 * namespace, label selector and field selector (Secret, ConfigMap, a custom resource), server-side
 * apply as field manager tether-sync with its conflicts (409 unless forced), delete, and annotations
 * that round-trip verbatim.
 */

const SYNC = { fieldManager: 'tether-sync', force: false };
const obj = (
  apiVersion: string,
  kind: string,
  name: string,
  ns: string,
  more: Record<string, unknown> = {},
  labels?: Record<string, string>,
): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace: ns, ...(labels ? { labels } : {}) },
  ...more,
});

async function seeded(): Promise<MemoryCluster> {
  const cluster = new MemoryCluster();
  for (const ns of ['a', 'b']) await cluster.apply(namespace(ns), AGENT);
  await cluster.apply(WIDGET_CRD, AGENT);
  await waitForCrds(cluster, ['widgets.example.com'], { timeoutMs: 1_000, intervalMs: 5 });
  for (const ns of ['a', 'b']) {
    for (const [name, tier] of [
      ['x', 'gold'],
      ['y', 'silver'],
    ]) {
      await cluster.apply(obj('v1', 'Secret', name, ns, { data: { k: 'dg==' } }, { tier }), AGENT);
      await cluster.apply(obj('v1', 'ConfigMap', name, ns, { data: { k: 'v' } }, { tier }), AGENT);
      await cluster.apply(obj('example.com/v1', 'Widget', name, ns, { spec: { size: 1 } }, { tier }), AGENT);
    }
  }
  return cluster;
}

const names = (list: KubeObject[]) => list.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);

describe('MemoryCluster: list selection for resource sync', () => {
  it.each([
    ['v1', 'Secret'],
    ['v1', 'ConfigMap'],
    ['example.com/v1', 'Widget'],
  ])('%s %s: namespace, label selector and field selector narrow the list, ANDed', async (apiVersion, kind) => {
    const cluster = await seeded();
    expect(names(await cluster.list({ apiVersion, kind, namespace: 'a' }))).toEqual(['a/x', 'a/y']);
    expect(names(await cluster.list({ apiVersion, kind, labelSelector: 'tier in (gold)' }))).toEqual(['a/x', 'b/x']);
    expect(names(await cluster.list({ apiVersion, kind, fieldSelector: 'metadata.name=y' }))).toEqual(['a/y', 'b/y']);
    expect(
      names(await cluster.list({ apiVersion, kind, namespace: 'b', labelSelector: 'tier!=gold', fieldSelector: 'metadata.name==y' })),
    ).toEqual(['b/y']);
    expect(names(await cluster.list({ apiVersion, kind, fieldSelector: 'metadata.namespace=a,metadata.name!=x' }))).toEqual(['a/y']);
    cluster.close();
  });

  it('refuses a field the server does not support, as a 400 would', async () => {
    const cluster = new MemoryCluster();
    const err = await cluster.list({ apiVersion: 'v1', kind: 'Secret', fieldSelector: 'data.k=v' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeInvalidError);
    expect((err as Error).message).toBe('field label not supported: data.k');
  });
});

describe('MemoryCluster: server-side apply as tether-sync', () => {
  it("conflicts with another manager's value unless forced, then owns the field; annotations round-trip", async () => {
    const cluster = await seeded();
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'a', name: 'x' };
    const copy = obj('v1', 'ConfigMap', 'x', 'a', { data: { k: 'synced' } });
    copy.metadata.annotations = {
      'sync.tether.dev/origin-cluster': 'c0ffee',
      'sync.tether.dev/rule': 'r',
      'sync.tether.dev/source-resource-version': '12',
    };

    const err = await cluster.apply(copy, SYNC).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeConflictError);
    expect((err as KubeConflictError).conflicts).toEqual([{ manager: 'tether-agent', field: '.data.k' }]);
    expect((await mustGet(cluster, ref)).data).toEqual({ k: 'v' });

    await cluster.apply(copy, { ...SYNC, force: true });
    const live = await mustGet(cluster, ref);
    expect(live.data).toEqual({ k: 'synced' });
    expect(live.metadata.annotations).toEqual(copy.metadata.annotations);
    expect(managers(live)).toEqual(['tether-agent/Apply', 'tether-sync/Apply']);

    expect(await cluster.delete(ref)).toBe(true);
    expect(await cluster.get(ref)).toBeUndefined();
    expect(await cluster.delete(ref)).toBe(false);
    cluster.close();
  });
});
