import type { DesiredClusterProfile } from '../../../shared/protocol/inventory.js';
import { WellKnownClaims } from '../../../shared/protocol/v1.js';
import { clusterKind } from '../../../shared/resources/cluster.js';
import type { ResourceOf } from '../../../shared/resources/define-kind.js';
import { inventoryExportKind } from '../../../shared/resources/inventory-export.js';
import { matchesSelector } from '../../../shared/labels.js';
import { LEASE_GRACE_FACTOR } from '../clusters/cluster-lease.js';

/**
 * What a ClusterProfile says about a member, from its Cluster record alone. Pure, so the rendering
 * rules (properties, health, validity) are tested without a hub.
 */

export type ClusterRecord = ResourceOf<typeof clusterKind>;
export type InventoryExport = ResourceOf<typeof inventoryExportKind>;

/** Annotation on a Cluster: the ClusterProfile's `spec.displayName` (default: the cluster name). */
export const DISPLAY_NAME_ANNOTATION = 'tether.dev/display-name';

/** KEP-2149's well-known property of the cluster's ClusterSet (published when the member is in exactly one). */
export const CLUSTERSET_PROPERTY = 'clusterset.k8s.io';
/** Every ClusterSet of the member, comma-separated (Tether's clusters may be in several). */
export const CLUSTERSETS_PROPERTY = 'clustersets.tether.dev';

/** Claims copied into `status.properties` under their own names. */
const PROPERTY_CLAIMS = [
  WellKnownClaims.id,
  WellKnownClaims.provider,
  WellKnownClaims.distribution,
  WellKnownClaims.region,
  WellKnownClaims.zones,
] as const;

/** A property value must be 1 to 1024 characters (the CRD's validation). */
const MAX_PROPERTY_VALUE = 1024;

/** Phases of a cluster the inventory publishes: accepted (its agent may join) or joined; not pending, denied or leaving. */
const PUBLISHED_PHASES: readonly (string | undefined)[] = ['Accepted', 'Joined'];

/** Is this cluster published by the export? Accepted or joined (Unknown until its agent reports), not while leaving. */
export function isMember(exp: InventoryExport, cluster: ClusterRecord): boolean {
  if (cluster.metadata.deletionTimestamp) return false;
  if (!PUBLISHED_PHASES.includes(cluster.status?.phase)) return false;
  const members = exp.spec.members ?? {};
  if (members.clusterSets?.length && !members.clusterSets.some((s) => cluster.status?.clusterSets?.includes(s))) return false;
  return matchesSelector(members.labelSelector, cluster.metadata.labels);
}

/** The ControlPlaneHealthy condition from Tether's availability (the Available condition). */
export function memberHealth(cluster: ClusterRecord): DesiredClusterProfile['health'] {
  const available = cluster.status?.conditions?.find((c) => c.type === 'Available');
  const since = available?.lastTransitionTime;
  const base = since ? { since } : {};
  if (available?.status === 'True') {
    return {
      status: 'True',
      reason: 'ClusterAvailable',
      message: 'the cluster’s Tether agent renews its lease and reports it healthy',
      ...base,
    };
  }
  if (available?.status === 'False') {
    return {
      status: 'False',
      reason: 'ClusterUnavailable',
      message: available.message || 'the cluster’s Tether agent reports it unhealthy',
      ...base,
    };
  }
  return {
    status: 'Unknown',
    reason: 'ClusterSilent',
    message: available?.message || 'no heartbeat from the cluster’s Tether agent',
    ...base,
  };
}

/** `status.properties`: set(s), cluster ID and registry metadata the agent measured, sorted by name. */
export function memberProperties(cluster: ClusterRecord): { name: string; value: string }[] {
  const claims = new Map((cluster.status?.claims ?? []).map((c) => [c.name, c.value]));
  const sets = cluster.status?.clusterSets ?? [];
  const out: { name: string; value: string }[] = [];
  if (sets.length === 1) out.push({ name: CLUSTERSET_PROPERTY, value: sets[0] });
  if (sets.length) out.push({ name: CLUSTERSETS_PROPERTY, value: sets.join(',') });
  for (const name of PROPERTY_CLAIMS) {
    const value = claims.get(name);
    if (value) out.push({ name, value });
  }
  return out.filter((p) => p.value.length <= MAX_PROPERTY_VALUE).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** One member's profile as the export publishes it on every receiver. */
export function toDesiredProfile(exp: InventoryExport, cluster: ClusterRecord): DesiredClusterProfile {
  const kubernetesVersion =
    cluster.status?.version?.kubernetes ?? cluster.status?.claims?.find((c) => c.name === WellKnownClaims.kubeVersion)?.value;
  return {
    export: exp.metadata.name,
    namespace: exp.spec.namespace,
    cluster: cluster.metadata.name,
    displayName: cluster.metadata.annotations?.[DISPLAY_NAME_ANNOTATION] || cluster.metadata.name,
    ...(kubernetesVersion ? { kubernetesVersion } : {}),
    properties: memberProperties(cluster),
    health: memberHealth(cluster),
    // The member's lease expiry window: how long the hub itself waits before calling it Unknown.
    validForSeconds: LEASE_GRACE_FACTOR * cluster.spec.leaseDurationSeconds,
  };
}

/**
 * Profiles of several exports, one per (namespace, member): when two exports publish the same
 * member into one namespace, the export first by name wins (deterministic, never flapping).
 */
export function mergeProfiles(profiles: DesiredClusterProfile[]): DesiredClusterProfile[] {
  const byKey = new Map<string, DesiredClusterProfile>();
  for (const p of [...profiles].sort((a, b) => (a.export < b.export ? -1 : a.export > b.export ? 1 : 0))) {
    const key = `${p.namespace}/${p.cluster}`;
    if (!byKey.has(key)) byKey.set(key, p);
  }
  return [...byKey.values()].sort((a, b) =>
    a.namespace !== b.namespace ? (a.namespace < b.namespace ? -1 : 1) : a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0,
  );
}
