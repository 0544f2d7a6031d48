import { z } from 'zod';

/**
 * The `inventory` part of an agent's desired state: the ClusterProfiles (SIG-Multicluster Cluster
 * Inventory API, KEP-4322) this cluster keeps because a ClusterInventoryExport names it as a
 * receiver. The hub sends facts; the agent renders the objects (shared/cluster-profile.ts), so
 * that it can turn `ControlPlaneHealthy` Unknown by itself when the facts go stale.
 *
 * Staleness: each profile carries `validForSeconds`, the member's lease expiry window (how long the
 * hub itself would wait before calling a silent member Unknown). The hub bumps a receiver's
 * revision whenever a member's availability or metadata changes, so every successful poll (a 200,
 * or a 304 that says "what you hold is current") confirms the facts afresh. When no poll succeeded
 * for `validForSeconds` (the receiver lost the hub), the agent reports the member Unknown: never a
 * stale True.
 */

/** Field manager of the agent's server-side apply of ClusterProfiles. */
export const INVENTORY_FIELD_MANAGER = 'tether-inventory';
/** The name every Tether ClusterProfile gives as `spec.clusterManager.name` and in its label. */
export const CLUSTER_MANAGER_NAME = 'tether';
/** Label of every ClusterProfile a cluster manager owns (KEP-4322), valued {@link CLUSTER_MANAGER_NAME}. */
export const CLUSTER_MANAGER_LABEL = 'x-k8s.io/cluster-manager';
/** Label on a Tether ClusterProfile: the ClusterInventoryExport that put it there. */
export const INVENTORY_EXPORT_LABEL = 'inventory.tether.dev/export';

/** A member's availability as Tether sees it: the ControlPlaneHealthy condition's status. */
export const MemberHealthStates = ['True', 'False', 'Unknown'] as const;

/** One member cluster as one receiver publishes it. */
export const DesiredClusterProfileSchema = z.object({
  /** The ClusterInventoryExport this profile comes from (several exports may publish into one namespace). */
  export: z.string(),
  namespace: z.string(),
  /** The member cluster's name on the hub: also the ClusterProfile's name. */
  cluster: z.string(),
  displayName: z.string(),
  /** `status.version.kubernetes`; absent until the member's agent reported it. */
  kubernetesVersion: z.string().optional(),
  /** `status.properties`, sorted by name, each value 1 to 1024 characters. */
  properties: z.array(z.object({ name: z.string(), value: z.string() })),
  health: z.object({
    status: z.enum(MemberHealthStates),
    reason: z.string(),
    message: z.string(),
    /** When the member's availability last changed on the hub (RFC 3339). */
    since: z.string().optional(),
  }),
  /** How long, after the last successful poll, `health: True` may be shown (see the module note). */
  validForSeconds: z.number().int().positive(),
});
export type DesiredClusterProfile = z.infer<typeof DesiredClusterProfileSchema>;

/** The inventory part: profiles sorted by namespace, then cluster. */
export const DesiredInventorySchema = z.object({
  profiles: z.array(DesiredClusterProfileSchema).max(5000),
});
export type DesiredInventory = z.infer<typeof DesiredInventorySchema>;
