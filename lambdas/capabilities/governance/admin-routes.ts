import { ValidationError } from '../../../shared/errors.js';
import { ComplianceStates, policyKind, type ComplianceState } from '../../../shared/resources/policy.js';
import { API_VERSION, isDnsLabel } from '../../../shared/resources/meta.js';
import type { AdminContext } from '../../http/admin-api.js';
import { intParam, type HttpRequest } from '../../http/request.js';
import type { Route } from '../../http/router.js';
import { clusterCompliance, gatherReportData, parseReportQuery, policyCompliancePage, queryComplianceEvents } from './compliance-api.js';
import { renderReport } from './reports/render.js';
import { scopeReport, visibleByCluster } from './scoping.js';
import type { Resource } from '../../../shared/resources/meta.js';

/** The compliance API: current compliance per policy and per cluster, the history, and reports. */

function nameParam(req: HttpRequest): string {
  const name = req.params.name;
  if (!isDnsLabel(name)) throw new ValidationError(`"${name}" is not a valid name`, [{ path: 'name', message: 'invalid name' }]);
  return name;
}

function complianceParam(req: HttpRequest): ComplianceState | undefined {
  const raw = req.query.compliance;
  if (raw === undefined || raw === '') return undefined;
  const found = ComplianceStates.find((s) => s === raw);
  if (!found) {
    throw new ValidationError(`compliance must be one of ${ComplianceStates.join(', ')}, got "${raw}"`, [
      { path: 'compliance', message: 'invalid state' },
    ]);
  }
  return found;
}

/** Every Policy the caller may read (the service leaves out those outside its sets). */
async function readablePolicies(ctx: AdminContext): Promise<Resource[]> {
  const out: Resource[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.service.list(policyKind, { limit: 500, cursor });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

export const governanceAdminRoutes: readonly Route<AdminContext>[] = [
  {
    method: 'GET',
    pattern: '/v1/policies/{name}/compliance',
    summary:
      "A policy's current compliance per cluster, in cluster order (limit, continue, compliance=Compliant|NonCompliant|Pending|Unknown)",
    authz: { verb: 'get', kind: 'Policy', object: (req) => ({ name: req.params.name }) },
    handler: async (req, ctx) => {
      const page = await policyCompliancePage(ctx, nameParam(req), {
        limit: intParam(req, 'limit', 500, 1, 1000),
        cursor: req.query.continue || undefined,
        compliance: complianceParam(req),
      });
      return {
        status: 200,
        headers: { 'cache-control': 'no-cache' },
        body: {
          apiVersion: API_VERSION,
          kind: 'ClusterPolicyComplianceList',
          items: await visibleByCluster(ctx.authz, page.items),
          metadata: page.continue ? { continue: page.continue } : {},
        },
      };
    },
  },
  {
    method: 'GET',
    pattern: '/v1/clusters/{name}/compliance',
    summary: "A cluster's current compliance with each policy assigned to it, in policy order",
    authz: { verb: 'get', kind: 'Cluster', object: (req) => ({ name: req.params.name }) },
    handler: async (req, ctx) => {
      const all = await clusterCompliance(ctx, nameParam(req));
      // Policies the caller may not read are left out (a policy outside its sets).
      const readable = new Set((await readablePolicies(ctx)).map((p) => p.metadata.name));
      const items = all.filter((i) => readable.has(i.policy));
      return {
        status: 200,
        headers: { 'cache-control': 'no-cache' },
        body: { apiVersion: API_VERSION, kind: 'ClusterPolicyComplianceList', items, metadata: {} },
      };
    },
  },
  {
    method: 'GET',
    pattern: '/v1/compliance/events',
    summary:
      'The compliance history, newest first by default (cluster, policy, standard, category, control, compliance, since, until, limit, continue, direction)',
    authz: { verb: 'list', kind: 'ComplianceEvent' },
    handler: async (req, ctx) => {
      const page = await queryComplianceEvents(ctx, req.query);
      // Records of clusters outside the caller's sets are dropped (a page may be shorter than the limit).
      const items = await visibleByCluster(ctx.authz, page.items);
      return { status: 200, headers: { 'cache-control': 'no-cache' }, body: { kind: 'ComplianceEventList', ...page, items } };
    },
  },
  {
    method: 'GET',
    pattern: '/v1/compliance/report',
    summary:
      'A compliance report for auditors (format=json|csv|html|openreports; standard, category, control, cluster, policy, since, until)',
    authz: { verb: 'export', kind: 'ComplianceReport' },
    handler: async (req, ctx) => {
      const q = parseReportQuery(req.query);
      const data = await scopeReport(ctx.authz, await gatherReportData(ctx, q), await readablePolicies(ctx));
      const report = renderReport(q.format, data);
      return {
        status: 200,
        headers: {
          'content-type': report.contentType,
          'content-disposition': `inline; filename="${report.fileName.replace(/["\\\r\n]/g, '_')}"`,
          'cache-control': 'no-cache',
        },
        raw: report.body,
      };
    },
  },
];
