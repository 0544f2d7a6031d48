import { roleBindingKind, roleKind } from '../../../shared/resources/role.js';
import { defineCapability } from '../capability.js';
import { tenancyAdminRoutes } from './admin-routes.js';
import { roleBehaviour, roleBindingBehaviour } from './behaviours.js';

/**
 * Tenancy: custom roles and role bindings as hub kinds, API tokens, and the caller's own view
 * (whoami, can-i). The decision engine is lambdas/core/authz/; the admin API applies it to every
 * route (lambdas/http/authorize.ts). docs/tenancy.md describes the model.
 */
export const tenancyCapability = defineCapability({
  name: 'tenancy',
  kinds: [roleKind, roleBindingKind],
  behaviours: [roleBehaviour, roleBindingBehaviour],
  adminRoutes: tenancyAdminRoutes,
});
