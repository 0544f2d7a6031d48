import { ValidationError } from '../../../shared/errors.js';
import type { FleetEventList } from '../../../shared/events.js';
import type { Resource } from '../../../shared/resources/meta.js';
import { isDnsLabel } from '../../../shared/resources/meta.js';
import type { AdminContext } from '../../http/admin-api.js';
import { intParam, type HttpRequest, type HttpResponse } from '../../http/request.js';
import type { Route } from '../../http/router.js';
import { recentEvents } from './fleet-events.js';

/**
 * `GET /v1/events[?cluster=NAME][&limit=N]`: what happened recently across the fleet, newest first.
 * The hub keeps no event log: events are derived on read from what objects record, the last
 * transition of each status condition of every cluster-scoped object (clusters, cluster sets,
 * placements, fleet deployments) and, with `cluster`, that cluster's works' conditions and drift
 * records. Reading is a list of each kind (and that cluster's works), so it costs what `tether get`
 * of those kinds costs; a fleet-wide read of every work would cost one query per cluster, so works
 * are read per cluster only.
 */

/** Objects of one kind, every page. */
async function listAll(ctx: AdminContext, kind: string, namespace?: string): Promise<Resource[]> {
  const info = ctx.registry.kinds.find((k) => k.kind === kind);
  if (!info) return [];
  const out: Resource[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.service.list(info, { limit: 500, cursor, namespace });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

async function events(req: HttpRequest, ctx: AdminContext): Promise<HttpResponse> {
  const limit = intParam(req, 'limit', 100, 1, 1000);
  const cluster = req.query.cluster || undefined;
  if (cluster !== undefined && !isDnsLabel(cluster))
    throw new ValidationError(`"${cluster}" is not a valid cluster name`, [{ path: 'cluster', message: 'invalid name' }]);
  const objects: Resource[] = [];
  for (const info of ctx.registry.kinds.filter((k) => !k.namespaced)) objects.push(...(await listAll(ctx, info.kind)));
  if (cluster !== undefined) objects.push(...(await listAll(ctx, 'Work', cluster)));
  // With a cluster: its own events and its works'; events of fleet-wide objects name no cluster.
  const all = recentEvents(
    cluster === undefined
      ? objects
      : objects.filter((o) => (o.kind === 'Cluster' && o.metadata.name === cluster) || o.metadata.namespace === cluster),
  );
  const body: FleetEventList = { kind: 'EventList', items: all.slice(0, limit), total: all.length };
  return { status: 200, headers: { 'cache-control': 'no-cache' }, body };
}

/** The routes this capability contributes (composed in ./capability.ts). */
export const eventRoutes: readonly Route<AdminContext>[] = [
  {
    method: 'GET',
    pattern: '/v1/events',
    summary: 'Recent fleet events, newest first: condition transitions and (with ?cluster=) work drift; ?limit= (100, at most 1000)',
    // The objects are read through the service, which keeps only those within the caller's sets.
    authz: { verb: 'list', kind: 'Event' },
    handler: events,
  },
];
