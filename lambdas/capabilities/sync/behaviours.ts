import { z } from 'zod';
import { canonicalJson } from '../../../shared/hash.js';
import { ValidationError } from '../../../shared/errors.js';
import { clusterKind } from '../../../shared/resources/cluster.js';
import { clusterSetKind } from '../../../shared/resources/clusterset.js';
import { syncRuleKind } from '../../../shared/resources/sync-rule.js';
import type { HubContext } from '../../core/context.js';
import { behaviourFor } from '../../core/registry.js';
import { defineStep } from '../../core/steps.js';
import { readResources } from '../../core/typed-resources.js';
import { queueResyncAll, queueRuleSync } from './propagation.js';
import {
  CLUSTER_DESTINATION_RULES,
  CLUSTER_SOURCE_RULES,
  listAllTargets,
  PLACEMENT_SYNCRULES,
  RULE_DESTINATIONS,
  RULE_SOURCES,
} from './relations.js';
import { removeSourceObjects, queueBumpDestinations } from './source-objects.js';
import { withRuleStatus } from './status.js';
import { deleteItem, SYNC_DESTINATION_KIND, SYNC_SOURCE_KIND } from './store.js';
import { syncRuleSpecErrors } from './validation.js';

/**
 * What the resource service does around SyncRule writes, and resource sync's reactions to Cluster
 * and ClusterSet changes. Hooks only index and queue `sync.sync-rule`; the fan-out happens there.
 */

async function reindex(ctx: HubContext, name: string, before: string | undefined, after: string | undefined) {
  if (before && before !== after) await ctx.ports.relations.remove(PLACEMENT_SYNCRULES, before, name);
  if (after) await ctx.ports.relations.put(PLACEMENT_SYNCRULES, after, name);
}

export const syncRuleBehaviour = behaviourFor(syncRuleKind, {
  initialStatus: () => ({}),
  async validate(next) {
    const errors = syncRuleSpecErrors(next.spec);
    if (errors.length) {
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
      throw new ValidationError(`SyncRule "${next.metadata.name}" is invalid: ${errors[0].path}: ${errors[0].message}${more}`, errors);
    }
  },
  async afterCreate(res, ctx) {
    await reindex(ctx, res.metadata.name, undefined, res.spec.placementRef?.name);
    await queueRuleSync(ctx, [res.metadata.name]);
  },
  async afterUpdate(prev, next, ctx) {
    await reindex(ctx, next.metadata.name, prev.spec.placementRef?.name, next.spec.placementRef?.name);
    if (prev.metadata.generation !== next.metadata.generation) await queueRuleSync(ctx, [next.metadata.name]);
  },
  async afterDelete(res, ctx) {
    if (res.spec.placementRef) await ctx.ports.relations.remove(PLACEMENT_SYNCRULES, res.spec.placementRef.name, res.metadata.name);
    await queueRuleSync(ctx, [res.metadata.name]);
  },
  async decorate(res, ctx) {
    return (await withRuleStatus(ctx, [res]))[0];
  },
  async decorateMany(items, ctx) {
    return withRuleStatus(ctx, items);
  },
});

const same = (a: unknown, b: unknown) => canonicalJson(a ?? {}) === canonicalJson(b ?? {});

/**
 * Resource sync's hook on Cluster writes: a new cluster, or one whose labels changed, may enter or
 * leave any rule (selectors, sets, feature labels, the opt-out label): every rule is re-synced, in
 * a queued step. A rule whose selection did not change writes nothing.
 */
export const clusterReaction = behaviourFor(clusterKind, {
  async afterCreate(res, ctx) {
    await queueResyncAll(ctx);
  },
  async afterUpdate(prev, next, ctx) {
    if (!same(prev.metadata.labels, next.metadata.labels)) await queueResyncAll(ctx);
  },
});

/** A cluster set's selector moves clusters in and out of it: rules naming sets may change. */
export const clusterSetReaction = behaviourFor(clusterSetKind, {
  async afterCreate(res, ctx) {
    await queueResyncAll(ctx);
  },
  async afterUpdate(prev, next, ctx) {
    if (prev.metadata.generation !== next.metadata.generation) await queueResyncAll(ctx);
  },
  async afterDelete(res, ctx) {
    await queueResyncAll(ctx);
  },
});

/** Step (subscribed to `placement.decisions-changed`): re-sync every rule that follows the placement. */
export const placementChangedStep = defineStep({
  type: 'sync.placement-changed',
  payload: z.object({ placement: z.string().min(1) }),
  async run({ placement }, ctx) {
    const names = (await listAllTargets(ctx, PLACEMENT_SYNCRULES, placement)).map((i) => i.to);
    const rules = await readResources(
      ctx,
      syncRuleKind,
      names.map((name) => ({ name })),
    );
    // The index may be stale: only rules whose placementRef still names the placement.
    await queueRuleSync(
      ctx,
      rules.filter((r) => r?.spec.placementRef?.name === placement).map((r) => r!.metadata.name),
    );
  },
});

/** Step (subscribed to `cluster.claims-changed`): features are claims, so any rule may gain or lose the cluster as a source. */
export const clusterClaimsChangedStep = defineStep({
  type: 'sync.cluster-claims-changed',
  payload: z.object({ cluster: z.string().min(1) }),
  async run(_payload, ctx) {
    await queueResyncAll(ctx);
  },
});

/**
 * Clean-up of a removed cluster: as a source its stored objects go (and the destinations hear of
 * it), as a destination its status items; its relation items in every direction. Idempotent.
 */
export async function removeClusterSync(ctx: HubContext, cluster: string): Promise<void> {
  const asSource = (await listAllTargets(ctx, CLUSTER_SOURCE_RULES, cluster)).map((i) => i.to);
  for (const rule of asSource) {
    // Told whatever this run deleted (a run cut short may have deleted the objects already).
    await removeSourceObjects(ctx, rule, cluster);
    await queueBumpDestinations(ctx, rule, cluster);
    await deleteItem(ctx, SYNC_SOURCE_KIND, rule, cluster);
  }
  await ctx.ports.relations.removeMany(asSource.map((r) => ({ relation: RULE_SOURCES, from: r, to: cluster })));
  await ctx.ports.relations.removeMany(asSource.map((r) => ({ relation: CLUSTER_SOURCE_RULES, from: cluster, to: r })));
  const asDestination = (await listAllTargets(ctx, CLUSTER_DESTINATION_RULES, cluster)).map((i) => i.to);
  for (const rule of asDestination) await deleteItem(ctx, SYNC_DESTINATION_KIND, rule, cluster);
  await ctx.ports.relations.removeMany(asDestination.map((r) => ({ relation: RULE_DESTINATIONS, from: r, to: cluster })));
  await ctx.ports.relations.removeMany(asDestination.map((r) => ({ relation: CLUSTER_DESTINATION_RULES, from: cluster, to: r })));
  // Opted-out entries are keyed by rule (any rule may list the cluster there): a re-sync of every rule drops them.
  await queueResyncAll(ctx);
}
