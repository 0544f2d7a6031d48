import { matchesSelector } from '../../../shared/labels.js';
import type { ClusterSpec, ClusterStatus, Taint } from '../../../shared/resources/cluster.js';
import type { ClusterSetSpec } from '../../../shared/resources/clusterset.js';
import type { Resource } from '../../../shared/resources/meta.js';
import type { ClaimSelector, ClusterSelector, PlacementSpec, Toleration } from '../../../shared/resources/placement.js';
import { SCOPE_ANNOTATION } from '../../../shared/tenancy.js';
import { computeMemberships } from '../clustersets/membership.js';

/**
 * Pure: whether one cluster may be chosen by a placement, with OCM's semantics. A cluster is
 * eligible when it is in one of the placement's sets (any cluster when it names none), matches
 * any one predicate (every selector of that predicate), and each NoSelect taint it carries is
 * tolerated (NoSelectIfNew: tolerated, or the cluster was already selected). An untolerated
 * PreferNoSelect taint only lowers its priority.
 */

/** What placement needs to know about a cluster. */
export interface ClusterFacts {
  name: string;
  labels: Record<string, string>;
  claims: Record<string, string>;
  taints: Taint[];
  /** The ClusterSets it belongs to now. */
  clusterSets: string[];
  /** Being deleted or detached: never chosen. */
  leaving: boolean;
}

/**
 * The facts of a Cluster record. Set membership is computed from the sets' selectors and the
 * cluster's labels, so a decision never waits for the membership index to catch up.
 */
export function clusterFacts(record: Resource<ClusterSpec, ClusterStatus>, sets: Resource<ClusterSetSpec>[]): ClusterFacts {
  const claims: Record<string, string> = {};
  for (const c of record.status?.claims ?? []) claims[c.name] = c.value;
  return {
    name: record.metadata.name,
    labels: record.metadata.labels ?? {},
    claims,
    taints: record.spec.taints ?? [],
    clusterSets: computeMemberships(record.metadata.labels, sets),
    leaving: record.metadata.deletionTimestamp !== undefined || record.status?.phase === 'Detaching',
  };
}

/** Does the claim selector match these claims? Empty matches everything (as label selectors). */
export function matchesClaims(selector: ClaimSelector | undefined, claims: Record<string, string>): boolean {
  for (const req of selector?.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(claims, req.key);
    const values = req.values ?? [];
    const ok =
      req.operator === 'Exists'
        ? has
        : req.operator === 'DoesNotExist'
          ? !has
          : req.operator === 'In'
            ? has && values.includes(claims[req.key])
            : !has || !values.includes(claims[req.key]);
    if (!ok) return false;
  }
  return true;
}

/** Does the cluster match both the label and the claim selector? */
export function matchesClusterSelector(selector: ClusterSelector | undefined, facts: ClusterFacts): boolean {
  return matchesSelector(selector?.labelSelector, facts.labels) && matchesClaims(selector?.claimSelector, facts.claims);
}

/** Predicates are ORed (as OCM): no predicates, or any one that matches. */
export function matchesPredicates(spec: PlacementSpec, facts: ClusterFacts): boolean {
  return spec.predicates.length === 0 || spec.predicates.some((p) => matchesClusterSelector(p.requiredClusterSelector, facts));
}

/**
 * A placement's spec with the confinement the hub recorded for it: a Placement written by a
 * caller scoped to cluster sets carries them in the {@link SCOPE_ANNOTATION} annotation (set by the
 * hub on write, see docs/tenancy.md), and every computation, full or incremental, chooses only
 * clusters in those sets, whatever the spec or a cluster's labels say later.
 */
export type EffectivePlacementSpec = PlacementSpec & { confinedTo?: readonly string[] };

/** The spec a placement's decisions are computed from: its own, confined to its recorded scope. */
export function effectiveSpec(placement: {
  spec: PlacementSpec;
  metadata?: { annotations?: Record<string, string> };
}): EffectivePlacementSpec {
  const raw = placement.metadata?.annotations?.[SCOPE_ANNOTATION];
  if (raw === undefined) return placement.spec;
  return {
    ...placement.spec,
    confinedTo: raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  };
}

