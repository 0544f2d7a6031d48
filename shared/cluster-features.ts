import type { Labels } from './labels.js';
import { FEATURE_CLAIM_PREFIX, FEATURE_LABEL_PREFIX } from './protocol/sync.js';
import type { ClusterFeatureMatch } from './resources/sync-rule.js';

/**
 * The features a cluster declares, read from what the hub knows about it: claims the agent reports
 * for each ClusterFeature object it finds (`feature.tether.dev/<featureName>`, value = JSON of the
 * ClusterFeature's labels) and hub labels `feature.tether.dev/<featureName>=true` (a feature with
 * no labels). Shared by the hub (SyncRule sources) and whoever else selects on features.
 */

/** The parts of a Cluster record this module reads. */
export interface FeatureBearingCluster {
  metadata: { labels?: Labels };
  status?: { claims?: readonly { name: string; value: string }[] };
}

/** Feature name → its labels (empty when declared by a hub label or with no labels). */
export type ClusterFeatures = ReadonlyMap<string, Labels>;

/** Parses a feature claim's value; anything but a JSON object of strings gives no labels (the feature still counts). */
function claimLabels(value: string): Labels {
  if (value.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(value);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
    return out;
  } catch {
    return {};
  }
}

/**
 * The features a cluster declares. A claim wins over a hub label of the same feature (the claim
 * carries the ClusterFeature's labels); a hub label counts only with the value `true`.
 * @example clusterFeatures({ metadata: { labels: { 'feature.tether.dev/istio': 'true' } } }).has('istio') === true
 */
export function clusterFeatures(cluster: FeatureBearingCluster): ClusterFeatures {
  const out = new Map<string, Labels>();
  for (const [key, value] of Object.entries(cluster.metadata.labels ?? {})) {
    if (!key.startsWith(FEATURE_LABEL_PREFIX) || value !== 'true') continue;
    const name = key.slice(FEATURE_LABEL_PREFIX.length);
    if (name) out.set(name, {});
  }
  for (const claim of cluster.status?.claims ?? []) {
    if (!claim.name.startsWith(FEATURE_CLAIM_PREFIX)) continue;
    const name = claim.name.slice(FEATURE_CLAIM_PREFIX.length);
    if (name) out.set(name, claimLabels(claim.value));
  }
  return out;
}

/** Does a cluster's feature set satisfy one feature match (the feature declared, every matchLabels equal)? */
export function matchesFeature(features: ClusterFeatures, match: ClusterFeatureMatch): boolean {
  const labels = features.get(match.featureName);
  if (!labels) return false;
  return Object.entries(match.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

/**
 * Any-of: does the cluster declare one of these features? An empty list is no constraint (true).
 * @example matchesAnyFeature(new Map([['istio', {}]]), [{ featureName: 'istio' }]) === true
 */
export function matchesAnyFeature(features: ClusterFeatures, matches: readonly ClusterFeatureMatch[]): boolean {
  return matches.length === 0 || matches.some((m) => matchesFeature(features, m));
}
