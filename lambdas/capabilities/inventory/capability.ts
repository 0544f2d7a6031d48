import { inventoryExportKind } from '../../../shared/resources/inventory-export.js';
import { stepMessage } from '../../core/steps.js';
import { defineCapability } from '../capability.js';
import { clusterAvailabilityChanged, clusterClaimsChanged } from '../clusters/events.js';
import { placementDecisionsChanged } from '../placements/events.js';
import { clusterMemberHooks, inventoryExportBehaviour } from './behaviours.js';
import { loadDesiredInventory } from './exports.js';
import { inventoryRefreshTask, memberChangedStep, placementChangedStep, refreshExportStep } from './refresh.js';

/**
 * Cluster inventory: publishes the hub's clusters as SIG-Multicluster ClusterProfiles
 * (`multicluster.x-k8s.io/v1alpha1`, KEP-4322) on receiving clusters, chosen by a
 * ClusterInventoryExport. The hub sends facts in the desired state's `inventory` part; the
 * receivers' agents write the objects. See docs/cluster-inventory.md.
 */
export const inventoryCapability = defineCapability({
  name: 'inventory',
  kinds: [inventoryExportKind],
  behaviours: [inventoryExportBehaviour, clusterMemberHooks],
  steps: [refreshExportStep, memberChangedStep, placementChangedStep],
  periodicTasks: [inventoryRefreshTask],
  subscriptions: [
    { event: clusterClaimsChanged, step: memberChangedStep },
    { event: clusterAvailabilityChanged, step: memberChangedStep },
    { event: placementDecisionsChanged, step: placementChangedStep },
  ],
  desiredState: { inventory: loadDesiredInventory },
  clusterCleanups: [
    {
      // A member removed for good: receivers drop its profile.
      name: 'inventory',
      run: (ctx, cluster) => ctx.ports.queue.send([stepMessage(memberChangedStep, { cluster })]),
    },
  ],
});