/** Is the cluster in the placement's sets (any cluster when it names none), and within its confinement? */
export function inClusterSets(spec: EffectivePlacementSpec, facts: ClusterFacts): boolean {
  if (spec.confinedTo && !spec.confinedTo.some((s) => facts.clusterSets.includes(s))) return false;
  return spec.clusterSets.length === 0 || spec.clusterSets.some((s) => facts.clusterSets.includes(s));
}

/**
 * Does the toleration match the taint, and until when (epoch ms)? `until` is set when
 * tolerationSeconds bounds it and the taint records when it was added; a taint without
 * `timeAdded` has no clock to count from, so the toleration holds.
 */
export function toleration(t: Toleration, taint: Taint, now: number): { matches: boolean; until?: number } {
  if (t.effect && t.effect !== taint.effect) return { matches: false };
  if (t.key) {
    if (t.key !== taint.key) return { matches: false };
  } else if (t.operator !== 'Exists') {
    return { matches: false };
  }
  if (t.operator === 'Equal' && (t.value ?? '') !== (taint.value ?? '')) return { matches: false };
  if (t.tolerationSeconds === undefined || !taint.timeAdded) return { matches: true };
  const added = Date.parse(taint.timeAdded);
  if (Number.isNaN(added)) return { matches: true };
  const until = added + t.tolerationSeconds * 1000;
  return now < until ? { matches: true, until } : { matches: false };
}

/** When a tolerated taint stops being tolerated, or undefined when never; null when not tolerated now. */
function toleratedUntil(tolerations: Toleration[], taint: Taint, now: number): number | undefined | null {
  let best: number | undefined | null = null;
  for (const t of tolerations) {
    const r = toleration(t, taint, now);
    if (!r.matches) continue;
    if (r.until === undefined) return undefined;
    best = best === null || best === undefined ? r.until : Math.max(best, r.until);
  }
  return best;
}

/** What a placement may do with one cluster. */
export interface Eligibility {
  eligible: boolean;
  /** An untolerated PreferNoSelect taint: chosen only after every other eligible cluster. */
  preferLow: boolean;
  /** Epoch ms when a toleration that makes it eligible runs out (the decision must be re-checked then). */
  recheckAt?: number;
  /** Why it is not eligible, in words. */
  reason?: string;
}

/**
 * Evaluates one cluster for a placement. `wasSelected` matters for NoSelectIfNew, which keeps a
 * cluster already chosen but admits no new one.
 */
export function evaluateCluster(spec: EffectivePlacementSpec, facts: ClusterFacts, wasSelected: boolean, now: number): Eligibility {
  if (facts.leaving) return { eligible: false, preferLow: false, reason: 'the cluster is being removed' };
  if (!inClusterSets(spec, facts))
    return {
      eligible: false,
      preferLow: false,
      reason: `not in cluster sets ${[...(spec.clusterSets.length ? spec.clusterSets : []), ...(spec.confinedTo ?? [])].join(', ')}`,
    };
  if (!matchesPredicates(spec, facts)) return { eligible: false, preferLow: false, reason: 'matches no predicate' };
  let preferLow = false;
  let recheckAt: number | undefined;
  for (const taint of facts.taints) {
    const until = toleratedUntil(spec.tolerations, taint, now);
    if (taint.effect === 'PreferNoSelect') {
      if (until === null) preferLow = true;
      continue;
    }
    if (until === null) {
      if (taint.effect === 'NoSelectIfNew' && wasSelected) continue;
      return { eligible: false, preferLow: false, reason: `taint ${taint.key} (${taint.effect}) is not tolerated` };
    }
    if (until !== undefined) recheckAt = recheckAt === undefined ? until : Math.min(recheckAt, until);
  }
  return { eligible: true, preferLow, ...(recheckAt !== undefined ? { recheckAt } : {}) };
}
