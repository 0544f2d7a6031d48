import { PayloadTooLargeError } from '../../../shared/errors.js';
import { MAX_SYNC_REPORT_BYTES, SyncReportSchema } from '../../../shared/protocol/sync.js';
import { parseOrThrow } from '../../../shared/validation.js';
import type { HubContext } from '../../core/context.js';
import { bearerToken } from '../../http/auth.js';
import { parseObjectBody } from '../../http/request.js';
import type { Route } from '../../http/router.js';
import { authenticateCredential } from '../clusters/agent-auth.js';
import { ingestSyncReport } from './report.js';

/**
 * POST /agent/v1/sync: a source's report for one rule. The cluster credential names the cluster;
 * the report is taken only for a rule whose sources include that cluster (403 otherwise), so an
 * agent can never write objects under another cluster's name. The token is checked before the
 * body is read; bodies over the limit are 413, invalid ones 422 with field paths.
 */

/** Body limit: the agent batches objects under MAX_SYNC_REPORT_BYTES; JSON escaping gets some slack. */
export const SYNC_REPORT_BODY_LIMIT = MAX_SYNC_REPORT_BYTES + 256 * 1024;

export const syncAgentRoutes: readonly Route<HubContext>[] = [
  {
    method: 'POST',
    pattern: '/agent/v1/sync',
    summary:
      "Resource sync: a source's inventory and changed objects for one rule; answers the hub's digest, the keys it needs, and refusals",
    handler: async (req, ctx) => {
      let token: string | undefined;
      try {
        token = bearerToken(req);
      } catch (err) {
        ctx.ports.audit.record({
          action: 'agent.sync',
          outcome: 'denied',
          reason: 'malformed Authorization header',
          sourceIp: req.sourceIp,
        });
        throw err;
      }
      const { cluster } = await authenticateCredential(ctx, 'agent.sync', { token, sourceIp: req.sourceIp }, { consistent: true });
      const size = Buffer.byteLength(req.body, 'utf8');
      if (size > SYNC_REPORT_BODY_LIMIT) throw new PayloadTooLargeError(SYNC_REPORT_BODY_LIMIT, size, 'sync report');
      const report = parseOrThrow(SyncReportSchema, parseObjectBody(req), 'sync report');
      return { status: 200, headers: { 'cache-control': 'no-store' }, body: await ingestSyncReport(ctx, cluster, report) };
    },
  },
];
