// The Placement capability: importing this module registers the Placement behaviour and its steps.
import './placement-behaviour.js';
import './cluster-changed.js';

export { listDecisions, decisionsOfCluster, PLACEMENT_DECISIONS, CLUSTER_PLACEMENT_DECISIONS } from './decision-store.js';
export { computeDecisions, decideIncremental, type Decision, type PlacementDecisions, type PreviousDecision } from './compute-decisions.js';
export { notifyPlacements, notifyPlacementsOnChange, placementFactsChanged } from './cluster-changed.js';
export { onDecisionsChanged, hasStep, PLACEMENT_CHANGED_STEP, WORK_STATUS_CHANGED_STEP } from './listener-steps.js';
export { recomputePlacement } from './recompute.js';
