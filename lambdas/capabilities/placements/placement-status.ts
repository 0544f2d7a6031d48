import { canonicalHash } from '../../../shared/hash.js';
import { setCondition, type Condition } from '../../../shared/resources/meta.js';
import {
  PlacementConditions,
  type DecisionGroupStatus,
  type PlacementBookkeeping,
  type PlacementSpec,
  type PlacementStatus,
} from '../../../shared/resources/placement.js';
import type { PlacementDecisions, PreviousDecision } from './compute-decisions.js';

/**
 * Pure: a Placement's status, its conditions, and the bookkeeping that keeps its counts exact
 * without transactions.
 *
 * An incremental change commits to the counts first (one conditional write of the Placement) and
 * records `(cluster, group, seq)` in `bookkeeping.recent`; the relation items follow. What the
 * counts reflect for a cluster is its latest `recent` entry, else its relation item. So a repeated,
 * concurrent or crashed-and-retried step never counts a change twice: it sees that the counts
 * already hold its outcome and only finishes the relation writes.
 */

/** Incremental changes remembered per placement (enough to cover any retry window by far). */
export const RECENT_CHANGES = 128;

/** `group` value of "not chosen" in bookkeeping. */
export const NONE = -1;

/** The hash that tells whether groups were computed with the current decision strategy. */
export function strategyHash(spec: PlacementSpec): string {
  return canonicalHash(spec.decisionStrategy ?? {});
}

/** The status of a placement not computed yet. */
export function emptyPlacementStatus(): PlacementStatus {
  return { conditions: [], numberOfSelectedClusters: 0, decisionGroups: [] };
}

function bookkeepingOf(status: PlacementStatus): PlacementBookkeeping {
  return status.bookkeeping ?? { changeSeq: 0, recent: [] };
}

/** The group the counts reflect for `cluster`: its latest recent change, else `recorded`. */
export function countedGroup(status: PlacementStatus, cluster: string, recorded: PreviousDecision | undefined): number {
  const recent = bookkeepingOf(status).recent;
  for (let i = recent.length - 1; i >= 0; i--) if (recent[i].cluster === cluster) return recent[i].group;
  return recorded?.group ?? NONE;
}

/** PlacementSatisfied and PlacementMisconfigured for these counts and missing sets. */
export function placementConditions(
  previous: Condition[],
  spec: PlacementSpec,
  selected: number,
  missingSets: string[],
  now: string,
): Condition[] {
  let out = previous;
  const cap = spec.numberOfClusters;
  const satisfied =
    cap !== undefined
      ? selected >= cap
        ? { status: 'True' as const, reason: 'AllDecisionsScheduled', message: `${selected} of ${cap} requested clusters selected` }
        : {
            status: 'False' as const,
            reason: 'NotAllDecisionsScheduled',
            message: `only ${selected} of ${cap} requested clusters could be selected`,
          }
      : selected > 0
        ? { status: 'True' as const, reason: 'AllDecisionsScheduled', message: `${selected} cluster${selected === 1 ? '' : 's'} selected` }
        : {
            status: 'False' as const,
            reason: 'NoManagedClusterMatched',
            message: 'no cluster matches the cluster sets, predicates and tolerations',
          };
  out = setCondition(out, { type: PlacementConditions.Satisfied, ...satisfied }, now);
  out = setCondition(
    out,
    missingSets.length
      ? {
          type: PlacementConditions.Misconfigured,
          status: 'True',
          reason: 'ClusterSetNotFound',
          message: `cluster set${missingSets.length > 1 ? 's' : ''} ${missingSets.join(', ')} do${missingSets.length > 1 ? '' : 'es'} not exist; create ${missingSets.length > 1 ? 'them' : 'it'} or remove ${missingSets.length > 1 ? 'them' : 'it'} from spec.clusterSets`,
        }
      : { type: PlacementConditions.Misconfigured, status: 'False', reason: 'Configured', message: 'every referenced cluster set exists' },
    now,
  );
  return out;
}

