import { clusterKind } from '../../../shared/resources/cluster.js';
import { defineCapability } from '../capability.js';
import { clusterAdminRoutes } from './admin-routes.js';
import { clusterAgentRoutes } from './agent-routes.js';
import { leaseExpiredStep, leaseExpiryTask, leaseRenewedStep } from './availability.js';
import { clusterBehaviour, finalizeClusterStep } from './cluster-behaviour.js';
import { detachCompleteStep } from './detach.js';
import { upgradeDeadlineStep } from './upgrade.js';

/**
 * Cluster lifecycle: registration, import and join, acceptance, leases and availability, credential
 * rotation, upgrades, detach and removal; the agent API (join, desired state, status, rotate).
 */
export const clustersCapability = defineCapability({
  name: 'clusters',
  kinds: [clusterKind],
  behaviours: [clusterBehaviour],
  steps: [finalizeClusterStep, detachCompleteStep, leaseRenewedStep, leaseExpiredStep, upgradeDeadlineStep],
  periodicTasks: [leaseExpiryTask],
  adminRoutes: clusterAdminRoutes,
  agentRoutes: clusterAgentRoutes,
  servesDesiredState: true,
});
