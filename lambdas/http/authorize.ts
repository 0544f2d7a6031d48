import { ValidationError } from '../../shared/errors.js';
import type { AdminContext } from './admin-api.js';
import type { HttpRequest } from './request.js';
import type { Route } from './router.js';

/**
 * Authorizes one admin request before its handler runs, from the route's `authz` descriptor:
 * the verb on the kind must be allowed somewhere (else 403 naming the rule), and a route on one
 * object must find it within the caller's cluster sets (else 404 when the caller may not read it,
 * 403 when it may read but not do this). Reads and writes through `ctx.service` are checked again
 * object by object (lists filtered), so a handler cannot reach past the caller's sets.
 */
export async function authorizeRoute(route: Route<AdminContext>, req: HttpRequest, ctx: AdminContext): Promise<void> {
  const authz = route.authz;
  if (!authz) throw new Error(`route ${route.method} ${route.pattern} has no authz descriptor`);
  if (authz.mode === 'self') {
    ctx.authz.decisions.push({
      verb: authz.verb,
      kind: kindOf(authz.kind, req),
      decision: { allowed: true, reason: 'any authenticated caller' },
    });
    return;
  }
  if (authz.mode === 'perObject') return;
  const kind = kindOf(authz.kind, req);
  if (authz.mode === 'unscoped') {
    ctx.authz.requireUnscoped(authz.verb, kind);
    return;
  }
  ctx.authz.require(authz.verb, kind);
  if (!authz.object) return;
  const { name, namespace } = authz.object(req);
  const found = await ctx.ports.resources.get({ kind, name, namespace });
  // An object that does not exist is the handler's 404 to give.
  if (found) await ctx.authz.requireObject(authz.verb, found);
}

function kindOf(kind: string | ((req: HttpRequest) => string), req: HttpRequest): string {
  const k = typeof kind === 'string' ? kind : kind(req);
  if (!k) throw new ValidationError('unknown kind');
  return k;
}
