// Registers the FleetDeployment behaviour, the rollout steps and the scheduler task.
import './behaviour.js';
import './steps.js';

export { notifyWorkStatusChanged, progressMessage, runController } from './steps.js';
export { useDecisionLister, type DecisionLister, type PlacementDecision } from './decisions.js';
