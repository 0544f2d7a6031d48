import { describe, expect, it } from '@jest/globals';
import { createTableIfMissing } from '../../../lambdas/adapters/dynamodb/index.js';
import { type HubContext } from '../../../lambdas/core/context.js';
import { CLUSTERSET_MEMBERS } from '../../../lambdas/capabilities/clustersets/membership.js';
import { parseDesired, ResourceService } from '../../../lambdas/core/resource-service.js';
import { runStep } from '../../../lambdas/core/steps.js';
import type { StepMessage } from '../../../lambdas/ports/queue.js';
import { recordingHub, useDynalite } from '../../support/recording-hub.js';

/**
 * Lifecycle steps must be idempotent and order-independent: this suite records every step message
 * the hub sends (a recording Queue port), then runs the whole chain once in order in one table, and
 * with every message delivered twice and in reverse order in another table, and compares the states.
 */
const dynamo = useDynalite();

function hubWithRecorder(table: string): { ctx: HubContext; sent: StepMessage[] } {
  return recordingHub(dynamo(), table, { config: { fanOutBatchSize: 3 } });
}

const api = 'tether.dev/v1alpha1';
const docs = [
  ...Array.from({ length: 10 }, (_, i) => ({
    apiVersion: api,
    kind: 'Cluster',
    metadata: { name: `c-${i}`, labels: { region: i % 2 ? 'east' : 'west', ...(i < 4 ? { 'tether.dev/clusterset': 'stores' } : {}) } },
  })),
  { apiVersion: api, kind: 'ClusterSet', metadata: { name: 'stores' } },
  {
    apiVersion: api,
    kind: 'ClusterSet',
    metadata: { name: 'east' },
    spec: { clusterSelector: { selectorType: 'LabelSelector', labelSelector: { matchLabels: { region: 'east' } } } },
  },
  {
    apiVersion: api,
    kind: 'ClusterSet',
    metadata: { name: 'doomed' },
    spec: { clusterSelector: { selectorType: 'LabelSelector', labelSelector: {} } },
  },
];

/** Applies the documents, relabels two clusters and deletes a set: every step message is captured. */
async function mutate(ctx: HubContext, drain: (ctx: HubContext) => Promise<void>): Promise<void> {
  const service = new ResourceService(ctx);
  for (const d of docs) await service.apply(parseDesired(d), false);
  await drain(ctx);
  await service.patch(parseDesired(docs[0]).info, 'c-0', undefined, { metadata: { labels: { region: 'east' } } });
  await service.patch(parseDesired(docs[0]).info, 'c-1', undefined, { metadata: { labels: { 'tether.dev/clusterset': 'stores' } } });
  await service.delete(parseDesired(docs[12]).info, 'doomed');
}

async function snapshot(ctx: HubContext) {
  const clusters = await ctx.ports.resources.list('Cluster', { limit: 100, consistent: true });
  const sets: Record<string, string[]> = {};
  for (const s of ['stores', 'east', 'doomed']) {
    sets[s] = (await ctx.ports.relations.list(CLUSTERSET_MEMBERS, s, { limit: 100 })).items.map((i) => i.to);
  }
  return {
    memberships: Object.fromEntries(
      clusters.items.map((c) => [c.metadata.name, (c.status as { clusterSets?: string[] })?.clusterSets ?? []]),
    ),
    relations: sets,
  };
}

/** Runs queued messages (and the messages they send) until none are left, with a delivery policy. */
async function runAll(ctx: HubContext, sent: StepMessage[], deliver: (batch: StepMessage[]) => StepMessage[]): Promise<number> {
  let delivered = 0;
  while (sent.length) {
    const batch = deliver(sent.splice(0, sent.length));
    for (const m of batch) {
      await runStep(m, ctx);
      delivered++;
    }
  }
  return delivered;
}

describe('membership steps are idempotent and order-independent', () => {
  it('gives the same state when every message is delivered twice and in reverse order', async () => {
    await createTableIfMissing(dynamo(), 'inorder');
    await createTableIfMissing(dynamo(), 'chaos');
    const a = hubWithRecorder('inorder');
    const b = hubWithRecorder('chaos');

    const inOrder = (batch: StepMessage[]) => batch;
    const twiceReversed = (batch: StepMessage[]) => [...batch, ...batch].reverse();

    await mutate(a.ctx, (ctx) => runAll(ctx, a.sent, inOrder).then(() => undefined));
    const deliveredA = await runAll(a.ctx, a.sent, inOrder);
    await mutate(b.ctx, (ctx) => runAll(ctx, b.sent, twiceReversed).then(() => undefined));
    const deliveredB = await runAll(b.ctx, b.sent, twiceReversed);

    expect(deliveredA).toBeGreaterThan(0);
    expect(deliveredB).toBeGreaterThan(deliveredA);
    const expected = {
      memberships: {
        'c-0': ['east', 'stores'],
        'c-1': ['east', 'stores'],
        'c-2': ['stores'],
        'c-3': ['east', 'stores'],
        'c-4': [],
        'c-5': ['east'],
        'c-6': [],
        'c-7': ['east'],
        'c-8': [],
        'c-9': ['east'],
      },
      relations: { stores: ['c-0', 'c-1', 'c-2', 'c-3'], east: ['c-0', 'c-1', 'c-3', 'c-5', 'c-7', 'c-9'], doomed: [] },
    };
    expect(await snapshot(a.ctx)).toEqual(expected);
    expect(await snapshot(b.ctx)).toEqual(expected);
  }, 60_000);
});
