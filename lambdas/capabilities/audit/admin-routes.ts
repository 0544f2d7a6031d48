import { ValidationError } from '../../../shared/errors.js';
import { parseDuration } from '../../../shared/duration.js';
import type { AdminContext } from '../../http/admin-api.js';
import { intParam, type HttpRequest } from '../../http/request.js';
import type { Route } from '../../http/router.js';
import { findKind } from '../../../shared/resources/kinds.js';
import type { AuditOutcome, AuditQuery } from '../../ports/audit-store.js';

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

/** A filter value: bounded, printable, no control characters; `undefined` when absent. */
function textParam(req: HttpRequest, name: string, pattern: RegExp, example: string): string | undefined {
  const raw = req.query[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw.length > 256 || !pattern.test(raw)) {
    throw new ValidationError(`${name} must look like ${example}, got "${raw.slice(0, 80)}"`, [{ path: name, message: `invalid ${name}` }]);
  }
  return raw;
}

const DNS_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** The resource a `kind` filter names: a served kind's plural (by kind, plural or short name), or the word as written. */
function resourceParam(req: HttpRequest, ctx: AdminContext): string | undefined {
  const raw = textParam(req, 'kind', /^[A-Za-z][A-Za-z0-9.-]*$/, 'Policy or policies');
  if (raw === undefined) return undefined;
  return findKind(raw, ctx.registry.kinds)?.plural ?? raw.toLowerCase();
}

/** Reads `GET /v1/audit` query parameters into an audit query. */
export function auditQueryOf(req: HttpRequest, ctx: AdminContext): AuditQuery {
  const now = ctx.ports.clock.now();
  const retentionDays = ctx.config.auditRetentionDays;
  const until = timeParam(req, 'until', now) ?? now;
  const since = timeParam(req, 'since', now) ?? until - 86_400_000;
  if (since > until) throw new ValidationError('since must not be after until', [{ path: 'since', message: 'after until' }]);
  if (until - since > retentionDays * 86_400_000)
    throw new ValidationError(`one query spans at most ${retentionDays} days (the retention)`, [
      { path: 'since', message: 'range too long' },
    ]);
  const outcome = req.query.outcome;
  if (outcome !== undefined && outcome !== '' && outcome !== 'allowed' && outcome !== 'denied') {
    throw new ValidationError(`outcome must be allowed or denied, got "${outcome}"`, [{ path: 'outcome', message: 'invalid outcome' }]);
  }
  const user = textParam(req, 'user', /^[\p{L}\p{N}\p{P}\p{S} ]+$/u, 'token:ci or alice@example.com');
  const verb = textParam(req, 'verb', /^[a-z][a-zA-Z0-9.-]{0,99}$/, 'create, patch, delete or control');
  const name = textParam(req, 'name', DNS_NAME, 'a DNS-1123 name (pci-owner)');
  const clusterSet = textParam(req, 'clusterSet', DNS_NAME, 'a cluster set name (stores-east)');
  const cursor = req.query.continue;
  if (cursor !== undefined && cursor.length > 1024)
    throw new ValidationError('invalid continue cursor', [{ path: 'continue', message: 'too long' }]);
  const resource = resourceParam(req, ctx);
  return {
    since,
    until,
    limit: intParam(req, 'limit', 100, 1, 1000),
    ...(user ? { user } : {}),
    ...(verb ? { verb } : {}),
    ...(resource ? { resource } : {}),
    ...(name ? { name } : {}),
    ...(clusterSet ? { clusterSet } : {}),
    ...(outcome ? { outcome: outcome as AuditOutcome } : {}),
    ...(cursor ? { cursor } : {}),
  };
}

/**
 * `GET /v1/audit`: the audit trail, newest first, filtered and paged. Reading it is `list` of
 * `audit` (admins and auditors: the authorization model grants it to no other built-in role).
 */
export const auditAdminRoutes: readonly Route<AdminContext>[] = [
  {
    method: 'GET',
    pattern: '/v1/audit',
    summary: 'Audit events, newest first (user, verb, kind, name, clusterSet, outcome, since, until, limit, continue)',
    authz: { verb: 'list', kind: 'AuditRecord' },
    handler: async (req, ctx) => {
      const page = await ctx.ports.audits.query(auditQueryOf(req, ctx));
      // An auditor bound to cluster sets reads the events of those sets only (a page may then be
      // short; its cursor still leads on). Events of no set (tokens, roles) need an unscoped grant.
      const items = page.items.filter((e) => ctx.authz.admitsSets('list', 'AuditRecord', e.clusterSets));
      return {
        status: 200,
        body: {
          apiVersion: 'audit.k8s.io/v1',
          kind: 'EventList',
          items,
          metadata: page.cursor ? { continue: page.cursor } : {},
        },
      };
    },
  },
];
