import { defineCapability } from '../capability.js';
import { eventRoutes } from './admin-routes.js';

/**
 * Fleet events: a read-only view of what happened recently, derived from the conditions and drift
 * records the other capabilities' objects carry (no event store, no writes).
 */
export const eventsCapability = defineCapability({
  name: 'events',
  adminRoutes: eventRoutes,
});
