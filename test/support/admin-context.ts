import { BUILT_IN_ROLE_RULES } from '../../lambdas/core/authz/roles.js';
import type { HubContext } from '../../lambdas/core/context.js';
import { adminContext, type AdminContext } from '../../lambdas/http/admin-api.js';

/** An admin request's context for a caller with the admin role (tests that call handlers directly). */
export function testAdminContext(hub: HubContext): AdminContext {
  return adminContext(hub, { source: 'token', username: 'token:test-admin', uid: 'test-admin', groups: [] }, [
    { source: 'token/test-admin', role: 'admin', rules: BUILT_IN_ROLE_RULES.admin },
  ]);
}
