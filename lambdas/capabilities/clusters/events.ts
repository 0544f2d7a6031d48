import { z } from 'zod';
import { defineEvent } from '../../core/events.js';

/**
 * Published with `{cluster}` when the claims an agent reports for its cluster changed (they are
 * written to the record outside the resource service, so no kind behaviour sees them). Governance
 * subscribes to it: its per-cluster templates may read claims.
 */
export const clusterClaimsChanged = defineEvent('cluster.claims-changed', z.object({ cluster: z.string() }));
