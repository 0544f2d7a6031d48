import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { listDecisions } from '../../../lambdas/capabilities/placements/decision-store.js';
import { API, createCluster, joinCluster, startWorksHub, type WorksHub } from './support.js';
import { markOnline } from '../rollouts/support/fleet.js';

/**
 * Placements end to end on a real local hub: decisions and group counts after creation, updates
 * when a cluster's labels change, when it becomes unreachable (the lease expires and the hub
 * taints it) and when it comes back, numberOfClusters replacements, cluster sets, and clear
 * problems for bad input.
 */

// Each test drives the hub through several queued steps; allow for a busy machine.
jest.setTimeout(30_000);

let hub: WorksHub;
const fleet = [...Array.from({ length: 10 }, (_, i) => `store-${String(i).padStart(2, '0')}`), 'lab-1'];

/** The fleet's agents poll: each cluster is live (a cluster that never reported is tainted unreachable). */
async function fleetPolls() {
  for (const name of fleet) await markOnline(hub.ctx, name);
}

beforeAll(async () => {
  hub = await startWorksHub();
  // Ten stores: two canaries, east and west, all in the "stores" set.
  for (let i = 0; i < 10; i++) {
    const name = `store-${String(i).padStart(2, '0')}`;
    await createCluster(
      hub,
      name,
      { 'tether.dev/clusterset': 'stores', region: i % 2 ? 'east' : 'west', ...(i < 2 ? { ring: 'canary' } : {}) },
      { hubAcceptsClient: true },
    );
  }
  await createCluster(hub, 'lab-1', { region: 'east', tier: 'lab' }, { hubAcceptsClient: true });
  expect((await hub.api('/v1/clustersets', { body: { apiVersion: API, kind: 'ClusterSet', metadata: { name: 'stores' } } })).status).toBe(
    201,
  );
  await fleetPolls();
  await hub.settle();
}, 60_000);

afterAll(async () => {
  await hub?.stop();
  expect(hub?.problems).toEqual([]);
}, 30_000);

