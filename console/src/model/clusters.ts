import type { Condition, Resource } from '../../../shared/resources/meta.js';

/**
 * What the Clusters view shows about a cluster, computed from the Cluster object alone: pure
 * functions, so the browser tests and the unit tests see the same answers.
 */

/** A Cluster as the admin API returns it (spec and status loosely typed: the console only reads). */
export type ClusterObject = Resource<ClusterSpecView, ClusterStatusView>;

/** The parts of a Cluster's spec the console reads. */
export interface ClusterSpecView {
  hubAcceptsClient?: boolean;
  leaseDurationSeconds?: number;
  taints?: { key: string; value?: string; effect: string; timeAdded?: string }[];
  agent?: { version?: string };
}

/** The parts of a Cluster's status the console reads. */
export interface ClusterStatusView {
  conditions?: Condition[];
  claims?: { name: string; value: string }[];
  clusterSets?: string[];
  version?: { kubernetes?: string };
  lastSeen?: string;
  agentVersion?: string;
  phase?: string;
  agentHealth?: { healthy: boolean; message?: string };
}

/** The availability column's states, in the order a sort by availability uses. */
export const AvailabilityStates = ['Unavailable', 'Unknown', 'Pending', 'Denied', 'Detaching', 'Waiting', 'Available'] as const;
export type AvailabilityState = (typeof AvailabilityStates)[number];

/** Short words of each state, for the summary's counts ("3 unknown"). */
export const AVAILABILITY_LABELS: Record<AvailabilityState, string> = {
  Unavailable: 'Unavailable',
  Unknown: 'Unknown',
  Pending: 'Pending',
  Denied: 'Denied',
  Detaching: 'Detaching',
  Waiting: 'Waiting for agent',
  Available: 'Available',
};

/** Availability as shown: a state, a short label, and a longer explanation. */
export interface Availability {
  state: AvailabilityState;
  label: string;
  detail: string;
}

/** A condition by type. */
export function condition(c: ClusterObject, type: string): Condition | undefined {
  return c.status?.conditions?.find((x) => x.type === type);
}

/** Is this cluster waiting at the acceptance gate? */
export function isPending(c: ClusterObject): boolean {
  return !c.spec?.hubAcceptsClient && c.status?.phase !== 'Denied' && c.status?.phase !== 'Detaching';
}

/**
 * "3 minutes ago", "just now", "2 hours ago", "5 days ago"; undefined for a missing or bad time.
 * Whole units, rounded down, as people say them.
 */
export function timeAgo(timestamp: string | undefined, now: number): string | undefined {
  if (!timestamp) return undefined;
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return undefined;
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 45) return 'just now';
  const units: [number, string][] = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of units) {
    if (s >= size) {
      const n = Math.floor(s / size);
      return `${n} ${name}${n === 1 ? '' : 's'} ago`;
    }
  }
  return '1 minute ago';
}

/**
 * The availability column: Available; Unknown with "last seen N minutes ago" when the lease is
 * stale; Unavailable when the agent reports itself unhealthy; or where the cluster is in its
 * lifecycle (pending acceptance, denied, detaching, waiting for the agent to join).
 */
export function availabilityOf(c: ClusterObject, now: number): Availability {
  const phase = c.status?.phase;
  if (phase === 'Detaching') return { state: 'Detaching', label: 'Detaching', detail: 'the agent is removing what the hub applied' };
  if (phase === 'Denied') return { state: 'Denied', label: 'Denied', detail: 'the hub refuses this cluster’s agent' };
  if (isPending(c)) return { state: 'Pending', label: 'Pending acceptance', detail: 'accept it to let its agent join' };
  const available = condition(c, 'Available');
  const seen = timeAgo(c.status?.lastSeen, now);
  if (available?.status === 'True')
    return { state: 'Available', label: 'Available', detail: seen ? `last seen ${seen}` : available.message };
  if (available?.status === 'False') {
    return {
      state: 'Unavailable',
      label: 'Unavailable',
      detail: available.message || c.status?.agentHealth?.message || 'the agent reports the cluster unhealthy',
    };
  }
  const joined = condition(c, 'Joined')?.status === 'True';
  if (available?.status === 'Unknown' && (seen || joined)) {
    return { state: 'Unknown', label: 'Unknown', detail: seen ? `last seen ${seen}` : 'no heartbeat yet' };
  }
  return { state: 'Waiting', label: 'Waiting for agent', detail: 'accepted; the agent has not joined yet' };
}

/** Kubernetes version from status, else from the kubeversion claim. */
export function kubernetesVersion(c: ClusterObject): string | undefined {
  return c.status?.version?.kubernetes ?? c.status?.claims?.find((x) => x.name === 'kubeversion.tether.dev')?.value;
}

