import { resolveGroupSize, type DecisionGroupStatus, type PlacementSpec } from '../../../shared/resources/placement.js';
import { effectiveSpec, evaluateCluster, matchesClusterSelector, type ClusterFacts, type EffectivePlacementSpec } from './eligibility.js';

/**
 * Pure: a placement's decisions. {@link computeDecisions} chooses from every candidate at once (a
 * placement was created or changed); {@link decideIncremental} places one changed cluster against
 * the counts already recorded, so that a cluster change costs in proportion to that cluster only.
 */

/** A cluster's decision: the group it is in (rollout order) and the group's name (`''` for a chunk). */
export interface Decision {
  cluster: string;
  group: number;
  groupName: string;
}

/** A recorded decision (what the relation item holds). */
export interface PreviousDecision {
  group: number;
  groupName: string;
}

/** The outcome of a full computation. */
export interface PlacementDecisions {
  /** Chosen clusters, in name order. */
  decisions: Decision[];
  /** Named groups in spec order (also when empty), then the chunks that hold clusters. */
  groups: DecisionGroupStatus[];
  numberOfSelectedClusters: number;
  /** Size of one chunk of the remaining clusters, when clustersPerDecisionGroup is set. */
  chunkSize?: number;
  /** Chosen clusters whose tolerations run out: epoch ms at which to look at them again. */
  recheckAt: Record<string, number>;
}

function namedGroups(spec: PlacementSpec) {
  return spec.decisionStrategy?.groupStrategy?.decisionGroups ?? [];
}

