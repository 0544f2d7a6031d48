import { describe, expect, it } from '@jest/globals';
import { createTableIfMissing } from '../../../lambdas/adapters/dynamodb/index.js';
import type { HubContext } from '../../../lambdas/core/context.js';
import { parseDesired, ResourceService } from '../../../lambdas/core/resource-service.js';
import { ERROR_RELATION, TRACK_RELATION } from '../../../lambdas/capabilities/rollouts/tracking.js';
import { runStep } from '../../../lambdas/core/steps.js';
import type { StepMessage } from '../../../lambdas/ports/queue.js';
import { recordingHub, useDynalite } from '../../support/recording-hub.js';
import { API, configMap, fleetDeployment, markOnline } from './support/fleet.js';

/**
 * Fan-out steps must be idempotent and order-independent: every step message the hub sends is
 * recorded (a recording Queue port); one table gets each message once, in order; another gets
 * every message twice, each round in reverse order, and the rollout batches of a superseded revision
 * only after the newer revision was written everywhere. The Works, the tracking index and the
 * rollout summary must agree.
 */
const dynamo = useDynalite();

function hubWithRecorder(table: string): { ctx: HubContext; sent: StepMessage[] & { log: StepMessage[] } } {
  const { ctx, sent } = recordingHub(dynamo(), table, { config: { fanOutBatchSize: 3 } });
  return { ctx, sent: Object.assign(sent, { log: [] as StepMessage[] }) };
}

type Policy = (batch: StepMessage[]) => StepMessage[];
const inOrder: Policy = (batch) => batch;
const twiceReversed: Policy = (batch) => [...batch, ...batch].reverse();

/** Delivers what is queued now (one round); the messages those steps send wait for the next round. */
async function round(ctx: HubContext, sent: StepMessage[] & { log?: StepMessage[] }, deliver: Policy): Promise<number> {
  const batch = deliver(sent.splice(0, sent.length));
  for (const m of batch) {
    sent.log?.push(m);
    await runStep(m, ctx);
  }
  return batch.length;
}

/** Rounds until nothing is queued. */
async function drainAll(ctx: HubContext, sent: StepMessage[], deliver: Policy): Promise<number> {
  let n = 0;
  while (sent.length) n += await round(ctx, sent, deliver);
  return n;
}

const clusters = Array.from({ length: 8 }, (_, i) => ({
  apiVersion: API,
  kind: 'Cluster',
  metadata: { name: `c-${i}`, labels: { fleet: 'f', region: i % 2 ? 'eu' : 'us', ...(i === 7 ? {} : { city: `city-${i}` }) } },
  spec: { hubAcceptsClient: true },
}));
const placement = {
  apiVersion: API,
  kind: 'Placement',
  metadata: { name: 'p' },
  spec: {
    predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { fleet: 'f' } } } }],
    decisionStrategy: { groupStrategy: { clustersPerDecisionGroup: 3 } },
  },
};
const deployment = (version: string) =>
  fleetDeployment('menu', {
    template: {
      workload: { manifests: [configMap('menu', { version, city: '{{ .cluster.labels.city }}', cluster: '{{ .cluster.name }}' })] },
    },
    placementRef: { name: 'p' },
    overrides: [{ clusterSelector: { matchLabels: { region: 'eu' } }, patch: { data: { mirror: 'eu' } } }],
    rolloutStrategy: { type: 'All' },
  });

/**
 * Creates the fleet and the deployment, then changes the template twice and moves a cluster out,
 * interleaved with delivery. With `late`, the revision-2 batches are held back and delivered only
 * after revision 3 has been written everywhere (a message stuck in a slow consumer).
 */
