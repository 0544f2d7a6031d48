// Registers every kind's behaviour, lifecycle step and periodic task. Entry points import this
// module once so the registries are complete before the first request or message.
import './clusters/cluster-behaviour.js';
import './clusters/availability.js';
import './clusters/detach.js';
import './clusters/upgrade.js';
import './clustersets.js';
import './membership.js';
import './rollouts/index.js';
import './works/index.js';
import './placements/index.js';

export { runStep } from './steps.js';
export { runSchedulerTick } from './scheduler.js';
export type { HubContext, HubConfig } from './context.js';
