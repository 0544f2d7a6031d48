import { canonicalJson } from '../../../shared/hash.js';
import { clusterKind } from '../../../shared/resources/cluster.js';
import { inventoryExportKind } from '../../../shared/resources/inventory-export.js';
import type { HubContext } from '../../core/context.js';
import { behaviourFor } from '../../core/registry.js';
import { stepMessage } from '../../core/steps.js';
import { pMap } from '../../../shared/concurrency.js';
import { bumpClusterRevision } from '../works/works.js';
import { memberChangedStep, refreshExportStep } from './refresh.js';

/**
 * Hooks around ClusterInventoryExport writes, and the inventory's reaction to user writes of a
 * Cluster (labels choose members; an annotation names the profile). They only queue steps, except
 * on delete, where the export's recorded receivers are told at once (the step would find nothing).
 * A placementRef or set naming something that does not exist (yet) is accepted, as for
 * FleetDeployment: the export then has no receivers until it does.
 */

/** How long a label change waits before the inventory looks again (set membership is recomputed in a step of its own). */
const MEMBERSHIP_DELAY_SECONDS = 2;

async function queueRefresh(ctx: HubContext, name: string): Promise<void> {
  await ctx.ports.queue.send([stepMessage(refreshExportStep, { export: name, all: true })]);
}

export const inventoryExportBehaviour = behaviourFor(inventoryExportKind, {
  initialStatus: () => ({ conditions: [], receivers: [], receiverCount: 0 }),
  afterCreate: (res, ctx) => queueRefresh(ctx, res.metadata.name),
  async afterUpdate(prev, next, ctx) {
    if (canonicalJson(prev.spec) !== canonicalJson(next.spec)) await queueRefresh(ctx, next.metadata.name);
  },
  async afterDelete(res, ctx) {
    await pMap(res.status?.receivers ?? [], (c) => bumpClusterRevision(ctx, c), { concurrency: 16 });
  },
});

/** A Cluster's labels or annotations changed: it may join or leave an export's members, or change its display name. */
export const clusterMemberHooks = behaviourFor(clusterKind, {
  async afterUpdate(prev, next, ctx) {
    const same =
      canonicalJson(prev.metadata.labels ?? {}) === canonicalJson(next.metadata.labels ?? {}) &&
      canonicalJson(prev.metadata.annotations ?? {}) === canonicalJson(next.metadata.annotations ?? {});
    // Set membership follows labels in a step of its own: look again once it has run.
    if (!same) await ctx.ports.queue.send([stepMessage(memberChangedStep, { cluster: next.metadata.name }, MEMBERSHIP_DELAY_SECONDS)]);
  },
});
