import { z } from 'zod';
import { matchesSelector } from '../../../shared/labels.js';
import { CLUSTERSET_LABEL, type ClusterSetSpec } from '../../../shared/resources/clusterset.js';
import type { Resource } from '../../../shared/resources/meta.js';
import type { HubContext } from '../../core/context.js';
import { retryOnConflict } from '../../core/retry.js';
import { defineStep, stepMessage } from '../../core/steps.js';
import { clusterKind } from '../../../shared/resources/cluster.js';
import { clusterSetKind } from '../../../shared/resources/clusterset.js';
import { asKind, listResources, readResource } from '../../core/typed-resources.js';
import type { ResourceOf } from '../../../shared/resources/define-kind.js';

type ClusterRecord = ResourceOf<typeof clusterKind>;

/** Relation that indexes ClusterSet -> member clusters (for counts and placement). */
export const CLUSTERSET_MEMBERS = 'clusterset-members';

/**
 * Pure: the names of the sets whose selector matches these cluster labels, sorted.
 * Sets being deleted match nothing.
 */
export function computeMemberships(labels: Record<string, string> | undefined, sets: Resource<ClusterSetSpec>[]): string[] {
  const out: string[] = [];
  for (const set of sets) {
    if (set.metadata.deletionTimestamp) continue;
    const sel = set.spec.clusterSelector;
    const member =
      sel.selectorType === 'ExclusiveClusterSetLabel'
        ? labels?.[CLUSTERSET_LABEL] === set.metadata.name
        : matchesSelector(sel.labelSelector, labels);
    if (member) out.push(set.metadata.name);
  }
  return out.sort();
}

async function allClusterSets(ctx: HubContext): Promise<Resource<ClusterSetSpec>[]> {
  const out: Resource<ClusterSetSpec>[] = [];
  let cursor: string | undefined;
  do {
    const page = await listResources(ctx, clusterSetKind, { limit: 500, cursor, consistent: true });
    out.push(...(page.items as Resource<ClusterSetSpec>[]));
    cursor = page.cursor;
  } while (cursor);
  return out;
}

async function writeClusterSets(ctx: HubContext, cluster: ClusterRecord, sets: string[]): Promise<ClusterRecord> {
  const next = { ...cluster, status: { ...(cluster.status ?? { conditions: [] }), clusterSets: sets } };
  return asKind(clusterKind, await ctx.ports.resources.replace(next, cluster.metadata.resourceVersion));
}

/**
 * Recomputes one cluster's set membership from current state and makes the relation index agree.
 *
 * Crash safety without transactions: the cluster's `status.clusterSets` is always a superset of its
 * relation items. Before adding relations it records old ∪ new; it then adds and removes relations
 * and finally records exactly the new sets. A retry after a crash at any point converges.
 */
export async function recomputeClusterMembership(ctx: HubContext, clusterName: string, sets?: Resource<ClusterSetSpec>[]): Promise<void> {
  const allSets = sets ?? (await allClusterSets(ctx));
  await retryOnConflict(ctx.ports.clock, async () => {
    let cluster = await readResource(ctx, clusterKind, { name: clusterName }, { consistent: true });
    if (!cluster) return;
    const old = cluster.status?.clusterSets ?? [];
    const next = cluster.metadata.deletionTimestamp ? [] : computeMemberships(cluster.metadata.labels, allSets);
    const added = next.filter((s) => !old.includes(s));
    if (added.length) cluster = await writeClusterSets(ctx, cluster, [...new Set([...old, ...next])].sort());
    const recorded = cluster.status?.clusterSets ?? [];
    await Promise.all(next.map((s) => ctx.ports.relations.put(CLUSTERSET_MEMBERS, s, clusterName)));
    await Promise.all(recorded.filter((s) => !next.includes(s)).map((s) => ctx.ports.relations.remove(CLUSTERSET_MEMBERS, s, clusterName)));
    if (recorded.join(',') !== next.join(',')) await writeClusterSets(ctx, cluster, next);
  });
}

/** Step: recompute membership of a batch of clusters (one fan-out message). */
export const recomputeClustersStep = defineStep({
  type: 'membership.recompute-clusters',
  payload: z.object({ clusters: z.array(z.string()).min(1).max(1000) }),
  async run({ clusters }, ctx) {
    const sets = await allClusterSets(ctx);
    for (const name of clusters) await recomputeClusterMembership(ctx, name, sets);
  },
});

/**
 * Step: fan out membership recomputation over the fleet, one page of clusters per message, chaining
 * itself with the page cursor. `source: "members"` walks only the current members of `set` (used
 * when a set is deleted); `source: "all"` walks every cluster (a new or changed selector).
 */
export const fanOutMembershipStep = defineStep({
  type: 'membership.fan-out',
  payload: z.object({ set: z.string(), source: z.enum(['all', 'members']), cursor: z.string().optional() }),
  async run({ set, source, cursor }, ctx) {
    const batch = ctx.config.fanOutBatchSize;
    let names: string[];
    let next: string | undefined;
    if (source === 'members') {
      const page = await ctx.ports.relations.list(CLUSTERSET_MEMBERS, set, { limit: batch, cursor });
      names = page.items.map((i) => i.to);
      next = page.cursor;
    } else {
      const page = await listResources(ctx, clusterKind, { limit: batch, cursor });
      names = page.items.map((c) => c.metadata.name);
      next = page.cursor;
    }
    const messages = [];
    if (names.length) messages.push(stepMessage(recomputeClustersStep, { clusters: names }));
    if (next) messages.push(stepMessage(fanOutMembershipStep, { set, source, cursor: next }));
    if (messages.length) await ctx.ports.queue.send(messages);
  },
});
