import type { ComplianceHistoryQuery } from '../../ports/compliance-history.js';
import {
  ComplianceEventQuerySchema,
  ComplianceReportQuerySchema,
  parseTimeBound,
  type ClusterPolicyCompliance,
  type ComplianceEvent,
  type ComplianceEventPage,
  type ComplianceReportQueryInput,
  type ComplianceEventQueryInput,
  MAX_EVENTS_PAGE,
} from '../../../shared/compliance.js';
import { NotFoundError, ValidationError } from '../../../shared/errors.js';
import { clusterKind } from '../../../shared/resources/cluster.js';
import { complianceMapping, policyKind, rollUpCompliance, type ComplianceState } from '../../../shared/resources/policy.js';
import { parseOrThrow } from '../../../shared/validation.js';
import type { HubContext } from '../../core/context.js';
import { listResources, readResource, readResources } from '../../core/typed-resources.js';
import { MAX_REPORT_EVENTS, type ComplianceReportData, type ReportPolicy } from './reports/report-data.js';
import { readComplianceItems, type ComplianceItem } from './compliance-store.js';
import type { PolicyResource } from './desired-policies.js';
import { CLUSTER_POLICIES, POLICY_CLUSTERS } from './relations.js';
import { complianceView, complianceViewsOf, onlineClusters } from './rollup.js';

/**
 * The compliance API's use cases (the routes in ./admin-routes.ts are thin): current compliance per
 * policy and per cluster, the history query, and the data a report renders from.
 */

const DAY_MS = 86_400_000;
/** Default window of a report's history section. */
const REPORT_WINDOW_MS = 30 * DAY_MS;

/** A page of current compliance. */
export interface CompliancePage {
  items: ClusterPolicyCompliance[];
  continue?: string;
}

/**
 * One page of a policy's per-cluster compliance, in cluster order: a page of its `policy-clusters`
 * relation, one batched read of those items and one of the heads. `compliance` keeps only clusters
 * in that state (so a page may hold fewer than `limit`; follow `continue`).
 */
export async function policyCompliancePage(
  ctx: HubContext,
  name: string,
  opts: { limit: number; cursor?: string; compliance?: ComplianceState },
): Promise<CompliancePage> {
  const policy = await readResource(ctx, policyKind, { name });
  if (!policy) throw new NotFoundError('Policy', name);
  const page = await ctx.ports.relations.list(POLICY_CLUSTERS, name, { limit: opts.limit, cursor: opts.cursor });
  const clusters = page.items.map((i) => i.to);
  const [items, online] = await Promise.all([
    readComplianceItems(
      ctx,
      clusters.map((cluster) => ({ policy: name, cluster })),
    ),
    onlineClusters(ctx, clusters),
  ]);
  const key = { name, uid: policy.metadata.uid };
  const views = clusters.map((c, i) => complianceView(key, c, items[i], online.has(c)));
  return {
    items: opts.compliance ? views.filter((v) => v.compliance === opts.compliance) : views,
    ...(page.cursor ? { continue: page.cursor } : {}),
  };
}

/** Every policy assigned to a cluster, with that cluster's compliance, in policy order. */
export async function clusterCompliance(ctx: HubContext, cluster: string): Promise<ClusterPolicyCompliance[]> {
  const record = await readResource(ctx, clusterKind, { name: cluster });
  if (!record) throw new NotFoundError('Cluster', cluster);
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.ports.relations.list(CLUSTER_POLICIES, cluster, { limit: 1000, cursor });
    names.push(...page.items.map((i) => i.to));
    cursor = page.cursor;
  } while (cursor);
  if (!names.length) return [];
  const [policies, items, online] = await Promise.all([
    readResources(
      ctx,
      policyKind,
      names.map((name) => ({ name })),
    ),
    readComplianceItems(
      ctx,
      names.map((policy) => ({ policy, cluster })),
    ),
    onlineClusters(ctx, [cluster]),
  ]);
  const out: ClusterPolicyCompliance[] = [];
  names.forEach((name, i) => {
    const p = policies[i];
    if (p) out.push(complianceView({ name, uid: p.metadata.uid }, cluster, items[i] as ComplianceItem | undefined, online.has(cluster)));
  });
  return out;
}

/** The window a history read may cover: `since` no earlier than the retention allows, `until` now at the latest given. */
export function historyWindow(
  ctx: HubContext,
  since: string | undefined,
  until: string | undefined,
  defaultWindowMs?: number,
): { since: number; until: number } {
  const now = ctx.ports.clock.now();
  const retentionStart = now - ctx.config.complianceRetentionDays * DAY_MS;
  const end = until !== undefined ? (parseTimeBound(until, now) as number) : now;
  const asked =
    since !== undefined ? (parseTimeBound(since, now) as number) : defaultWindowMs !== undefined ? end - defaultWindowMs : retentionStart;
  const start = Math.max(asked, retentionStart);
  if (start > end) {
    throw new ValidationError('since must not be after until (and the history reaches back only as far as its retention)', [
      { path: 'since', message: 'after until' },
    ]);
  }
  return { since: start, until: end };
}

