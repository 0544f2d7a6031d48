import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { MemoryCluster } from '../../../../agent/kube/memory-cluster.js';
import { SyncSource } from '../../../../agent/sync/source.js';
import { emptySyncState, type SyncState } from '../../../../agent/sync/sync-store.js';
import {
  MAX_SYNC_OBJECTS_PER_SOURCE,
  MAX_SYNC_REPORT_OBJECTS,
  ORIGIN_CLUSTER_ANNOTATION,
  type DesiredSyncSource,
} from '../../../../shared/protocol/sync.js';
import { CallLog, CONFIGMAP, configMap, HubDouble, log, SECRET, secret, sourceRule } from './support.js';

/** The source side against the in-memory cluster and an in-process hub that follows the contract. */

const AGENT = { fieldManager: 'test', force: true };

describe('SyncSource', () => {
  let cluster: MemoryCluster;
  let calls: CallLog;
  let hub: HubDouble;
  let state: SyncState;
  let t: number;
  let clusterId: string;
  const source = (resyncMs = 60_000) => new SyncSource({ api: calls.api, log, now: () => t, resyncMs });
  const run = (s: SyncSource, rules: DesiredSyncSource[], force = false) =>
    s.run(rules, { clusterId, state, send: (r) => hub.send(r), force });
  /** The rule as the hub would hand it now (its digest). */
  const current = (rule: DesiredSyncSource) => ({ ...rule, digest: hub.digest() });

  beforeEach(async () => {
    t = 1_000_000;
    cluster = new MemoryCluster({ name: 'src' });
    calls = new CallLog(cluster);
    hub = new HubDouble();
    state = emptySyncState();
    clusterId = (await cluster.get({ apiVersion: 'v1', kind: 'Namespace', name: 'kube-system' }))!.metadata.uid!;
    for (const ns of ['shop', 'ops']) await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, AGENT);
  });
  afterEach(() => cluster.close());

  it('lists with the server-side selector, filters annotations locally and sends the matching objects', async () => {
    await cluster.apply(secret('a', 'shop', { k: '1' }, { labels: { sync: 'yes' }, annotations: { team: 'x' } }), AGENT);
    await cluster.apply(secret('b', 'shop', { k: '2' }, { labels: { sync: 'yes' } }), AGENT);
    await cluster.apply(secret('c', 'shop', { k: '3' }, { annotations: { team: 'x' } }), AGENT);
    await cluster.apply(secret('d', 'ops', { k: '4' }, { labels: { sync: 'yes' }, annotations: { team: 'x' } }), AGENT);
    const rule = sourceRule('r', SECRET, [
      [{ namespaces: ['shop'], labels: [{ matchLabels: { sync: 'yes' } }], annotations: [{ matchLabels: { team: 'x' } }] }],
    ]);

    const pass = await run(source(), [rule]);

    expect(calls.lists).toEqual([{ apiVersion: 'v1', kind: 'Secret', namespace: 'shop', labelSelector: 'sync=yes' }]);
    expect(pass).toEqual({ listed: 1, reports: 1, objectsSent: 1 });
    expect(hub.reports[0].inventory.map((e) => e.name)).toEqual(['a']);
    expect(hub.reports[0].objects.map((o) => (o.object.metadata as { name: string }).name)).toEqual(['a']);
  });

  it('never reports a copy whose origin is another cluster (loop prevention)', async () => {
    await cluster.apply(configMap('own', 'shop', { a: '1' }), AGENT);
    await cluster.apply(configMap('copy', 'shop', { a: '1' }, { annotations: { [ORIGIN_CLUSTER_ANNOTATION]: 'another-cluster' } }), AGENT);
    await run(source(), [sourceRule('r', CONFIGMAP, [[{ namespaces: ['shop'] }]])]);
    expect(hub.reports[0].inventory.map((e) => e.name)).toEqual(['own']);
  });

  it('a source with 100 matching, unchanged objects sends no report once the hub holds them', async () => {
    for (let i = 0; i < 100; i++)
      await cluster.apply(configMap(`cm-${String(i).padStart(3, '0')}`, 'shop', { i: String(i) }, { labels: { sync: 'yes' } }), AGENT);
    const rule = sourceRule('r', CONFIGMAP, [[{ labels: [{ matchLabels: { sync: 'yes' } }] }]]);
    const s = source(0);
    await run(s, [rule]);
    expect(hub.held.size).toBe(100);
    const before = hub.reports.length;

    for (let i = 0; i < 3; i++) await run(s, [current(rule)]);
    // A restarted agent (no memory) whose digest matches the hub's sends nothing either.
    await run(source(0), [current(rule)]);

    expect(hub.reports.length).toBe(before);
  });

  it('sends only what changed, with the whole inventory; a deleted object leaves the inventory', async () => {
    await cluster.apply(configMap('a', 'shop', { v: '1' }), AGENT);
    await cluster.apply(configMap('b', 'shop', { v: '1' }), AGENT);
    const rule = sourceRule('r', CONFIGMAP, [[{ namespaces: ['shop'] }]]);
    const s = source(0);
    await run(s, [rule]);
    await cluster.apply(configMap('b', 'shop', { v: '2' }), AGENT);
    await cluster.remove({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'a' });
    hub.reports.length = 0;

    await run(s, [current(rule)]);

    expect(hub.reports).toHaveLength(1);
    expect(hub.reports[0].inventory.map((e) => e.name)).toEqual(['b']);
    expect(hub.reports[0].objects.map((o) => (o.object as { data: unknown }).data)).toEqual([{ v: '2' }]);
    expect([...hub.held.keys()]).toEqual(['shop/b']);
  });

  it('after a restart sends the inventory alone, then exactly what the hub says it needs', async () => {
    for (const n of ['a', 'b', 'c']) await cluster.apply(configMap(n, 'shop', { v: '1' }), AGENT);
    const rule = sourceRule('r', CONFIGMAP, [[{ namespaces: ['shop'] }]]);
    await run(source(0), [rule]);
    // The hub lost one object (say, it was refused before and the limit was raised); another one changed.
    hub.held.delete('shop/a');
    await cluster.apply(configMap('c', 'shop', { v: '2' }), AGENT);
    hub.reports.length = 0;

    await run(source(0), [current(rule)]);

    expect(hub.reports.map((r) => r.objects.map((o) => (o.object.metadata as { name: string }).name))).toEqual([[], ['a', 'c']]);
    expect(hub.reports.every((r) => r.inventory.length === 3)).toBe(true);
    expect(hub.held.size).toBe(3);
  });

  it('batches at MAX_SYNC_REPORT_OBJECTS and by bytes', async () => {
    const n = MAX_SYNC_REPORT_OBJECTS * 2 + 5;
    for (let i = 0; i < n; i++) await cluster.apply(configMap(`cm-${String(i).padStart(4, '0')}`, 'shop', { i: String(i) }), AGENT);
    // Five objects of ~900 KB each (under the 1 MiB a ConfigMap may hold): four fit in one 4 MiB report.
    const big = 'x'.repeat(900_000);
    for (const name of ['big-1', 'big-2', 'big-3', 'big-4', 'big-5']) await cluster.apply(configMap(name, 'ops', { big }), AGENT);

    await run(source(), [sourceRule('r', CONFIGMAP, [[{ namespaces: ['shop'] }], [{ namespaces: ['ops'] }]])]);

    // Sorted by key: ops/big-* first, then shop/cm-*.
    expect(hub.reports.map((r) => r.objects.length)).toEqual([4, 100, 100, 6]);
    expect(hub.reports.every((r) => r.objects.length <= MAX_SYNC_REPORT_OBJECTS)).toBe(true);
    expect(hub.reports.every((r) => Buffer.byteLength(JSON.stringify(r)) <= 4 * 1024 * 1024)).toBe(true);
    expect(hub.reports.reduce((sum, r) => sum + r.objects.length, 0)).toBe(n + 5);
    expect(hub.held.size).toBe(n + 5);
  });

  it('does not resend a refused object until it changes', async () => {
    await cluster.apply(configMap('huge', 'shop', { v: '1' }), AGENT);
    hub.refuse.add('shop/huge');
    const rule = sourceRule('r', CONFIGMAP, [[{ namespaces: ['shop'] }]]);
    const s = source(0);
    await run(s, [rule]);
    expect(hub.reports).toHaveLength(1);

    await run(s, [current(rule)]);
    await run(s, [current(rule)]);
    expect(hub.reports).toHaveLength(1);

    hub.refuse.clear();
    await cluster.apply(configMap('huge', 'shop', { v: '2' }), AGENT);
    await run(s, [current(rule)]);
    expect(hub.reports).toHaveLength(2);
    expect(hub.reports[1].objects).toHaveLength(1);
  });

  it('a kind the cluster does not serve is reported Blocked once, retried with back-off, and recovers', async () => {
    const rule = sourceRule('r', { group: 'example.com', version: 'v1', kind: 'Widget' });
    const s = source(60_000);
    await run(s, [rule]);
    expect(hub.reports).toEqual([
      expect.objectContaining({
        state: 'Blocked',
        reason: 'the cluster does not serve kind Widget in apiVersion example.com/v1',
        inventory: [],
      }),
    ]);
    expect(state.blockedSources).toEqual({ r: 'the cluster does not serve kind Widget in apiVersion example.com/v1' });

    calls.clear();
    t += 10_000;
    await run(s, [rule]);
    expect(calls.calls).toEqual([]); // not due yet (15 s)
    t += 6_000;
    await run(s, [rule]);
    expect(calls.calls).toEqual(['discover Widget']);
    expect(hub.reports).toHaveLength(1); // same reason: not reported again

    await cluster.apply(
      {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com',
          names: { kind: 'Widget', plural: 'widgets' },
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
      },
      AGENT,
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    await cluster.apply(
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'shop' }, spec: { size: 1 } },
      AGENT,
    );
    await run(s, [rule], true);

    expect(hub.reports.at(-1)).toMatchObject({ state: 'Ok', inventory: [{ namespace: 'shop', name: 'w' }] });
    expect(state.blockedSources).toEqual({});
  });

  it('a rule matching more objects than one source may sync is Blocked with the count and the limit', async () => {
    const many = Array.from({ length: MAX_SYNC_OBJECTS_PER_SOURCE + 1 }, (_, i) => configMap(`cm-${i}`, 'shop', {}));
    const api = { ...calls.api, list: async () => many };
    await new SyncSource({ api, log, now: () => t, resyncMs: 0 }).run([sourceRule('r', CONFIGMAP)], {
      clusterId,
      state,
      send: (r) => hub.send(r),
      force: true,
    });
    expect(hub.reports).toEqual([
      expect.objectContaining({
        state: 'Blocked',
        reason: `${MAX_SYNC_OBJECTS_PER_SOURCE + 1} objects match; one source may sync at most ${MAX_SYNC_OBJECTS_PER_SOURCE} per rule: narrow the rule`,
      }),
    ]);
  });

  it('an empty source whose rule was Blocked reports Ok even when both digests are empty', async () => {
    state.blockedSources.r = 'the cluster does not serve kind ConfigMap in apiVersion v1';
    await run(source(), [sourceRule('r', CONFIGMAP, [[{ namespaces: ['nowhere'] }]])]);
    expect(hub.reports).toEqual([expect.objectContaining({ state: 'Ok', inventory: [] })]);
    expect(state.blockedSources).toEqual({});
  });

  it('lists a rule again only when due, or at once when the desired state changed', async () => {
    const rule = sourceRule('r', CONFIGMAP, [[{ namespaces: ['shop'] }]]);
    const s = source(300_000);
    await run(s, [rule]);
    calls.clear();
    t += 60_000;
    await run(s, [current(rule)]);
    expect(calls.calls).toEqual([]);
    await run(s, [current(rule)], true);
    expect(calls.calls).toEqual(['discover ConfigMap', 'list ConfigMap']);
  });
});