/** Index of the first named group whose selector matches, or -1. */
export function namedGroupOf(spec: PlacementSpec, facts: ClusterFacts): number {
  return namedGroups(spec).findIndex((g) => matchesClusterSelector(g.groupClusterSelector, facts));
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Chooses clusters and groups them.
 *
 * - Eligibility per cluster: see {@link evaluateCluster}.
 * - `numberOfClusters` caps the count. Priority: clusters without an untolerated PreferNoSelect
 *   taint first; then clusters already selected (stability: a recompute does not reshuffle a fleet
 *   mid-rollout); then name order.
 * - Groups: a chosen cluster goes to the first named group whose selector it matches; the rest are
 *   split into chunks of `clustersPerDecisionGroup` (a number, or a percentage of all chosen
 *   clusters rounded up), all in one group when it is unset. With `keepChunks`, a cluster stays in
 *   its previous chunk while that chunk has room (the strategy did not change), new ones fill the
 *   chunks in order.
 */
export function computeDecisions(
  placement: { spec: PlacementSpec; metadata?: { annotations?: Record<string, string> } },
  candidates: readonly ClusterFacts[],
  previous: ReadonlyMap<string, PreviousDecision>,
  opts: { now: number; keepChunks?: boolean },
): PlacementDecisions {
  const spec = effectiveSpec(placement);
  const seen = new Set<string>();
  const eligible: { facts: ClusterFacts; preferLow: boolean; was: boolean; recheckAt?: number }[] = [];
  for (const facts of candidates) {
    if (seen.has(facts.name)) continue;
    seen.add(facts.name);
    const was = previous.has(facts.name);
    const e = evaluateCluster(spec, facts, was, opts.now);
    if (e.eligible) eligible.push({ facts, preferLow: e.preferLow, was, recheckAt: e.recheckAt });
  }
  eligible.sort((a, b) => Number(a.preferLow) - Number(b.preferLow) || Number(b.was) - Number(a.was) || byName(a.facts, b.facts));
  const chosen = (spec.numberOfClusters === undefined ? eligible : eligible.slice(0, spec.numberOfClusters)).sort((a, b) =>
    byName(a.facts, b.facts),
  );

  const named = namedGroups(spec);
  const total = chosen.length;
  const chunkSize = resolveGroupSize(spec.decisionStrategy?.groupStrategy?.clustersPerDecisionGroup, total);
  const groupOf = new Map<string, number>();
  const namedCounts = named.map(() => 0);
  const rest: ClusterFacts[] = [];
  for (const c of chosen) {
    const g = namedGroupOf(spec, c.facts);
    if (g >= 0) {
      groupOf.set(c.facts.name, g);
      namedCounts[g]++;
    } else {
      rest.push(c.facts);
    }
  }
  const chunks = assignChunks(rest, named.length, chunkSize, opts.keepChunks ? previous : new Map());
  const chunkCounts: number[] = [];
  for (const [name, k] of chunks) {
    groupOf.set(name, named.length + k);
    chunkCounts[k] = (chunkCounts[k] ?? 0) + 1;
  }

  const recheckAt: Record<string, number> = {};
  const decisions: Decision[] = chosen.map((c) => {
    if (c.recheckAt !== undefined) recheckAt[c.facts.name] = c.recheckAt;
    const group = groupOf.get(c.facts.name) as number;
    return { cluster: c.facts.name, group, groupName: group < named.length ? named[group].groupName : '' };
  });
  const groups: DecisionGroupStatus[] = [
    ...named.map((g, i) => ({ decisionGroupIndex: i, decisionGroupName: g.groupName, clusterCount: namedCounts[i] })),
    ...chunkCounts.map((n, k) => ({ decisionGroupIndex: named.length + k, decisionGroupName: '', clusterCount: n })),
  ];
  return { decisions, groups, numberOfSelectedClusters: total, ...(chunkSize !== undefined ? { chunkSize } : {}), recheckAt };
}

/**
 * Splits the clusters that match no named group into chunks of `size` (one chunk when undefined),
 * returning cluster -> chunk number (0-based, dense). Previous chunk members stay while their chunk
 * has room; everyone else fills chunks in order.
 */
function assignChunks(
  rest: ClusterFacts[],
  namedCount: number,
  size: number | undefined,
  previous: ReadonlyMap<string, PreviousDecision>,
): Map<string, number> {
  const out = new Map<string, number>();
  if (size === undefined) {
    for (const f of rest) out.set(f.name, 0);
    return out;
  }
  const counts = new Map<number, number>();
  const place = (name: string, k: number) => {
    out.set(name, k);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  };
  const newcomers: string[] = [];
  for (const f of rest) {
    const prev = previous.get(f.name);
    const k = prev && prev.groupName === '' ? prev.group - namedCount : -1;
    if (k >= 0 && (counts.get(k) ?? 0) < size) place(f.name, k);
    else newcomers.push(f.name);
  }
  let k = 0;
  for (const name of newcomers) {
    while ((counts.get(k) ?? 0) >= size) k++;
    place(name, k);
  }
  // Renumber densely in chunk order: a chunk emptied by departures leaves no hole in the groups.
  const order = [...counts.keys()].sort((a, b) => a - b);
  const dense = new Map(order.map((old, i) => [old, i]));
  for (const [name, old] of out) out.set(name, dense.get(old) as number);
  return out;
}

/** The counts a placement recorded, as {@link decideIncremental} needs them. */
export interface RecordedCounts {
  numberOfSelectedClusters: number;
  decisionGroups: DecisionGroupStatus[];
  chunkSize?: number;
}

/** Where one changed cluster goes. */
export interface IncrementalOutcome {
  /** The cluster's decision; undefined when it is not (or no longer) chosen. */
  decision?: PreviousDecision;
  /**
   * The placement must be recomputed in full: a chosen cluster left while `numberOfClusters` was
   * reached, so another eligible cluster may now take its place.
   */
  recompute: boolean;
  recheckAt?: number;
}

/**
 * Places one changed cluster, given its recorded decision and the placement's recorded counts.
 * A chosen cluster keeps its chunk (stability) and follows its labels between named groups; a
 * newly eligible one joins if the cap allows, in its named group or the last chunk with room (a new
 * chunk when full). Priority between clusters (PreferNoSelect) is applied by full recomputes only.
 */
export function decideIncremental(
  spec: EffectivePlacementSpec,
  facts: ClusterFacts,
  current: PreviousDecision | undefined,
  counts: RecordedCounts,
  now: number,
): IncrementalOutcome {
  const e = evaluateCluster(spec, facts, current !== undefined, now);
  const cap = spec.numberOfClusters;
  if (!e.eligible) {
    return { recompute: current !== undefined && cap !== undefined && counts.numberOfSelectedClusters >= cap };
  }
  if (!current && cap !== undefined && counts.numberOfSelectedClusters >= cap) return { recompute: false, recheckAt: e.recheckAt };
  const named = namedGroups(spec);
  const withRecheck = (decision: PreviousDecision): IncrementalOutcome => ({
    decision,
    recompute: false,
    ...(e.recheckAt !== undefined ? { recheckAt: e.recheckAt } : {}),
  });
  const g = namedGroupOf(spec, facts);
  if (g >= 0) return withRecheck({ group: g, groupName: named[g].groupName });
  if (current && current.group >= named.length && current.groupName === '') return withRecheck(current);
  const chunks = counts.decisionGroups.filter(
    (d) => d.decisionGroupIndex >= named.length && d.decisionGroupName === '' && d.clusterCount > 0,
  );
  if (!chunks.length) return withRecheck({ group: named.length, groupName: '' });
  const last = chunks.reduce((a, b) => (b.decisionGroupIndex > a.decisionGroupIndex ? b : a));
  const full = counts.chunkSize !== undefined && last.clusterCount >= counts.chunkSize;
  return withRecheck({ group: full ? last.decisionGroupIndex + 1 : last.decisionGroupIndex, groupName: '' });
}
