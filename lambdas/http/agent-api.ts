import type { HubContext } from '../core/context.js';
import { Router, type Route } from './router.js';
import type { HttpApp } from './serve.js';

/** Agent routes are contributed by the cluster lifecycle capability. */
const agentRoutes: Route<HubContext>[] = [];

export function addAgentRoutes(...routes: Route<HubContext>[]): void {
  agentRoutes.push(...routes);
}

/**
 * The agent API: its own Lambda and routes under /agent/v1. Every route authenticates the cluster
 * credential itself and scopes to that one cluster.
 */
export function createAgentApi(ctx: HubContext): HttpApp {
  const router = new Router<HubContext>();
  router.add({ method: 'GET', pattern: '/agent/healthz', public: true, handler: async () => ({ status: 200, body: { status: 'ok' } }) });
  for (const r of agentRoutes) router.add(r);
  return async (req) => {
    const { route, params } = router.match(req.method, req.path);
    req.params = params;
    return route.handler(req, ctx);
  };
}
