import type { HubContext } from '../core/context.js';
import { Router, type Route } from './router.js';
import type { HttpApp } from './serve.js';

/**
 * The agent API: its own Lambda and routes under /agent/v1. Every route authenticates the cluster
 * credential itself and scopes to that one cluster.
 */
export function createAgentApi(ctx: HubContext, capabilityRoutes: readonly Route<HubContext>[]): HttpApp {
  const router = new Router<HubContext>();
  router.add({ method: 'GET', pattern: '/agent/healthz', public: true, handler: async () => ({ status: 200, body: { status: 'ok' } }) });
  for (const r of capabilityRoutes) router.add(r);
  return async (req) => {
    const { route, params } = router.match(req.method, req.path);
    req.params = params;
    return route.handler(req, ctx);
  };
}
