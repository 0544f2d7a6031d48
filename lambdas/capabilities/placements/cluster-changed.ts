import { z } from 'zod';
import { canonicalJson } from '../../../shared/hash.js';
import type { ClusterSpec, ClusterStatus } from '../../../shared/resources/cluster.js';
import type { ClusterSetSpec } from '../../../shared/resources/clusterset.js';
import type { Resource } from '../../../shared/resources/meta.js';
import { isoNow } from '../../ports/clock.js';
import type { HubContext } from '../../core/context.js';
import { retryOnConflict } from '../../core/retry.js';
import { defineStep } from '../../core/steps.js';
import { decisionsOfCluster, sameDecision, writeDecision } from './decision-store.js';
import { decideIncremental, type PreviousDecision } from './compute-decisions.js';
import { clusterFacts, effectiveSpec, type ClusterFacts } from './eligibility.js';
import { onDecisionsChanged } from './events.js';
import { countedGroup, emptyPlacementStatus, NONE, withCountChange } from './placement-status.js';
import { CLUSTER_CHANGED_STEP, clusterChangedMessages, listAll, recheckMessages, recomputeMessage } from './messages.js';
import type { PlacementResource } from './recompute.js';
import { clusterKind } from '../../../shared/resources/cluster.js';
import { placementKind } from '../../../shared/resources/placement.js';
import { readResource } from '../../core/typed-resources.js';

export { clusterChangedMessages, recheckMessages } from './messages.js';

/**
 * Incremental placement: one changed cluster is evaluated against every placement (placements are
 * few), and only its own decisions and the counts move. The cost follows the changed clusters, not
 * the fleet. The cluster lifecycle calls {@link notifyPlacements} wherever a cluster's labels,
 * claims, taints, phase or existence change.
 */

/** SQS delays are at most 15 minutes; a later re-check chains through several messages. */
/** A cluster that keeps changing while evaluated is left to the message of its latest change. */
const MAX_ROUNDS = 3;

/** What placement looks at on a cluster record; a change elsewhere (status of works, lastSeen) is not worth a step. */
function placementView(c: Resource | undefined): string {
  if (!c) return 'gone';
  const status = (c.status ?? {}) as ClusterStatus;
  return canonicalJson([
    c.metadata.uid,
    c.metadata.labels ?? {},
    (c.spec as ClusterSpec | undefined)?.taints ?? [],
    status.claims ?? [],
    status.phase ?? '',
    c.metadata.deletionTimestamp ?? '',
  ]);
}

/** True when the write from `before` to `after` changed what placements decide on. */
export function placementFactsChanged(before: Resource | undefined, after: Resource | undefined): boolean {
  return placementView(before) !== placementView(after);
}

/** Queues the re-evaluation of `cluster` by every placement. */
export async function notifyPlacements(ctx: HubContext, cluster: string): Promise<void> {
  await ctx.ports.queue.send(clusterChangedMessages([cluster]));
}

/** Queues the re-evaluation only when the write changed what placements look at (one call per hook). */
export async function notifyPlacementsOnChange(ctx: HubContext, before: Resource | undefined, after: Resource | undefined): Promise<void> {
  const name = after?.metadata.name ?? before?.metadata.name;
  if (name && placementFactsChanged(before, after)) await notifyPlacements(ctx, name);
}

function goneFacts(name: string): ClusterFacts {
  return { name, labels: {}, claims: {}, taints: [], clusterSets: [], leaving: true };
}

interface PlacementOutcome {
  changed: boolean;
  recompute: boolean;
  recheckAt?: number;
}

/**
 * Moves one cluster's decision in one placement: first the counts (a conditional write of the
 * Placement that records the change, so it is counted once however often this runs), then the
 * relation items. The relation is read after the Placement in every attempt: a full recomputation
 * writes relations before its counts, so what is read is never older than the counts it is paired
 * with (read before, a recomputation in between would be counted twice).
 */