/** The filters of a history query that name clusters, policies or their mapping (the ones given). */
function historyFilters(q: { cluster?: string; policy?: string; standard?: string; category?: string; control?: string }) {
  return Object.fromEntries(
    (['cluster', 'policy', 'standard', 'category', 'control'] as const).filter((k) => q[k]).map((k) => [k, q[k]]),
  ) as Pick<ComplianceHistoryQuery, 'cluster' | 'policy' | 'standard' | 'category' | 'control'>;
}

/** `GET /v1/compliance/events`: the history, filtered and paged. */
export async function queryComplianceEvents(ctx: HubContext, input: ComplianceEventQueryInput): Promise<ComplianceEventPage> {
  const q = parseOrThrow(ComplianceEventQuerySchema, input, 'compliance event query');
  const window = historyWindow(ctx, q.since, q.until);
  const page = await ctx.ports.complianceHistory.query({
    ...window,
    ...historyFilters(q),
    ...(q.compliance ? { compliance: q.compliance } : {}),
    direction: q.direction,
    limit: q.limit,
    ...(q.continue ? { cursor: q.continue } : {}),
  });
  return { items: page.items, ...(page.cursor ? { continue: page.cursor } : {}) };
}

/** Every policy, in name order. */
async function allPolicies(ctx: HubContext): Promise<PolicyResource[]> {
  const out: PolicyResource[] = [];
  let cursor: string | undefined;
  do {
    const page = await listResources(ctx, policyKind, { limit: 500, cursor });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out.filter((p) => !p.metadata.deletionTimestamp);
}

/** The report's parsed query, as the route hands it over. */
export type ReportQuery = ReturnType<typeof parseReportQuery>;

/** Parses and checks `GET /v1/compliance/report`'s query. */
export function parseReportQuery(input: ComplianceReportQueryInput) {
  return parseOrThrow(ComplianceReportQuerySchema, input, 'compliance report query');
}

/**
 * Everything a compliance report shows: the policies in scope (by the mapping filters and
 * `policy`), the current compliance of their clusters (by `cluster`), and the history of the window
 * (30 days by default, never beyond the retention), newest first, at most {@link MAX_REPORT_EVENTS}.
 */
export async function gatherReportData(ctx: HubContext, q: ReportQuery): Promise<ComplianceReportData> {
  const window = historyWindow(ctx, q.since, q.until, REPORT_WINDOW_MS);
  const policies = (await allPolicies(ctx)).filter((p) => {
    const m = complianceMapping(p);
    if (q.policy && p.metadata.name !== q.policy) return false;
    if (q.standard && !m.standards.includes(q.standard)) return false;
    if (q.category && !m.categories.includes(q.category)) return false;
    if (q.control && !m.controls.includes(q.control)) return false;
    return true;
  });
  const views = await complianceViewsOf(ctx, policies);
  const rows = [...views.values()]
    .flat()
    .filter((v) => !q.cluster || v.cluster === q.cluster)
    .sort((a, b) => (a.cluster === b.cluster ? cmp(a.policy, b.policy) : cmp(a.cluster, b.cluster)));
  const reportPolicies: ReportPolicy[] = policies.map((p) => ({
    name: p.metadata.name,
    ...(p.spec.description ? { description: p.spec.description } : {}),
    ...(p.spec.severity ? { severity: p.spec.severity } : {}),
    remediationAction: p.spec.remediationAction,
    disabled: p.spec.disabled,
    ...complianceMapping(p),
    ...optional('compliant', rollUpCompliance((views.get(p.metadata.name) ?? []).map((v) => v.compliance))),
  }));
  const events: ComplianceEvent[] = [];
  let cursor: string | undefined;
  let truncated = false;
  // By the same filters, so the history of policies deleted since stays in the report.
  {
    do {
      const page = await ctx.ports.complianceHistory.query({
        ...window,
        ...historyFilters(q),
        direction: 'desc',
        limit: MAX_EVENTS_PAGE,
        ...(cursor ? { cursor } : {}),
      });
      for (const e of page.items) {
        if (events.length >= MAX_REPORT_EVENTS) {
          truncated = true;
          break;
        }
        events.push(e);
      }
      cursor = page.cursor;
    } while (cursor && !truncated);
    if (cursor && events.length >= MAX_REPORT_EVENTS) truncated = true;
  }
  return {
    generatedAt: new Date(ctx.ports.clock.now()).toISOString(),
    filters: {
      ...(q.standard ? { standard: q.standard } : {}),
      ...(q.category ? { category: q.category } : {}),
      ...(q.control ? { control: q.control } : {}),
      ...(q.cluster ? { cluster: q.cluster } : {}),
      ...(q.policy ? { policy: q.policy } : {}),
      since: new Date(window.since).toISOString(),
      until: new Date(window.until).toISOString(),
    },
    policies: reportPolicies,
    rows,
    events,
    eventsTruncated: truncated,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
