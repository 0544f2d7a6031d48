import { auditCapability } from './audit/capability.js';
import type { Capability } from './capability.js';
import { clustersCapability } from './clusters/capability.js';
import { clusterSetsCapability } from './clustersets/capability.js';
import { consoleCapability } from './console/capability.js';
import { eventsCapability } from './events/capability.js';
import { governanceCapability } from './governance/capability.js';
import { inventoryCapability } from './inventory/capability.js';
import { placementsCapability } from './placements/capability.js';
import { rolloutsCapability } from './rollouts/capability.js';
import { syncCapability } from './sync/capability.js';
import { ssoCapability } from './sso/capability.js';
import { tenancyCapability } from './tenancy/capability.js';
import { worksCapability } from './works/capability.js';

export type { Capability } from './capability.js';

/**
 * The hub's capabilities, in composition order: the one list `composeHub()` builds the hub from.
 * Order matters only where two capabilities add hooks to the same kind (the owner's run first).
 * Adding a capability is adding it here (see docs/contributing.md).
 */
export const HUB_CAPABILITIES: readonly Capability[] = Object.freeze([
  clustersCapability,
  clusterSetsCapability,
  worksCapability,
  placementsCapability,
  rolloutsCapability,
  governanceCapability,
  syncCapability,
  inventoryCapability,
  auditCapability,
  tenancyCapability,
  eventsCapability,
  consoleCapability,
  ssoCapability,
]);
