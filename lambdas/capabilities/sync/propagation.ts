import { z } from 'zod';
import { pMap } from '../../../shared/concurrency.js';
import { clusterKind } from '../../../shared/resources/cluster.js';
import { clusterSetKind } from '../../../shared/resources/clusterset.js';
import type { ResourceOf } from '../../../shared/resources/define-kind.js';
import { syncRuleKind } from '../../../shared/resources/sync-rule.js';
import type { HubContext } from '../../core/context.js';
import { defineStep, stepMessage } from '../../core/steps.js';
import { listResources, readResource } from '../../core/typed-resources.js';
import type { StepMessage } from '../../ports/queue.js';
import { computeMemberships } from '../clustersets/membership.js';
import { allDecisions } from '../placements/decision-store.js';
import { bumpClusterRevision } from '../works/works.js';
import {
  CLUSTER_DESTINATION_RULES,
  CLUSTER_SOURCE_RULES,
  listAllTargets,
  RULE_DESTINATIONS,
  RULE_OPTED_OUT,
  RULE_SOURCES,
  ruleStamp,
} from './relations.js';
import { selectClusters, type ClusterView } from './selection.js';
import { removeSourceObjects } from './source-objects.js';
import { deleteItem, listItems, SYNC_DESTINATION_KIND, SYNC_SOURCE_KIND } from './store.js';

/**
 * Propagation: which clusters are a rule's sources and destinations. One idempotent step,
 * `sync.sync-rule {rule}`, re-reads the rule, the clusters, the cluster sets and the placement's
 * decisions and moves the relation items and the clusters' desired revisions to agree; every
 * trigger (rule writes, placement decisions, cluster labels, claims and cluster sets, a cluster's
 * removal) only queues it, so no request fans out across the fleet. A source that leaves takes its
 * stored objects with it (its copies go from the destinations as the source object would).
 */

export type SyncRuleResource = ResourceOf<typeof syncRuleKind>;

/** Concurrent revision bumps of one step (bounded, so a fleet-wide rule does not flood the table). */
export const BUMP_CONCURRENCY = 16;

async function everything<T>(page: (cursor?: string) => Promise<{ items: T[]; cursor?: string }>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const p = await page(cursor);
    out.push(...p.items);
    cursor = p.cursor;
  } while (cursor);
  return out;
}

/** Every cluster not being deleted, as the selection reads it (labels, claims, current sets). */
export async function clusterViews(ctx: HubContext): Promise<ClusterView[]> {
  const [clusters, sets] = await Promise.all([
    everything((cursor) => listResources(ctx, clusterKind, { limit: 500, cursor, consistent: true })),
    everything((cursor) => listResources(ctx, clusterSetKind, { limit: 500, cursor, consistent: true })),
  ]);
  return clusters
    .filter((c) => !c.metadata.deletionTimestamp)
    .map((c) => ({
      name: c.metadata.name,
      labels: c.metadata.labels ?? {},
      metadata: c.metadata,
      status: c.status,
      // Computed from the labels now rather than read from status.clusterSets, which the membership
      // step updates later: a relabel then moves sources and destinations in one run.
      sets: computeMemberships(c.metadata.labels, sets),
    }));
}

/** What one run changed. */
export interface RuleSyncOutcome {
  sources: { added: string[]; removed: string[] };
  destinations: { added: string[]; removed: string[] };
  optedOut: string[];
}

/** A relation move in two phases: reverse items now, forward items after the bumps. */
interface Move {
  added: string[];
  removed: string[];
  /** Clusters to bump (told of a change). */
  bump: string[];
  /** Writes the forward items: the record that the clusters were told. */
  finish(): Promise<void>;
}

/** Moves the reverse items of a relation (forward with stamp, reverse plain) to `wanted`; the forward items follow in `finish`. */
async function moveRelation(
  ctx: HubContext,
  rule: string,
  forward: string,
  reverse: string,
  wanted: readonly string[],
  stamp: string,
): Promise<Move> {
  const current = new Map((await listAllTargets(ctx, forward, rule)).map((i) => [i.to, i.data?.s]));
  const wantedSet = new Set(wanted);
  const put = wanted.filter((c) => current.get(c) !== stamp);
  const removed = [...current.keys()].filter((c) => !wantedSet.has(c));
  const { relations } = ctx.ports;
  await relations.putMany(put.map((c) => ({ relation: reverse, from: c, to: rule })));
  await relations.removeMany(removed.map((c) => ({ relation: reverse, from: c, to: rule })));
  return {
    added: put.filter((c) => !current.has(c)),
    removed,
    bump: [...put, ...removed],
    async finish() {
      await relations.putMany(put.map((c) => ({ relation: forward, from: rule, to: c, data: { s: stamp } })));
      await relations.removeMany(removed.map((c) => ({ relation: forward, from: rule, to: c })));
    },
  };
}

