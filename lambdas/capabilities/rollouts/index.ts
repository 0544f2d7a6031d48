// Registers the FleetDeployment behaviour, the rollout steps and the scheduler task.
import './fleetdeployment-behaviour.js';
import './rollout-steps.js';

export { progressMessage, runController } from './rollout-steps.js';
export { markWorkChanged } from './tracking.js';
export { useDecisionLister, type DecisionLister, type PlacementDecision } from './decision-lister.js';
