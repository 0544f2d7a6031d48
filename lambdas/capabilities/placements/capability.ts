import { placementKind } from '../../../shared/resources/placement.js';
import { defineCapability } from '../capability.js';
import { placementAdminRoutes } from './admin-routes.js';
import { clusterChangedStep } from './cluster-changed.js';
import { clusterSetChangedStep, clusterSetReaction, placementBehaviour } from './placement-behaviour.js';
import { placementDeletedStep, recomputePlacementStep } from './recompute.js';

/**
 * Placements: choose clusters by sets, predicates, taints and tolerations, in decision groups; publish
 * `placement.decisions-changed` when the choice changes; serve the decisions read-only to admins.
 */
export const placementsCapability = defineCapability({
  name: 'placements',
  kinds: [placementKind],
  behaviours: [placementBehaviour, clusterSetReaction],
  steps: [recomputePlacementStep, placementDeletedStep, clusterChangedStep, clusterSetChangedStep],
  adminRoutes: placementAdminRoutes,
});
