import { SCOPE_ANNOTATION } from '../../../shared/tenancy.js';
import { z } from 'zod';
import { canonicalJson } from '../../../shared/hash.js';
import { clusterSetKind } from '../../../shared/resources/clusterset.js';
import { placementKind } from '../../../shared/resources/placement.js';
import type { HubContext } from '../../core/context.js';
import { behaviourFor } from '../../core/registry.js';
import { defineStep, stepMessage } from '../../core/steps.js';
import { emptyPlacementStatus, publicStatus } from './placement-status.js';
import { listAll, placementDeletedStep, recomputePlacementStep, type PlacementResource } from './recompute.js';

/**
 * The Placement kind's behaviour: a full recomputation whenever its spec changes, decisions
 * removed when it goes, bookkeeping hidden on read. Also listens to ClusterSet changes, since a
 * set's selector decides which clusters a placement naming it may choose.
 */

async function queueRecompute(ctx: HubContext, placement: string, source: 'index' | 'all' = 'index'): Promise<void> {
  await ctx.ports.queue.send([stepMessage(recomputePlacementStep, { placement, source })]);
}

/** Placement writes queue a recompute of its decisions; reads hide the bookkeeping. */
export const placementBehaviour = behaviourFor(placementKind, {
  initialStatus: () => emptyPlacementStatus(),
  async afterCreate(res, ctx) {
    await queueRecompute(ctx, res.metadata.name);
  },
  async afterUpdate(prev, next, ctx) {
    // A new spec, or a new confinement to the writer's cluster sets (docs/tenancy.md), changes the decisions.
    const scope = (r: typeof prev) => r.metadata.annotations?.[SCOPE_ANNOTATION];
    if (prev.metadata.generation !== next.metadata.generation || scope(prev) !== scope(next)) await queueRecompute(ctx, next.metadata.name);
  },
  async afterDelete(res, ctx) {
    await ctx.ports.queue.send([stepMessage(placementDeletedStep, { placement: res.metadata.name })]);
  },
  async decorate(res) {
    return { ...res, status: publicStatus(res.status) };
  },
});

/**
 * Step: a ClusterSet was created, changed or deleted. Placements that name it recompute over all
 * clusters, because the membership index is still being rebuilt by its own steps.
 */
export const clusterSetChangedStep = defineStep({
  type: 'placement.clusterset-changed',
  payload: z.object({ set: z.string() }),
  async run({ set }, ctx) {
    const placements = await listAll<PlacementResource>(ctx, placementKind.kind);
    const naming = placements.filter((p) => !p.metadata.deletionTimestamp && p.spec.clusterSets.includes(set));
    if (naming.length)
      await ctx.ports.queue.send(naming.map((p) => stepMessage(recomputePlacementStep, { placement: p.metadata.name, source: 'all' })));
  },
});

/**
 * The placements' reaction to ClusterSet changes, added to the ClusterSet behaviour (its owner is the
 * clustersets capability; the registry runs these hooks after the owner's).
 */
export const clusterSetReaction = behaviourFor(clusterSetKind, {
  async afterCreate(res, ctx) {
    await notifyClusterSetChanged(ctx, res.metadata.name);
  },
  async afterUpdate(prev, next, ctx) {
    if (canonicalJson(prev.spec) !== canonicalJson(next.spec)) await notifyClusterSetChanged(ctx, next.metadata.name);
  },
  async afterDelete(res, ctx) {
    await notifyClusterSetChanged(ctx, res.metadata.name);
  },
});

function notifyClusterSetChanged(ctx: HubContext, set: string): Promise<void> {
  return ctx.ports.queue.send([stepMessage(clusterSetChangedStep, { set })]);
}
