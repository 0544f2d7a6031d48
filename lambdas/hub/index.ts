// Registers every kind's behaviour, lifecycle step and periodic task. Entry points import this
// module once so the registries are complete before the first request or message.
import '../capabilities/clusters/cluster-behaviour.js';
import '../capabilities/clusters/availability.js';
import '../capabilities/clusters/detach.js';
import '../capabilities/clusters/upgrade.js';
import '../capabilities/clustersets/clusterset-behaviour.js';
import '../capabilities/clustersets/membership.js';
import '../capabilities/rollouts/index.js';
import '../capabilities/works/index.js';
import '../capabilities/placements/index.js';

export { processBatch } from '../core/step-batch.js';
export { runSchedulerTick } from '../core/periodic-tasks.js';
export type { HubContext, HubConfig } from '../core/context.js';