async function applyToPlacement(ctx: HubContext, placement: string, facts: ClusterFacts): Promise<PlacementOutcome> {
  let wanted: PreviousDecision | undefined;
  let recorded: PreviousDecision | undefined;
  let outcome: PlacementOutcome = { changed: false, recompute: false };
  const live = await retryOnConflict(ctx.ports.clock, async () => {
    const p = await readResource(ctx, placementKind, { name: placement }, { consistent: true });
    if (!p || p.metadata.deletionTimestamp) return false;
    recorded = (await decisionsOfCluster(ctx, facts.name)).get(placement);
    const status = p.status ?? emptyPlacementStatus();
    const counted = countedGroup(status, facts.name, recorded);
    const current =
      counted === NONE
        ? undefined
        : {
            group: counted,
            groupName: status.decisionGroups.find((g) => g.decisionGroupIndex === counted)?.decisionGroupName ?? recorded?.groupName ?? '',
          };
    const counts = {
      numberOfSelectedClusters: status.numberOfSelectedClusters,
      decisionGroups: status.decisionGroups,
      chunkSize: status.bookkeeping?.chunkSize,
    };
    const out = decideIncremental(effectiveSpec(p), facts, current, counts, ctx.ports.clock.now());
    wanted = out.decision;
    outcome = { changed: false, recompute: out.recompute, ...(out.recheckAt !== undefined ? { recheckAt: out.recheckAt } : {}) };
    const to = wanted?.group ?? NONE;
    if (to === counted) return true;
    const next = withCountChange(
      status,
      p.spec,
      { cluster: facts.name, from: counted, to, toName: wanted?.groupName ?? '' },
      isoNow(ctx.ports.clock),
    );
    await ctx.ports.resources.replace({ ...p, status: next }, p.metadata.resourceVersion);
    outcome.changed = true;
    return true;
  });
  if (!live) return outcome;
  if (!sameDecision(recorded, wanted)) {
    await writeDecision(ctx, placement, facts.name, wanted);
    outcome.changed = true;
  }
  return outcome;
}

/**
 * Re-evaluates one cluster against every placement. The cluster is read again at the end: if it
 * changed meanwhile, an earlier evaluation may have written a stale outcome after a newer step
 * finished, so the round repeats.
 */
export async function evaluateChangedCluster(ctx: HubContext, cluster: string): Promise<void> {
  const changed = new Set<string>();
  const recompute = new Set<string>();
  const recheck: Record<string, number> = {};
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // Placements first: a hub without any pays one query per cluster change, nothing more.
    const placements = (await listAll<PlacementResource>(ctx, 'Placement')).filter((p) => !p.metadata.deletionTimestamp);
    if (!placements.length) return;
    const record = await readResource(ctx, clusterKind, { name: cluster }, { consistent: true });
    const sets = (await listAll<Resource<ClusterSetSpec>>(ctx, 'ClusterSet')).filter((s) => !s.metadata.deletionTimestamp);
    const facts = record ? clusterFacts(record, sets) : goneFacts(cluster);
    for (const p of placements) {
      const out = await applyToPlacement(ctx, p.metadata.name, facts);
      if (out.changed) changed.add(p.metadata.name);
      if (out.recompute) recompute.add(p.metadata.name);
      if (out.recheckAt !== undefined) recheck[cluster] = Math.min(recheck[cluster] ?? Infinity, out.recheckAt);
    }
    const again = await readResource(ctx, clusterKind, { name: cluster }, { consistent: true });
    if (placementView(again) === placementView(record)) break;
  }
  const messages = [
    ...[...recompute].map((placement) => recomputeMessage(placement, 'index')),
    ...recheckMessages(recheck, ctx.ports.clock.now()),
  ];
  if (messages.length) await ctx.ports.queue.send(messages);
  if (changed.size) await onDecisionsChanged(ctx, ...changed);
}

/** Step: a cluster's labels, claims, taints, phase or existence changed. */
export const clusterChangedStep = defineStep({
  type: CLUSTER_CHANGED_STEP,
  payload: z.object({ cluster: z.string() }),
  async run({ cluster }, ctx) {
    await evaluateChangedCluster(ctx, cluster);
  },
});
