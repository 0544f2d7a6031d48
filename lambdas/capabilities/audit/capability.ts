import { defineCapability } from '../capability.js';
import { auditAdminRoutes } from './admin-routes.js';

/**
 * The audit trail's reader: `GET /v1/audit` over the audit store that every hub process writes to
 * (see lambdas/handlers/audit-log.ts), locally and on AWS alike.
 */
export const auditCapability = defineCapability({
  name: 'audit',
  adminRoutes: auditAdminRoutes,
});