async function scenario(ctx: HubContext, sent: StepMessage[], deliver: Policy, late: boolean): Promise<number> {
  const service = new ResourceService(ctx);
  for (const d of clusters) await service.apply(parseDesired(d), false);
  // The stores' agents have joined: a cluster that never reported is tainted unreachable and not chosen.
  for (const c of clusters) await markOnline(ctx, c.metadata.name);
  for (const d of [placement, deployment('v1')]) await service.apply(parseDesired(d), false);
  let delivered = await drainAll(ctx, sent, deliver);
  await service.apply(parseDesired(deployment('v2')), false);
  // One round only: the controller hands out v2 and its batches wait in the queue...
  delivered += await round(ctx, sent, deliver);
  const held = late ? sent.splice(0, sent.length) : [];
  // ...while the template changes again and a cluster leaves the placement.
  await service.apply(parseDesired(deployment('v3')), false);
  await service.patch(parseDesired(clusters[0]).info, 'c-2', undefined, { metadata: { labels: { fleet: 'other' } } });
  delivered += await drainAll(ctx, sent, deliver);
  sent.push(...held);
  delivered += await drainAll(ctx, sent, deliver);
  return delivered;
}

async function snapshot(ctx: HubContext) {
  const works: Record<string, unknown> = {};
  for (const c of clusters) {
    const w = await ctx.ports.resources.get({ kind: 'Work', namespace: c.metadata.name, name: 'menu' }, { consistent: true });
    if (w)
      works[c.metadata.name] = {
        annotations: w.metadata.annotations,
        labels: w.metadata.labels,
        data: (w.spec as { workload: { manifests: { data: unknown }[] } }).workload.manifests[0].data,
      };
  }
  const tracks = await ctx.ports.relations.list(TRACK_RELATION, 'menu', { limit: 100 });
  const errors = await ctx.ports.relations.list(ERROR_RELATION, 'menu', { limit: 100 });
  const fd = await ctx.ports.resources.get({ kind: 'FleetDeployment', name: 'menu' }, { consistent: true });
  const status = fd?.status as { revision: number; summary: unknown; clusters: { cluster: string; reason: string }[] };
  return {
    works,
    tracked: tracks.items.map((i) => [i.to, i.data?.r]),
    errors: errors.items.map((i) => i.to),
    revision: status.revision,
    summary: status.summary,
    problems: status.clusters.map((c) => [c.cluster, c.reason]),
  };
}

describe('FleetDeployment fan-out steps are idempotent and order-independent', () => {
  it('gives the same Works when every message is delivered twice, reversed, and an old revision late', async () => {
    await createTableIfMissing(dynamo(), 'fd-inorder');
    await createTableIfMissing(dynamo(), 'fd-chaos');
    const a = hubWithRecorder('fd-inorder');
    const b = hubWithRecorder('fd-chaos');
    const deliveredA = await scenario(a.ctx, a.sent, inOrder, false);
    const deliveredB = await scenario(b.ctx, b.sent, twiceReversed, true);
    expect(deliveredB).toBeGreaterThan(deliveredA);
    // The chaos run really delivered batches of the superseded revision 2 after those of revision 3.
    const batches = (b.sent.log ?? []).filter((m) => m.type === 'fleetdeployment.rollout-batch').map((m) => m.payload.revision);
    expect(batches.lastIndexOf(2)).toBeGreaterThan(batches.indexOf(3));

    const expectedWorks = Object.fromEntries(
      [0, 1, 3, 4, 5, 6].map((i) => [
        `c-${i}`,
        {
          annotations: { 'tether.dev/revision': '3', 'tether.dev/revision-hash': expect.stringMatching(/^[0-9a-f]{20}$/) },
          labels: { 'tether.dev/fleetdeployment': 'menu' },
          data: { version: 'v3', city: `city-${i}`, cluster: `c-${i}`, ...(i % 2 ? { mirror: 'eu' } : {}) },
        },
      ]),
    );
    const expected = {
      works: expectedWorks,
      tracked: [0, 1, 3, 4, 5, 6, 7].map((i) => [`c-${i}`, 3]),
      errors: ['c-7'],
      revision: 3,
      summary: { total: 7, updated: 0, applied: 0, available: 0, degraded: 0, failed: 0, pendingWindow: 0, templateErrors: 1 },
      problems: [['c-7', 'TemplateError']],
    };
    const sa = await snapshot(a.ctx);
    const sb = await snapshot(b.ctx);
    expect(sa).toEqual(expected);
    expect(sb).toEqual(expected);
    expect(sb.works).toEqual(sa.works);
  }, 90_000);
});
