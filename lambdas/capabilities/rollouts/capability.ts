import { redactFleetDeployment } from '../../../shared/redaction.js';
import { fleetDeploymentKind } from '../../../shared/resources/fleetdeployment.js';
import { placementDecisionsChanged } from '../placements/events.js';
import { workStatusChanged } from '../works/events.js';
import { defineCapability } from '../capability.js';
import { rolloutAdminRoutes } from './admin-routes.js';
import { fleetDeploymentBehaviour } from './fleetdeployment-behaviour.js';
import {
  cleanupStep,
  placementChangedStep,
  progressStep,
  removeClustersStep,
  rolloutBatchStep,
  rolloutsTask,
  workStatusChangedStep,
} from './rollout-steps.js';

/**
 * FleetDeployments: a Work template rolled out progressively to a placement's clusters, with
 * windows, soak times and rollout control. Follows placements and works through their events.
 */
export const rolloutsCapability = defineCapability({
  name: 'rollouts',
  kinds: [fleetDeploymentKind],
  behaviours: [fleetDeploymentBehaviour],
  steps: [progressStep, rolloutBatchStep, removeClustersStep, cleanupStep],
  periodicTasks: [rolloutsTask],
  subscriptions: [
    { event: placementDecisionsChanged, step: placementChangedStep },
    { event: workStatusChanged, step: workStatusChangedStep },
  ],
  adminRoutes: rolloutAdminRoutes,
  // Templates carry manifests, Secrets among them: lists hide their values (shared/redaction.ts).
  redactions: [{ kind: fleetDeploymentKind.kind, redact: redactFleetDeployment }],
});
