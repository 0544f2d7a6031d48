import type { HubContext } from '../core/context.js';
import { claimedCluster, credentialKey, CredentialRateLimiter, throttled } from './rate-limit.js';
import { Router, type Route } from './router.js';
import type { HttpApp } from './serve.js';

/**
 * The agent API: its own Lambda and routes under /agent/v1. Every route authenticates the cluster
 * credential itself and scopes to that one cluster. Before any route runs, the credential's
 * request rate is checked in this process (./rate-limit.ts): over its limit, the request is
 * answered 429 with Retry-After without touching storage, so one flooding credential cannot take
 * the table's or the function's capacity from the rest of the fleet.
 */
export function createAgentApi(ctx: HubContext, capabilityRoutes: readonly Route<HubContext>[]): HttpApp {
  const router = new Router<HubContext>();
  router.add({ method: 'GET', pattern: '/agent/healthz', public: true, handler: async () => ({ status: 200, body: { status: 'ok' } }) });
  for (const r of capabilityRoutes) router.add(r);
  const limiter = new CredentialRateLimiter(ctx.config.agentRateLimit, () => ctx.ports.clock.now());
  return async (req) => {
    const { route, params } = router.match(req.method, req.path);
    req.params = params;
    if (!route.public && limiter.enabled) {
      const decision = limiter.take(credentialKey(req.headers.authorization));
      if (!decision.allowed) {
        if (decision.report !== undefined) {
          // One line per throttled credential a minute, not one per refused request: a flood must
          // not turn into a flood of log lines. The cluster named by the token, never the token.
          ctx.ports.log.warn('agent rate limit: refusing a credential over its limit', {
            cluster: claimedCluster(req.headers.authorization) ?? 'none (no or malformed token)',
            path: req.path,
            refused: decision.report,
            sourceIp: req.sourceIp,
          });
        }
        throw throttled(decision.retryAfterSeconds, limiter.settings);
      }
    }
    return route.handler(req, ctx);
  };
}
