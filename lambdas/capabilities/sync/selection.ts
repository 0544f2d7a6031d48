import { clusterFeatures, matchesAnyFeature, type FeatureBearingCluster } from '../../../shared/cluster-features.js';
import { matchesSelector, type Labels } from '../../../shared/labels.js';
import { SYNC_DISABLED_LABEL } from '../../../shared/protocol/sync.js';
import type { SyncRuleSpec } from '../../../shared/resources/sync-rule.js';

/**
 * Pure: which clusters a SyncRule reads from and writes to.
 * - Sources: clusters that match every source field given (label selector, membership of one of
 *   the cluster sets, one of the features).
 * - Destinations: the placement's decisions when the rule names a placement; otherwise every
 *   member of the sources' cluster sets, or every cluster when the sources name no set.
 * - Clusters labelled `sync.tether.dev/disabled=<rule>` or `=all` are taken out of the
 *   destinations and reported as opted out. A source stays a destination (it receives the other
 *   sources' objects); it never receives its own (the desired state skips them).
 */

/** What the selection reads of one cluster. */
export interface ClusterView extends FeatureBearingCluster {
  name: string;
  labels: Labels;
  /** The cluster sets it belongs to now. */
  sets: readonly string[];
}

/** The outcome of a selection, every list in name order. */
export interface Selection {
  sources: string[];
  destinations: string[];
  optedOut: string[];
}

/** Does a cluster carry the opt-out label for `rule`? */
export function optedOut(labels: Labels | undefined, rule: string): boolean {
  const v = labels?.[SYNC_DISABLED_LABEL];
  return v === rule || v === 'all';
}

/** Is `c` a source of a rule with these sources? */
export function isSource(spec: SyncRuleSpec['sources'], c: ClusterView): boolean {
  if (spec.clusterSelector && !matchesSelector(spec.clusterSelector, c.labels)) return false;
  if (spec.clusterSets?.length && !spec.clusterSets.some((s) => c.sets.includes(s))) return false;
  if (spec.clusterFeatureMatch?.length && !matchesAnyFeature(clusterFeatures(c), spec.clusterFeatureMatch)) return false;
  return true;
}

/**
 * Sources and destinations of one rule. `decisions` are the chosen clusters of its placement
 * (undefined when it names none).
 */
export function selectClusters(
  rule: string,
  spec: SyncRuleSpec,
  clusters: readonly ClusterView[],
  decisions?: ReadonlySet<string>,
): Selection {
  const byName = [...clusters].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const sources = byName.filter((c) => isSource(spec.sources, c)).map((c) => c.name);
  const sets = spec.sources.clusterSets ?? [];
  const candidates = spec.placementRef
    ? byName.filter((c) => decisions?.has(c.name))
    : sets.length
      ? byName.filter((c) => sets.some((s) => c.sets.includes(s)))
      : byName;
  const destinations: string[] = [];
  const out: string[] = [];
  for (const c of candidates) (optedOut(c.labels, rule) ? out : destinations).push(c.name);
  return { sources, destinations, optedOut: out };
}
