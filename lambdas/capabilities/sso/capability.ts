import { defineCapability } from '../capability.js';
import { ssoRoutes } from './admin-routes.js';

/**
 * Single sign-on: how clients learn the OIDC issuer to sign in with. The verification of the ID
 * tokens themselves is the admin API's authentication (HubContext.oidc, built by composeHub from
 * HubConfig.oidc); the roles are RoleBindings naming users and groups.
 */
export const ssoCapability = defineCapability({
  name: 'sso',
  adminRoutes: ssoRoutes(),
});
