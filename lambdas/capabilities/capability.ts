import type { HubContext } from '../core/context.js';
import type { DomainContribution } from '../core/registry.js';
import type { AdminContext } from '../http/admin-api.js';
import type { Route } from '../http/router.js';

/**
 * One capability of the hub (clusters, works, placements, rollouts, ...): everything it contributes,
 * declared in one object. The domain parts (kinds, behaviours, steps, periodic tasks, status-report
 * handlers, desired-state parts, redactions, cluster clean-ups, event subscriptions) go into the
 * registry; the routes go into the admin and agent APIs. Nothing is registered by importing a
 * module: `composeHub()` builds everything from the list in ./index.ts, once.
 */
export interface Capability extends DomainContribution {
  /** Routes of the admin API (bearer-token authenticated unless `public`). */
  adminRoutes?: readonly Route<AdminContext>[];
  /** Routes of the agent API (each authenticates the cluster credential itself). */
  agentRoutes?: readonly Route<HubContext>[];
}

/** Declares a capability (frozen: a composition cannot change it later). */
export function defineCapability(capability: Capability): Capability {
  return Object.freeze({ ...capability });
}
