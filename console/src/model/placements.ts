import type { Condition, Resource } from '../../../shared/resources/meta.js';

/**
 * How the console reads Placements and ClusterSets (shared/resources/placement.ts, clusterset.ts),
 * loosely typed like the other views: a hub one version ahead must still render.
 */

/** A label selector in its object form. */
export interface LabelSelectorView {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface ClusterSelectorView {
  labelSelector?: LabelSelectorView;
  claimSelector?: { matchExpressions?: { key: string; operator: string; values?: string[] }[] };
}

export type PlacementObject = Resource<
  {
    clusterSets?: string[];
    numberOfClusters?: number;
    predicates?: { requiredClusterSelector: ClusterSelectorView }[];
    tolerations?: { key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number }[];
    decisionStrategy?: {
      groupStrategy?: {
        decisionGroups?: { groupName: string; groupClusterSelector: ClusterSelectorView }[];
        clustersPerDecisionGroup?: number | string;
      };
    };
  },
  {
    conditions?: Condition[];
    numberOfSelectedClusters?: number;
    decisionGroups?: { decisionGroupIndex: number; decisionGroupName: string; clusterCount: number }[];
    lastRecomputeTime?: string;
  }
>;

export type ClusterSetObject = Resource<
  { clusterSelector?: { selectorType?: string; labelSelector?: LabelSelectorView } },
  { conditions?: Condition[]; memberCount?: number }
>;

/** One chosen cluster, as GET /v1/placements/{name}/decisions lists it. */
export interface DecisionView {
  cluster: string;
  group: number;
  groupName: string;
}

function requirementText(r: { key: string; operator: string; values?: string[] }): string {
  switch (r.operator) {
    case 'In':
      return `${r.key} in (${(r.values ?? []).join(',')})`;
    case 'NotIn':
      return `${r.key} notin (${(r.values ?? []).join(',')})`;
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
    default:
      return `${r.key} ${r.operator} ${(r.values ?? []).join(',')}`;
  }
}

/** A label selector in the string syntax of `-l` (`tier=store,region in (eu,us)`); `<all>` when empty. */
export function selectorText(s: LabelSelectorView | undefined): string {
  const parts = [...Object.entries(s?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`), ...(s?.matchExpressions ?? []).map(requirementText)];
  return parts.length ? parts.join(',') : '<all>';
}

/** A cluster selector (labels and claims) in words. */
export function clusterSelectorText(s: ClusterSelectorView | undefined): string {
  const labels = selectorText(s?.labelSelector);
  const claims = s?.claimSelector?.matchExpressions?.length
    ? `claims ${s.claimSelector.matchExpressions.map(requirementText).join(',')}`
    : '';
  if (labels === '<all>' && claims) return claims;
  return claims ? `${labels}; ${claims}` : labels;
}

/** A group's name as shown: named groups by name, chunk groups by their index (as in OCM). */
export function groupLabel(index: number, name: string): string {
  return name || `group ${index} (chunk)`;
}

/** What a ClusterSet selects, in words. */
export function clusterSetSelectorText(set: ClusterSetObject): string {
  const sel = set.spec?.clusterSelector;
  if (!sel || (sel.selectorType ?? 'ExclusiveClusterSetLabel') === 'ExclusiveClusterSetLabel')
    return `label tether.dev/clusterset=${set.metadata.name}`;
  return selectorText(sel.labelSelector);
}