/** Makes one rule's relations, stored objects and clusters' revisions agree with the rule as stored now. */
export async function syncRule(ctx: HubContext, name: string): Promise<RuleSyncOutcome> {
  const rule = await readResource(ctx, syncRuleKind, { name }, { consistent: true });
  const live = rule && !rule.metadata.deletionTimestamp ? rule : undefined;
  let selection = { sources: [] as string[], destinations: [] as string[], optedOut: [] as string[] };
  if (live) {
    const views = await clusterViews(ctx);
    const decisions = live.spec.placementRef ? new Set((await allDecisions(ctx, live.spec.placementRef.name)).keys()) : undefined;
    selection = selectClusters(name, live.spec, views, decisions);
  }
  const stamp = live ? ruleStamp(live) : '';

  // A source that leaves takes its objects: every destination must hear of it.
  const wantedSources = new Set(selection.sources);
  const leaving = (await listAllTargets(ctx, RULE_SOURCES, name)).map((i) => i.to).filter((c) => !wantedSources.has(c));
  // Every destination hears of a leaving source, whether or not this run deleted its objects: a run
  // that died after deleting them and before telling finds them gone when it runs again (the
  // source's relation, removed last, still names it as leaving).
  for (const source of leaving) await removeSourceObjects(ctx, name, source);
  const objectsGone = leaving.length > 0;
  const sources = await moveRelation(ctx, name, RULE_SOURCES, CLUSTER_SOURCE_RULES, selection.sources, stamp);
  const destinations = await moveRelation(ctx, name, RULE_DESTINATIONS, CLUSTER_DESTINATION_RULES, selection.destinations, stamp);
  // One bump per cluster, whatever it was told (a source is often a destination too).
  const bump = new Set([...sources.bump, ...destinations.bump, ...(objectsGone ? selection.destinations : [])]);
  await pMap([...bump], (c) => bumpClusterRevision(ctx, c), { concurrency: BUMP_CONCURRENCY });
  await sources.finish();
  await destinations.finish();
  for (const source of leaving) await deleteItem(ctx, SYNC_SOURCE_KIND, name, source);
  for (const c of destinations.removed) await deleteItem(ctx, SYNC_DESTINATION_KIND, name, c);

  const optedOutNow = new Set(selection.optedOut);
  const optedOutBefore = (await listAllTargets(ctx, RULE_OPTED_OUT, name)).map((i) => i.to);
  await ctx.ports.relations.putMany(selection.optedOut.map((c) => ({ relation: RULE_OPTED_OUT, from: name, to: c })));
  await ctx.ports.relations.removeMany(
    optedOutBefore.filter((c) => !optedOutNow.has(c)).map((c) => ({ relation: RULE_OPTED_OUT, from: name, to: c })),
  );

  if (!live) {
    // Leftovers of a deleted rule: status items of clusters that were never told (a run cut short).
    for (const item of await listItems(ctx, SYNC_SOURCE_KIND, name, true))
      await deleteItem(ctx, SYNC_SOURCE_KIND, name, item.metadata.name);
    for (const item of await listItems(ctx, SYNC_DESTINATION_KIND, name, true))
      await deleteItem(ctx, SYNC_DESTINATION_KIND, name, item.metadata.name);
  }
  const outcome = {
    sources: { added: sources.added, removed: sources.removed },
    destinations: { added: destinations.added, removed: destinations.removed },
    optedOut: selection.optedOut,
  };
  if (bump.size) {
    ctx.ports.log.debug('sync rule propagated', {
      rule: name,
      sourcesAdded: sources.added.length,
      sourcesRemoved: sources.removed.length,
      destinationsAdded: destinations.added.length,
      destinationsRemoved: destinations.removed.length,
      bumped: bump.size,
    });
  }
  return outcome;
}

/** Step: make one rule's sources and destinations agree with it (idempotent; every trigger queues it). */
export const syncRuleStep = defineStep({
  type: 'sync.sync-rule',
  payload: z.object({ rule: z.string().min(1) }),
  async run({ rule }, ctx) {
    await syncRule(ctx, rule);
  },
});

/** The sync messages of some rules, once each. */
export function syncRuleMessages(rules: Iterable<string>): StepMessage[] {
  return [...new Set(rules)].map((rule) => stepMessage(syncRuleStep, { rule }));
}

/** Queues the sync of some rules (nothing when there are none). */
export async function queueRuleSync(ctx: HubContext, rules: Iterable<string>): Promise<void> {
  const messages = syncRuleMessages(rules);
  for (let i = 0; i < messages.length; i += 100) await ctx.ports.queue.send(messages.slice(i, i + 100));
}

/** Names of every SyncRule (rules are few: one Query per 500). */
export async function allRuleNames(ctx: HubContext): Promise<string[]> {
  return (await everything((cursor) => listResources(ctx, syncRuleKind, { limit: 500, cursor }))).map((r) => r.metadata.name);
}

/**
 * Queues the sync of every rule: a cluster or cluster set change may move any rule's sources or
 * destinations (selectors, sets, features, the opt-out label). One Query for the names (rules are
 * few); a rule whose selection did not change writes nothing when its step runs.
 */
export async function queueResyncAll(ctx: HubContext): Promise<void> {
  await queueRuleSync(ctx, await allRuleNames(ctx));
}