async function placement(name: string) {
  const res = await hub.api(`/v1/placements/${name}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function decisions(name: string): Promise<Record<string, [number, string]>> {
  const out: Record<string, [number, string]> = {};
  let cursor: string | undefined;
  do {
    const page = await listDecisions(hub.ctx, name, { cursor, limit: 3 });
    for (const d of page.items) out[d.cluster] = [d.group, d.groupName];
    cursor = page.cursor;
  } while (cursor);
  return out;
}

async function patchLabels(cluster: string, labels: Record<string, string | null>) {
  const res = await hub.api(`/v1/clusters/${cluster}`, {
    method: 'PATCH',
    body: { metadata: { labels } },
    contentType: 'application/merge-patch+json',
  });
  expect(res.status).toBe(200);
  await hub.settle();
}

const rollout = {
  apiVersion: API,
  kind: 'Placement',
  metadata: { name: 'rollout' },
  spec: {
    clusterSets: ['stores'],
    decisionStrategy: {
      groupStrategy: {
        decisionGroups: [{ groupName: 'canary', groupClusterSelector: { labelSelector: { matchLabels: { ring: 'canary' } } } }],
        clustersPerDecisionGroup: 3,
      },
    },
  },
};

describe('placement decisions', () => {
  it('chooses the set members and shows group counts in status', async () => {
    const created = await hub.api('/v1/placements', { body: rollout });
    expect(created.status).toBe(201);
    expect(created.body.status).toEqual({ conditions: [], numberOfSelectedClusters: 0, decisionGroups: [] });
    await hub.settle();
    const p = await placement('rollout');
    expect(p.status.numberOfSelectedClusters).toBe(10);
    expect(p.status.decisionGroups).toEqual([
      { decisionGroupIndex: 0, decisionGroupName: 'canary', clusterCount: 2 },
      { decisionGroupIndex: 1, decisionGroupName: '', clusterCount: 3 },
      { decisionGroupIndex: 2, decisionGroupName: '', clusterCount: 3 },
      { decisionGroupIndex: 3, decisionGroupName: '', clusterCount: 2 },
    ]);
    expect(p.status.observedGeneration).toBe(1);
    expect(p.status.conditions.find((c: any) => c.type === 'PlacementSatisfied')).toMatchObject({
      status: 'True',
      reason: 'AllDecisionsScheduled',
    });
    expect(p.status.conditions.find((c: any) => c.type === 'PlacementMisconfigured')).toMatchObject({ status: 'False' });
    // The hub's bookkeeping is not part of the API answer.
    expect(p.status.bookkeeping).toBeUndefined();
    const d = await decisions('rollout');
    expect(Object.keys(d)).toHaveLength(10);
    expect(d['store-00']).toEqual([0, 'canary']);
    expect(d['store-02']).toEqual([1, '']);
    expect(d['lab-1']).toBeUndefined();
  });

  it('follows label changes: into the canary group, out of the set, back in', async () => {
    await patchLabels('store-05', { ring: 'canary' });
    expect((await decisions('rollout'))['store-05']).toEqual([0, 'canary']);
    let p = await placement('rollout');
    expect(p.status.decisionGroups[0]).toEqual({ decisionGroupIndex: 0, decisionGroupName: 'canary', clusterCount: 3 });
    expect(p.status.numberOfSelectedClusters).toBe(10);

    await patchLabels('store-09', { 'tether.dev/clusterset': null });
    expect((await decisions('rollout'))['store-09']).toBeUndefined();
    p = await placement('rollout');
    expect(p.status.numberOfSelectedClusters).toBe(9);
    expect(p.status.decisionGroups.reduce((n: number, g: any) => n + g.clusterCount, 0)).toBe(9);

    await patchLabels('store-09', { 'tether.dev/clusterset': 'stores' });
    expect((await decisions('rollout'))['store-09']).toBeDefined();
    expect((await placement('rollout')).status.numberOfSelectedClusters).toBe(10);
  });

  it('drops a cluster that becomes unreachable unless tolerated, and takes it back when it returns', async () => {
    const tolerant = await hub.api('/v1/placements', {
      body: {
        apiVersion: API,
        kind: 'Placement',
        metadata: { name: 'tolerant' },
        spec: {
          predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { tier: 'edge' } } } }],
          tolerations: [{ key: 'tether.dev/unreachable', operator: 'Exists' }],
        },
      },
    });
    expect(tolerant.status).toBe(201);
    const strict = await hub.api('/v1/placements', {
      body: {
        apiVersion: API,
        kind: 'Placement',
        metadata: { name: 'strict' },
        spec: { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { tier: 'edge' } } } }] },
      },
    });
    expect(strict.status).toBe(201);
    const credential = await joinCluster(hub, 'edge-1', { tier: 'edge' });
    expect((await hub.api('/agent/v1/desired', { token: credential })).status).toBe(200);
    await hub.settle();
    expect(Object.keys(await decisions('strict'))).toEqual(['edge-1']);
    expect(Object.keys(await decisions('tolerant'))).toEqual(['edge-1']);

    // Silence for more than three lease durations (the rest of the fleet keeps polling): the
    // scheduler finds edge-1's lease expired.
    hub.clock.advance(200);
    await fleetPolls();
    await hub.tick();
    await hub.settle();
    const cluster = (await hub.api('/v1/clusters/edge-1')).body;
    expect(cluster.spec.taints.map((t: any) => t.key)).toEqual(['tether.dev/unreachable']);
    expect(await decisions('strict')).toEqual({});
    expect((await placement('strict')).status.conditions.find((c: any) => c.type === 'PlacementSatisfied')).toMatchObject({
      status: 'False',
      reason: 'NoManagedClusterMatched',
    });
    expect(Object.keys(await decisions('tolerant'))).toEqual(['edge-1']);

    // The agent polls again: available, untainted, chosen again.
    expect((await hub.api('/agent/v1/desired', { token: credential })).status).toBe(200);
    await hub.settle();
    expect((await hub.api('/v1/clusters/edge-1')).body.spec.taints).toEqual([]);
    expect(Object.keys(await decisions('strict'))).toEqual(['edge-1']);
    expect((await placement('strict')).status.numberOfSelectedClusters).toBe(1);
  });

  it('follows the claims an agent reports', async () => {
    const res = await hub.api('/v1/placements', {
      body: {
        apiVersion: API,
        kind: 'Placement',
        metadata: { name: 'k3s-only' },
        spec: {
          predicates: [
            {
              requiredClusterSelector: {
                claimSelector: { matchExpressions: [{ key: 'platform.tether.dev', operator: 'In', values: ['k3s'] }] },
              },
            },
          ],
        },
      },
    });
    expect(res.status).toBe(201);
    const credential = await joinCluster(hub, 'kiosk-1');
    // Its first poll takes the lease: the cluster is available, so only its claims decide.
    expect((await hub.api('/agent/v1/desired', { token: credential })).status).toBe(200);
    await hub.settle();
    expect(await decisions('k3s-only')).toEqual({});
    const report = (platform: string) => ({
      observedRevision: '1',
      agentVersion: '0.1.0',
      healthy: true,
      claims: [
        { name: 'id.k8s.io', value: 'uid-kiosk-1' },
        { name: 'platform.tether.dev', value: platform },
      ],
    });
    expect((await hub.api('/agent/v1/status', { token: credential, body: report('k3s') })).status).toBe(204);
    await hub.settle();
    expect(Object.keys(await decisions('k3s-only'))).toEqual(['kiosk-1']);
    expect((await hub.api('/agent/v1/status', { token: credential, body: report('eks') })).status).toBe(204);
    await hub.settle();
    expect(await decisions('k3s-only')).toEqual({});
    expect((await placement('k3s-only')).status.numberOfSelectedClusters).toBe(0);
  });

  it('numberOfClusters: a chosen cluster that leaves is replaced by the next eligible one', async () => {
    const res = await hub.api('/v1/placements', {
      body: {
        apiVersion: API,
        kind: 'Placement',
        metadata: { name: 'two-west' },
        spec: { numberOfClusters: 2, predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { region: 'west' } } } }] },
      },
    });
    expect(res.status).toBe(201);
    await hub.settle();
    expect(Object.keys(await decisions('two-west'))).toEqual(['store-00', 'store-02']);
    await patchLabels('store-00', { region: 'east' });
    expect(Object.keys(await decisions('two-west'))).toEqual(['store-02', 'store-04']);
    const p = await placement('two-west');
    expect(p.status.numberOfSelectedClusters).toBe(2);
    expect(p.status.conditions.find((c: any) => c.type === 'PlacementSatisfied')).toMatchObject({
      status: 'True',
      message: '2 of 2 requested clusters selected',
    });
  });

  it('a spec change recomputes; a new ClusterSet selector is followed; a missing set is reported', async () => {
    const east = await hub.api('/v1/placements', {
      body: { apiVersion: API, kind: 'Placement', metadata: { name: 'by-set' }, spec: { clusterSets: ['east', 'nowhere'] } },
    });
    expect(east.status).toBe(201);
    await hub.settle();
    let p = await placement('by-set');
    expect(p.status.numberOfSelectedClusters).toBe(0);
    expect(p.status.conditions.find((c: any) => c.type === 'PlacementMisconfigured')).toMatchObject({
      status: 'True',
      reason: 'ClusterSetNotFound',
    });
    expect(p.status.conditions.find((c: any) => c.type === 'PlacementMisconfigured').message).toContain('east, nowhere');

    const set = await hub.api('/v1/clustersets', {
      body: {
        apiVersion: API,
        kind: 'ClusterSet',
        metadata: { name: 'east' },
        spec: { clusterSelector: { selectorType: 'LabelSelector', labelSelector: { matchLabels: { region: 'east' } } } },
      },
    });
    expect(set.status).toBe(201);
    await hub.settle();
    const eastNames = Object.keys(await decisions('by-set'));
    expect(eastNames).toEqual(['lab-1', 'store-00', 'store-01', 'store-03', 'store-05', 'store-07', 'store-09']);
    p = await placement('by-set');
    expect(p.status.numberOfSelectedClusters).toBe(7);
    expect(p.status.conditions.find((c: any) => c.type === 'PlacementMisconfigured').message).toContain('nowhere');

    // Narrow the set's selector: the placement follows.
    const narrowed = await hub.api('/v1/clustersets/east', {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { spec: { clusterSelector: { labelSelector: { matchLabels: { region: 'east', tier: 'lab' } } } } },
    });
    expect(narrowed.status).toBe(200);
    await hub.settle();
    expect(Object.keys(await decisions('by-set'))).toEqual(['lab-1']);

    // Change the placement itself.
    const changed = await hub.api('/v1/placements/by-set', {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { spec: { clusterSets: ['stores'], numberOfClusters: 1 } },
    });
    expect(changed.status).toBe(200);
    await hub.settle();
    p = await placement('by-set');
    expect(p.status.observedGeneration).toBe(2);
    expect(Object.keys(await decisions('by-set'))).toHaveLength(1);
    expect(p.status.conditions.find((c: any) => c.type === 'PlacementMisconfigured').status).toBe('False');
  });

  it('deleting a placement removes its decisions; deleting a cluster removes it from every placement', async () => {
    expect((await hub.api('/v1/placements/by-set', { method: 'DELETE' })).status).toBe(200);
    await hub.settle();
    expect(await decisions('by-set')).toEqual({});

    expect((await decisions('rollout'))['store-03']).toBeDefined();
    expect((await hub.api('/v1/clusters/store-03', { method: 'DELETE' })).status).toBe(202);
    await hub.settle();
    expect((await decisions('rollout'))['store-03']).toBeUndefined();
    expect((await placement('rollout')).status.numberOfSelectedClusters).toBe(9);
  });
});

describe('placement input problems', () => {
  const post = (spec: unknown) =>
    hub.api('/v1/placements', { body: { apiVersion: API, kind: 'Placement', metadata: { name: 'bad' }, spec } });

  it('answers 422 problem+json naming the field', async () => {
    const negative = await post({ numberOfClusters: -2 });
    expect(negative.status).toBe(422);
    expect(negative.headers.get('content-type')).toContain('application/problem+json');
    expect(negative.body.errors).toEqual([{ path: 'spec.numberOfClusters', message: 'numberOfClusters must not be negative' }]);

    const percent = await post({ decisionStrategy: { groupStrategy: { clustersPerDecisionGroup: '120%' } } });
    expect(percent.status).toBe(422);
    expect(percent.body.errors[0].message).toBe('clustersPerDecisionGroup percentage must be between 1% and 100%, got "120%"');

    const unknown = await post({ clusterSet: ['stores'] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.detail).toContain('clusterSet');

    const selector = await post({
      predicates: [
        { requiredClusterSelector: { labelSelector: { matchExpressions: [{ key: 'ring', operator: 'Exists', values: ['x'] }] } } },
      ],
    });
    expect(selector.status).toBe(422);
    expect(selector.body.errors[0]).toEqual({
      path: 'spec.predicates.0.requiredClusterSelector.labelSelector.matchExpressions.0.values',
      message: 'operator Exists takes no values',
    });

    expect((await hub.api('/v1/placements/bad')).status).toBe(404);
  });
});