function adjustGroups(groups: DecisionGroupStatus[], index: number, name: string, delta: number): DecisionGroupStatus[] {
  const out = groups.map((g) => ({ ...g }));
  let g = out.find((x) => x.decisionGroupIndex === index);
  if (!g) {
    g = { decisionGroupIndex: index, decisionGroupName: name, clusterCount: 0 };
    out.push(g);
    out.sort((a, b) => a.decisionGroupIndex - b.decisionGroupIndex);
  }
  g.clusterCount = Math.max(0, g.clusterCount + delta);
  // An emptied chunk is dropped; named groups stay listed even when empty.
  return out.filter((x) => x.clusterCount > 0 || x.decisionGroupName !== '');
}

/**
 * The status after one cluster's counted group moves from `from` to `to` (either may be
 * {@link NONE}), recorded in the bookkeeping so that the change is counted once.
 */
export function withCountChange(
  status: PlacementStatus,
  spec: PlacementSpec,
  change: { cluster: string; from: number; to: number; toName: string },
  now: string,
): PlacementStatus {
  let groups = status.decisionGroups;
  let selected = status.numberOfSelectedClusters;
  if (change.from !== NONE) {
    const name = groups.find((g) => g.decisionGroupIndex === change.from)?.decisionGroupName ?? '';
    groups = adjustGroups(groups, change.from, name, -1);
    selected--;
  }
  if (change.to !== NONE) {
    groups = adjustGroups(groups, change.to, change.toName, +1);
    selected++;
  }
  const bk = bookkeepingOf(status);
  const seq = bk.changeSeq + 1;
  const recent = [...bk.recent, { cluster: change.cluster, group: change.to, seq }].slice(-RECENT_CHANGES);
  return {
    ...status,
    numberOfSelectedClusters: Math.max(0, selected),
    decisionGroups: groups,
    conditions: placementConditions(status.conditions, spec, Math.max(0, selected), bk.missingSets ?? [], now),
    bookkeeping: { ...bk, changeSeq: seq, recent },
  };
}

/**
 * The status after a full recomputation. Clusters with a recent incremental change may have a
 * relation write still in flight that the recomputation did not see (it read the relations before
 * that write landed): they are kept in the bookkeeping with the recomputation's outcome and
 * returned as `recheck`, so that looking at them again moves the counts from what this status says.
 */
export function statusFromDecisions(
  previous: PlacementStatus,
  spec: PlacementSpec,
  generation: number,
  result: PlacementDecisions,
  missingSets: string[],
  now: string,
): { status: PlacementStatus; recheck: string[] } {
  const bk = bookkeepingOf(previous);
  const decided = new Map(result.decisions.map((d) => [d.cluster, d.group]));
  const recheck = [...new Set(bk.recent.map((r) => r.cluster))];
  const seq = bk.changeSeq + 1;
  const status: PlacementStatus = {
    conditions: placementConditions(previous.conditions, spec, result.numberOfSelectedClusters, missingSets, now),
    numberOfSelectedClusters: result.numberOfSelectedClusters,
    decisionGroups: result.groups,
    observedGeneration: generation,
    lastRecomputeTime: now,
    bookkeeping: {
      changeSeq: seq,
      recent: recheck.map((cluster) => ({ cluster, group: decided.get(cluster) ?? NONE, seq })),
      strategyHash: strategyHash(spec),
      ...(missingSets.length ? { missingSets } : {}),
      ...(result.chunkSize !== undefined ? { chunkSize: result.chunkSize } : {}),
    },
  };
  return { status, recheck };
}

/** The status as the API shows it: without the bookkeeping. */
export function publicStatus(status: PlacementStatus | undefined): Omit<PlacementStatus, 'bookkeeping'> {
  const { bookkeeping: _b, ...rest } = status ?? emptyPlacementStatus();
  return rest;
}
