import { ValidationError } from '../../../shared/errors.js';
import { parseDuration } from '../../../shared/duration.js';
import type { AdminContext } from '../../http/admin-api.js';
import { intParam, type HttpRequest } from '../../http/request.js';
import type { Route } from '../../http/router.js';
import { AUDIT_RETENTION_DAYS, type AuditQuery } from '../../ports/audit-store.js';

/** Longest time range one audit query may span. */
const MAX_RANGE_MS = AUDIT_RETENTION_DAYS * 86_400_000;

/** `24h`, `7d`, or an RFC 3339 time; `undefined` when the parameter is absent. */
function timeParam(req: HttpRequest, name: string, now: number): number | undefined {
  const raw = req.query[name];
  if (raw === undefined || raw === '') return undefined;
  const ago = /^\d/.test(raw) && !raw.includes('-') ? parseDuration(raw) : undefined;
  if (ago !== undefined) return now - ago;
  const at = Date.parse(raw);
  if (!Number.isFinite(at) || !/^\d{4}-\d{2}-\d{2}/.test(raw)) {
    throw new ValidationError(`${name} must be a duration back from now (24h, 7d) or an RFC 3339 time, got "${raw}"`, [
      { path: name, message: 'invalid time' },
    ]);
  }
  return at;
}

/** Reads `GET /v1/audit` query parameters into an audit query. */
export function auditQueryOf(req: HttpRequest, now: number): AuditQuery {
  const until = timeParam(req, 'until', now) ?? now;
  const since = timeParam(req, 'since', now) ?? until - 86_400_000;
  if (since > until) throw new ValidationError('since must not be after until', [{ path: 'since', message: 'after until' }]);
  if (until - since > MAX_RANGE_MS)
    throw new ValidationError(`one query spans at most ${AUDIT_RETENTION_DAYS} days (the retention)`, [
      { path: 'since', message: 'range too long' },
    ]);
  const outcome = req.query.outcome;
  if (outcome !== undefined && outcome !== 'allowed' && outcome !== 'denied') {
    throw new ValidationError(`outcome must be allowed or denied, got "${outcome}"`, [{ path: 'outcome', message: 'invalid outcome' }]);
  }
  const action = req.query.action;
  if (action !== undefined && !/^[a-z][a-z0-9.-]{0,99}$/.test(action)) {
    throw new ValidationError(`action must look like "cluster.accept" (or a prefix such as "cluster."), got "${action}"`, [
      { path: 'action', message: 'invalid action' },
    ]);
  }
  const cluster = req.query.cluster;
  if (cluster !== undefined && !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(cluster)) {
    throw new ValidationError(`cluster must be a cluster name, got "${cluster}"`, [{ path: 'cluster', message: 'invalid name' }]);
  }
  const cursor = req.query.continue;
  if (cursor !== undefined && cursor.length > 1024)
    throw new ValidationError('invalid continue cursor', [{ path: 'continue', message: 'too long' }]);
  return {
    since,
    until,
    limit: intParam(req, 'limit', 100, 1, 1000),
    ...(action ? { action } : {}),
    ...(outcome ? { outcome } : {}),
    ...(cluster ? { cluster } : {}),
    ...(cursor ? { cursor } : {}),
  };
}

/** `GET /v1/audit`: the audit trail, newest first, filtered and paged. */
export const auditAdminRoutes: readonly Route<AdminContext>[] = [
  {
    method: 'GET',
    pattern: '/v1/audit',
    summary: 'Audit records, newest first (since, until, action, outcome, cluster, limit, continue)',
    authz: { verb: 'list', kind: 'AuditRecord' },
    handler: async (req, ctx) => {
      const page = await ctx.ports.audits.query(auditQueryOf(req, ctx.ports.clock.now()));
      return {
        status: 200,
        body: {
          apiVersion: 'tether.dev/v1alpha1',
          kind: 'AuditRecordList',
          items: page.items,
          metadata: page.cursor ? { continue: page.cursor } : {},
        },
      };
    },
  },
];
