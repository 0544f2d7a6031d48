import { publicAuthConfig } from '../../core/identity/oidc.js';
import type { AdminContext } from '../../http/admin-api.js';
import type { Route } from '../../http/router.js';

/**
 * `GET /v1/auth/config`, public: what a client needs to sign in (the OIDC issuer, the public client
 * id, the scopes and the user-name prefix), so `tether login --oidc` and the console need nothing
 * but the hub's URL. Nothing in it is secret: a public client has no secret, and the issuer's own
 * discovery document is public too. `{}` when single sign-on is off.
 */
export function ssoRoutes(): Route<AdminContext>[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/auth/config',
      public: true,
      summary: 'How to sign in: the OIDC issuer and public client id, when single sign-on is configured',
      handler: async (_req, ctx) => ({ status: 200, headers: { 'cache-control': 'max-age=300' }, body: publicAuthConfig(ctx.config.oidc) }),
    },
  ];
}
