// Registers the FleetDeployment behaviour, the rollout steps and the scheduler task.
import './behaviour.js';
import './steps.js';

export { progressMessage, runController } from './steps.js';
export { markWorkChanged } from './tracking.js';
export { useDecisionLister, type DecisionLister, type PlacementDecision } from './decisions.js';
