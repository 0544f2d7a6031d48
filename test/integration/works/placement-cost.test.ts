import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { countOperations, type OperationCounter, type OperationSnapshot } from '../../../lambdas/adapters/dynamodb/op-counter.js';
import { onDynamoClientCreated } from '../../../lambdas/handlers/compose.js';
import { evaluateChangedCluster } from '../../../lambdas/capabilities/placements/cluster-changed.js';
import { API, createCluster, startWorksHub, type WorksHub } from './support.js';

/**
 * What a cluster change costs the placements, measured on the hub's real DynamoDB client: the same
 * change costs the same operations in a fleet of 10 and of 60 clusters (cost follows the changed
 * clusters and the number of placements, not the fleet).
 */

let hub: WorksHub;
let ops: OperationCounter;

beforeAll(async () => {
  const clients: DynamoDBClient[] = [];
  const remove = onDynamoClientCreated((c) => clients.push(c));
  try {
    hub = await startWorksHub();
  } finally {
    remove();
  }
  ops = countOperations(clients[0]);
  // No agent runs here, so every cluster carries the unreachable taint of one that never reported:
  // the placements tolerate it, so a relabel alone moves decisions.
  const tolerations = [{ key: 'tether.dev/unreachable', operator: 'Exists' }];
  for (const [name, spec] of [
    [
      'all-stores',
      {
        predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { tier: 'store' } } } }],
        decisionStrategy: { groupStrategy: { clustersPerDecisionGroup: 5 } },
        tolerations,
      },
    ],
    ['canaries', { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { ring: 'canary' } } } }], tolerations }],
  ] as const) {
    expect((await hub.api('/v1/placements', { body: { apiVersion: API, kind: 'Placement', metadata: { name }, spec } })).status).toBe(201);
  }
}, 60_000);

afterAll(async () => {
  ops?.detach();
  await hub?.stop();
  expect(hub?.problems).toEqual([]);
}, 30_000);

async function grow(to: number, from: number): Promise<void> {
  for (let i = from; i < to; i++) await createCluster(hub, `store-${i}`, { tier: 'store' });
  await hub.settle();
}

/**
 * Relabels one cluster into the canary ring and back, counting everything each change costs: the
 * API write, the lifecycle hooks, the membership and placement steps. Then re-runs the placement
 * step on the settled state, which must read and write nothing more than its reads.
 */
async function measure(cluster: string): Promise<{ join: OperationSnapshot; leave: OperationSnapshot; again: OperationSnapshot }> {
  const relabel = async (labels: Record<string, string | null>) => {
    ops.reset();
    const res = await hub.api(`/v1/clusters/${cluster}`, {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { metadata: { labels } },
    });
    expect(res.status).toBe(200);
    await hub.settle();
    return ops.snapshot();
  };
  const join = await relabel({ ring: 'canary' });
  const leave = await relabel({ ring: null });
  ops.reset();
  await evaluateChangedCluster(hub.ctx, cluster);
  return { join, leave, again: ops.snapshot() };
}

describe('placement cost per changed cluster', () => {
  it('does not grow with the fleet', async () => {
    await grow(10, 0);
    const small = await measure('store-3');
    await grow(60, 10);
    const large = await measure('store-33');
    expect(large.join.counts).toEqual(small.join.counts);
    expect(large.leave.counts).toEqual(small.leave.counts);
    expect(large.again.counts).toEqual(small.again.counts);
    // Re-evaluating a cluster whose decisions are right writes nothing: the cluster read twice
    // (before and after), placements and sets listed, per placement one read and one query.
    expect(small.again.counts).toEqual({ GetItem: 4, Query: 4 });
    expect(large.join.capacity).toEqual(small.join.capacity);
    // Joining the canaries, measured: the PATCH (admin token, cluster record), the lifecycle hooks
    // and the membership step, then the placement step: one count commit and two relation items.
    // The PATCH's answer reads the cluster's head for status.lastSeen: one GetItem (no lease yet,
    // so no heartbeat-log read). Governance adds three Queries: its Cluster hook asks whether the
    // relabelled cluster has policies (their templates read labels), and its subscription to the
    // changed decisions reads the placement's policy and policy-set indexes (both empty here).
    // The PATCH opens and closes a pending-change record around the write and its hooks (one
    // PutItem, one DeleteItem: what makes the follow-up crash-safe, lambdas/core/pending-changes.ts).
    // Resource sync adds two Queries: its Cluster hook lists the SyncRules to re-sync on a label
    // change, and its subscription to the changed decisions reads the placement's rule index. The
    // inventory adds one: its subscription to changed decisions lists the exports (none here). The
    // audit trail stores the PATCH's event before the answer: one BatchWriteItem.
    expect(small.join.counts).toEqual({ BatchWriteItem: 1, DeleteItem: 1, GetItem: 12, PutItem: 5, Query: 12 });
  }, 60_000);
});
