import { z } from 'zod';
import { defineEvent } from '../../core/events.js';

/**
 * Published with `{cluster}` when the claims an agent reports for its cluster changed (they are
 * written to the record outside the resource service, so no kind behaviour sees them). Governance
 * subscribes to it: its per-cluster templates may read claims.
 */
export const clusterClaimsChanged = defineEvent('cluster.claims-changed', z.object({ cluster: z.string() }));

/**
 * Published with `{cluster}` when the status of a cluster's Available condition changed (a lease
 * taken or lost, the agent's health reported): what the cluster inventory's ControlPlaneHealthy
 * follows. Written outside the resource service, like claims.
 */
export const clusterAvailabilityChanged = defineEvent('cluster.availability-changed', z.object({ cluster: z.string() }));

/** The status of a record's Available condition, for change detection. */
export function availableStatus(record: { status?: { conditions?: { type: string; status: string }[] } } | undefined): string | undefined {
  return record?.status?.conditions?.find((c) => c.type === 'Available')?.status;
}