/** Registry metadata the agent measures, as claims (`WellKnownClaims` in shared/protocol/v1.ts). */
export interface RegistryFacts {
  provider?: string;
  distribution?: string;
  region?: string;
  zones: string[];
  kubeletVersions: string[];
}

const claimOf = (c: ClusterObject, name: string): string | undefined => c.status?.claims?.find((x) => x.name === name)?.value || undefined;
const listClaim = (c: ClusterObject, name: string): string[] => claimOf(c, name)?.split(',').filter(Boolean) ?? [];

/** Provider, distribution, region, zones and kubelet versions from the cluster's claims; absent when not reported. */
export function registryFacts(c: ClusterObject): RegistryFacts {
  return {
    provider: claimOf(c, 'provider.tether.dev'),
    distribution: claimOf(c, 'distribution.tether.dev'),
    region: claimOf(c, 'region.tether.dev'),
    zones: listClaim(c, 'zones.tether.dev'),
    kubeletVersions: listClaim(c, 'kubeletversions.tether.dev'),
  };
}

/** `key=value` strings of the labels, sorted by key. */
export function labelPairs(labels: Record<string, string> | undefined): string[] {
  return Object.entries(labels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
}

/** Columns the Clusters table can sort by. */
export const ClusterSortKeys = [
  'name',
  'labels',
  'availability',
  'kubernetes',
  'agent',
  'sets',
  'provider',
  'distribution',
  'region',
] as const;
export type ClusterSortKey = (typeof ClusterSortKeys)[number];

/** A sort order: a column and a direction. */
export interface SortOrder<K extends string> {
  key: K;
  descending: boolean;
}

/** Problems first: the table opens sorted by availability (Unavailable, Unknown, Pending, ...), then by name. */
export const DEFAULT_CLUSTER_SORT: SortOrder<ClusterSortKey> = { key: 'availability', descending: false };

/** Reads a sort from its URL form (`name`, `-kubernetes` for descending); anything else is `fallback`. */
export function parseSort<K extends string>(text: string | undefined, keys: readonly K[], fallback: SortOrder<K>): SortOrder<K> {
  if (!text) return fallback;
  const descending = text.startsWith('-');
  const key = (descending ? text.slice(1) : text) as K;
  return keys.includes(key) ? { key, descending } : fallback;
}

/** The URL form of a sort; undefined for `fallback`, so default views keep short URLs. */
export function formatSort<K extends string>(order: SortOrder<K>, fallback: SortOrder<K>): string | undefined {
  if (order.key === fallback.key && order.descending === fallback.descending) return undefined;
  return `${order.descending ? '-' : ''}${order.key}`;
}

/** Is `text` one of the availability states (the summary's links filter by them)? */
export function isAvailabilityState(text: string | undefined): text is AvailabilityState {
  return text !== undefined && (AvailabilityStates as readonly string[]).includes(text);
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

function sortValue(c: ClusterObject, key: ClusterSortKey, now: number): string | number {
  switch (key) {
    case 'name':
      return c.metadata.name;
    case 'labels':
      return labelPairs(c.metadata.labels).join(',');
    case 'availability':
      return AvailabilityStates.indexOf(availabilityOf(c, now).state);
    case 'kubernetes':
      return kubernetesVersion(c) ?? '';
    case 'agent':
      return c.status?.agentVersion ?? '';
    case 'sets':
      return (c.status?.clusterSets ?? []).join(',');
    case 'provider':
    case 'distribution':
    case 'region':
      return registryFacts(c)[key] ?? '';
  }
}

/** Sorts clusters by a column (numeric-aware, so 1.9 sorts before 1.10); ties break by name. */
export function sortClusters(list: ClusterObject[], order: SortOrder<ClusterSortKey>, now: number): ClusterObject[] {
  const dir = order.descending ? -1 : 1;
  return [...list].sort((a, b) => {
    const va = sortValue(a, order.key, now);
    const vb = sortValue(b, order.key, now);
    const primary = typeof va === 'number' && typeof vb === 'number' ? va - vb : collator.compare(String(va), String(vb));
    return primary !== 0 ? primary * dir : collator.compare(a.metadata.name, b.metadata.name);
  });
}

/**
 * Free-text filter: every word must appear (case-insensitively) in the cluster's name, labels,
 * availability, versions, sets, provider, distribution or region.
 */
export function matchesText(c: ClusterObject, text: string, now: number): boolean {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const a = availabilityOf(c, now);
  const haystack = [
    c.metadata.name,
    ...labelPairs(c.metadata.labels),
    a.label,
    kubernetesVersion(c) ?? '',
    c.status?.agentVersion ?? '',
    ...(c.status?.clusterSets ?? []),
    ...[registryFacts(c)].flatMap((f) => [f.provider ?? '', f.distribution ?? '', f.region ?? '']),
  ]
    .join(' ')
    .toLowerCase();
  return words.every((w) => haystack.includes(w));
}
