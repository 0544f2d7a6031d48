import { CLUSTER_MANAGER_LABEL, CLUSTER_MANAGER_NAME, INVENTORY_EXPORT_LABEL, type DesiredClusterProfile } from './protocol/inventory.js';

/**
 * ClusterProfile objects (SIG-Multicluster Cluster Inventory API, `multicluster.x-k8s.io/v1alpha1`,
 * KEP-4322) as a receiving cluster's agent writes them, and the CRD it installs where none exists.
 * Pure: the agent passes the time, so staleness is tested without a clock.
 */

export const CLUSTER_PROFILE_API_VERSION = 'multicluster.x-k8s.io/v1alpha1';
export const CLUSTER_PROFILE_KIND = 'ClusterProfile';
export const CLUSTER_PROFILE_CRD = 'clusterprofiles.multicluster.x-k8s.io';
/** The KEP-4322 condition the profile's health is reported in. */
export const CONTROL_PLANE_HEALTHY = 'ControlPlaneHealthy';
/** Reason of the condition once the agent stopped hearing from the hub for the validity window. */
export const STALE_REASON = 'InventoryStale';

/** A ClusterProfile object, as applied (spec and metadata) and as its status subresource holds it. */
export interface ClusterProfileObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { displayName: string; clusterManager: { name: string } };
  status: {
    version: { kubernetes?: string };
    properties: { name: string; value: string }[];
    conditions: {
      type: string;
      status: string;
      reason: string;
      message: string;
      lastTransitionTime: string;
      observedGeneration?: number;
    }[];
  };
}

/**
 * The health a profile shows at `now`: the hub's, unless the agent has not confirmed it for the
 * validity window (`confirmedAt` is the last successful poll), in which case a True or False
 * turns Unknown: the receiver cannot vouch for a member it has not heard about.
 */
export function profileHealth(
  profile: DesiredClusterProfile,
  confirmedAt: number,
  now: number,
): DesiredClusterProfile['health'] & { stale: boolean } {
  const stale = now - confirmedAt > profile.validForSeconds * 1000;
  if (!stale || profile.health.status === 'Unknown') return { ...profile.health, stale: false };
  return {
    status: 'Unknown',
    reason: STALE_REASON,
    message: `no word from the Tether hub for more than ${profile.validForSeconds}s; the last known state was ${profile.health.status} (${profile.health.reason})`,
    stale: true,
  };
}

/**
 * The ClusterProfile of one member. `previousStatus` is the live object's status, so an unchanged condition keeps
 * its lastTransitionTime (metav1.Condition semantics) and the apply is a no-op.
 */
export function renderClusterProfile(
  profile: DesiredClusterProfile,
  confirmedAt: number,
  now: number,
  previousStatus?: unknown,
): ClusterProfileObject {
  const health = profileHealth(profile, confirmedAt, now);
  const old = ((previousStatus as ClusterProfileObject['status'] | undefined)?.conditions ?? []).find(
    (c) => c.type === CONTROL_PLANE_HEALTHY,
  );
  const since = health.stale ? new Date(now).toISOString() : (health.since ?? new Date(now).toISOString());
  const lastTransitionTime = old && old.status === health.status ? old.lastTransitionTime : since.replace(/\.\d{3}Z$/, 'Z');
  return {
    apiVersion: CLUSTER_PROFILE_API_VERSION,
    kind: CLUSTER_PROFILE_KIND,
    metadata: {
      name: profile.cluster,
      namespace: profile.namespace,
      labels: { [CLUSTER_MANAGER_LABEL]: CLUSTER_MANAGER_NAME, [INVENTORY_EXPORT_LABEL]: profile.export },
    },
    spec: { displayName: profile.displayName, clusterManager: { name: CLUSTER_MANAGER_NAME } },
    status: {
      version: profile.kubernetesVersion ? { kubernetes: profile.kubernetesVersion } : {},
      properties: profile.properties,
      conditions: [
        { type: CONTROL_PLANE_HEALTHY, status: health.status, reason: health.reason, message: health.message, lastTransitionTime },
      ],
    },
  };
}

/**
 * The ClusterProfile CRD, for clusters that have none (an existing one, from the Cluster
 * Inventory API project or another cluster manager, is never replaced). Namespaced, with the
 * status subresource, and the fields of v1alpha1 that Tether writes.
 */
export function clusterProfileCrd(): {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
} {
  const str = { type: 'string' };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: CLUSTER_PROFILE_CRD, labels: { 'app.kubernetes.io/managed-by': 'tether' } },
    spec: {
      group: 'multicluster.x-k8s.io',
      scope: 'Namespaced',
      names: { kind: CLUSTER_PROFILE_KIND, listKind: 'ClusterProfileList', plural: 'clusterprofiles', singular: 'clusterprofile' },
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: 'ClusterProfile represents a single cluster in a multi-cluster deployment (KEP-4322).',
              required: ['spec'],
              properties: {
                spec: {
                  type: 'object',
                  required: ['clusterManager'],
                  properties: {
                    displayName: str,
                    clusterManager: { type: 'object', required: ['name'], properties: { name: str } },
                  },
                },
                status: {
                  type: 'object',
                  properties: {
                    conditions: {
                      type: 'array',
                      items: {
                        type: 'object',
                        required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
                        properties: {
                          type: str,
                          status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
                          reason: str,
                          message: str,
                          lastTransitionTime: { type: 'string', format: 'date-time' },
                          observedGeneration: { type: 'integer', format: 'int64' },
                        },
                      },
                      'x-kubernetes-list-map-keys': ['type'],
                      'x-kubernetes-list-type': 'map',
                    },
                    version: { type: 'object', properties: { kubernetes: str } },
                    properties: {
                      type: 'array',
                      items: {
                        type: 'object',
                        required: ['name', 'value'],
                        properties: {
                          name: { type: 'string', minLength: 1, maxLength: 253 },
                          value: { type: 'string', minLength: 1, maxLength: 1024 },
                          lastObservedTime: { type: 'string', format: 'date-time' },
                        },
                      },
                    },
                    credentialProviders: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}
