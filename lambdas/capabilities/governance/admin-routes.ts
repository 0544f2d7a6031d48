import { ValidationError } from '../../../shared/errors.js';
import { ComplianceStates, type ComplianceState } from '../../../shared/resources/policy.js';
import { API_VERSION, isDnsLabel } from '../../../shared/resources/meta.js';
import type { AdminContext } from '../../http/admin-api.js';
import { intParam, type HttpRequest } from '../../http/request.js';
import type { Route } from '../../http/router.js';
import { clusterCompliance, gatherReportData, parseReportQuery, policyCompliancePage, queryComplianceEvents } from './compliance-api.js';
import { renderReport } from './reports/render.js';

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

export const governanceAdminRoutes: readonly Route<AdminContext>[] = [
  {
    method: 'GET',
    pattern: '/v1/policies/{name}/compliance',
    summary:
      "A policy's current compliance per cluster, in cluster order (limit, continue, compliance=Compliant|NonCompliant|Pending|Unknown)",
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
          items: page.items,
          metadata: page.continue ? { continue: page.continue } : {},
        },
      };
    },
  },
  {
    method: 'GET',
    pattern: '/v1/clusters/{name}/compliance',
    summary: "A cluster's current compliance with each policy assigned to it, in policy order",
    handler: async (req, ctx) => {
      const items = await clusterCompliance(ctx, nameParam(req));
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
    handler: async (req, ctx) => {
      const page = await queryComplianceEvents(ctx, req.query);
      return { status: 200, headers: { 'cache-control': 'no-cache' }, body: { kind: 'ComplianceEventList', ...page } };
    },
  },
  {
    method: 'GET',
    pattern: '/v1/compliance/report',
    summary:
      'A compliance report for auditors (format=json|csv|html|openreports; standard, category, control, cluster, policy, since, until)',
    handler: async (req, ctx) => {
      const q = parseReportQuery(req.query);
      const report = renderReport(q.format, await gatherReportData(ctx, q));
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
