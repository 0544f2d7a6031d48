import { ValidationError } from '../../../shared/errors.js';
import { API_VERSION, isDnsLabel } from '../../../shared/resources/meta.js';
import { placementKind } from '../../../shared/resources/placement.js';
import type { AdminContext } from '../../http/admin-api.js';
import { intParam, type HttpRequest, type HttpResponse } from '../../http/request.js';
import type { Route } from '../../http/router.js';
import { listDecisions } from './decision-store.js';

/**
 * Admin routes of placements: the clusters a Placement chose, with their decision group, one page
 * at a time in cluster-name order (what OCM shows as PlacementDecisions). Read-only; the console's
 * Placement page and scripts use it. An unknown placement is 404.
 */

function placementName(req: HttpRequest): string {
  const name = req.params.name;
  if (!isDnsLabel(name))
    throw new ValidationError(`"${name}" is not a valid Placement name: use a DNS-1123 label`, [{ path: 'name', message: 'invalid name' }]);
  return name;
}

/** The routes this capability contributes (composed in ./capability.ts). */
export const placementAdminRoutes: readonly Route<AdminContext>[] = [
  {
    method: 'GET',
    pattern: '/v1/placements/{name}/decisions',
    summary: 'The clusters a Placement chose, with their decision group (paged: limit, continue)',
    authz: { verb: 'get', kind: 'Placement', object: (req) => ({ name: req.params.name }) },
    handler: async (req, ctx): Promise<HttpResponse> => {
      const name = placementName(req);
      // 404 for an unknown placement, rather than an empty list that looks like "chose nothing".
      await ctx.service.get(placementKind, name);
      const page = await listDecisions(ctx, name, { limit: intParam(req, 'limit', 500, 1, 1000), cursor: req.query.continue || undefined });
      return {
        status: 200,
        body: {
          apiVersion: API_VERSION,
          kind: 'PlacementDecisionList',
          metadata: page.cursor ? { continue: page.cursor } : {},
          placement: name,
          items: page.items.map((d) => ({ cluster: d.cluster, group: d.group, groupName: d.groupName })),
        },
      };
    },
  },
];
