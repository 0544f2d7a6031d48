import { z } from 'zod';
import { canonicalJson } from '../../../shared/hash.js';
import type { Resource } from '../../../shared/resources/meta.js';
import type { PlacementSpec, PlacementStatus } from '../../../shared/resources/placement.js';
import '../clustersets/clusterset-behaviour.js';
import { behaviourOf, registerBehaviour, type HubContext, type KindBehaviour } from '../../core/context.js';
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

registerBehaviour('Placement', {
  initialStatus: () => emptyPlacementStatus(),
  async afterCreate(res, ctx) {
    await queueRecompute(ctx, res.metadata.name);
  },
  async afterUpdate(prev, next, ctx) {
    if (prev.metadata.generation !== next.metadata.generation) await queueRecompute(ctx, next.metadata.name);
  },
  async afterDelete(res, ctx) {
    await ctx.ports.queue.send([stepMessage(placementDeletedStep, { placement: res.metadata.name })]);
  },
  async decorate(res) {
    return { ...res, status: publicStatus(res.status as PlacementStatus | undefined) };
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
    const placements = await listAll<PlacementResource>(ctx, 'Placement');
    const naming = placements.filter((p) => !p.metadata.deletionTimestamp && (p.spec as PlacementSpec).clusterSets.includes(set));
    if (naming.length) await ctx.ports.queue.send(naming.map((p) => stepMessage(recomputePlacementStep, { placement: p.metadata.name, source: 'all' })));
  },
});

/**
 * Adds the placement reaction to the ClusterSet behaviour registered in ../clustersets.ts (imported
 * above, so it is registered first), keeping everything it does.
 */
function chainClusterSetBehaviour(): void {
  const base: KindBehaviour = behaviourOf('ClusterSet');
  const notify = (ctx: HubContext, set: string) => ctx.ports.queue.send([stepMessage(clusterSetChangedStep, { set })]);
  registerBehaviour('ClusterSet', {
    ...base,
    async afterCreate(res: Resource, ctx: HubContext) {
      await base.afterCreate?.(res, ctx);
      await notify(ctx, res.metadata.name);
    },
    async afterUpdate(prev: Resource, next: Resource, ctx: HubContext) {
      await base.afterUpdate?.(prev, next, ctx);
      if (canonicalJson(prev.spec) !== canonicalJson(next.spec)) await notify(ctx, next.metadata.name);
    },
    async afterDelete(res: Resource, ctx: HubContext) {
      await base.afterDelete?.(res, ctx);
      await notify(ctx, res.metadata.name);
    },
  });
}

chainClusterSetBehaviour();
