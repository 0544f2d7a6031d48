import type { ClusterPolicyCompliance } from '../../../../shared/compliance.js';
import { API_VERSION } from '../../../../shared/resources/meta.js';
import type { ComplianceState } from '../../../../shared/resources/policy.js';
import type { ComplianceReportData, ReportPolicy } from './report-data.js';

/**
 * The OpenReports rendering (`openreports.io/v1alpha1`, the Report shape Kyverno and Kubewarden
 * are moving to): a Kubernetes `List` (apiVersion v1) of one `Report` per cluster, scoped to the
 * cluster, with one result per policy template. JSON, not YAML: the API answers JSON everywhere,
 * `kubectl apply -f` and `yq -P` take it as it is, and there is no YAML dependency in the hub.
 *
 * Mapping: Compliant → pass, NonCompliant → fail, Pending → skip (not evaluated: an unmet
 * dependency), Unknown → error (no current answer from the cluster). `rule` is the template name;
 * `category` the policy's first category; the standards, controls and all categories go in
 * `properties` (a string map), joined with ", ".
 */

/** OpenReports' result values. */
export type OpenReportsResult = 'pass' | 'fail' | 'warn' | 'error' | 'skip';

export const OPENREPORTS_RESULT: Record<ComplianceState, OpenReportsResult> = {
  Compliant: 'pass',
  NonCompliant: 'fail',
  Pending: 'skip',
  Unknown: 'error',
};

/** An ObjectReference as OpenReports uses it (core/v1's fields, those we know). */
interface ObjectReference {
  apiVersion?: string;
  kind: string;
  namespace?: string;
  name: string;
}

interface ReportResult {
  source: string;
  policy: string;
  rule: string;
  category?: string;
  severity?: string;
  timestamp?: { seconds: number; nanos: number };
  result: OpenReportsResult;
  message?: string;
  resources?: ObjectReference[];
  properties: Record<string, string>;
}

interface Report {
  apiVersion: 'openreports.io/v1alpha1';
  kind: 'Report';
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  source: string;
  scope: ObjectReference;
  summary: Record<OpenReportsResult, number>;
  results: ReportResult[];
}

/** The source every result names. */
export const OPENREPORTS_SOURCE = 'tether';

/** RFC 3339 as a metav1.Timestamp. */
function timestamp(time: string | undefined): { seconds: number; nanos: number } | undefined {
  const ms = time === undefined ? Number.NaN : Date.parse(time);
  if (Number.isNaN(ms)) return undefined;
  return { seconds: Math.floor(ms / 1000), nanos: (((ms % 1000) + 1000) % 1000) * 1_000_000 };
}

function resultsOf(row: ClusterPolicyCompliance, policy: ReportPolicy | undefined): ReportResult[] {
  const properties = (extra: Record<string, string | undefined>): Record<string, string> => {
    const all: Record<string, string | undefined> = {
      standards: policy?.standards.join(', '),
      categories: policy?.categories.join(', '),
      controls: policy?.controls.join(', '),
      remediationAction: policy?.remediationAction,
      compliance: row.compliance,
      ...(row.lastReported ? { lastReported: row.lastReported } : {}),
      ...(row.since ? { since: row.since } : {}),
      ...(row.policyGeneration !== undefined ? { policyGeneration: String(row.policyGeneration) } : {}),
      ...extra,
    };
    return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  };
  const base = {
    source: OPENREPORTS_SOURCE,
    policy: row.policy,
    ...(policy?.categories[0] ? { category: policy.categories[0] } : {}),
    ...(policy?.severity ? { severity: policy.severity } : {}),
    ...(timestamp(row.evaluatedAt ?? row.since) ? { timestamp: timestamp(row.evaluatedAt ?? row.since) } : {}),
  };
  // A silent cluster reports Unknown with no templates: one result for the policy as a whole.
  if (row.templates.length === 0) {
    return [
      { ...base, rule: row.policy, result: OPENREPORTS_RESULT[row.compliance], message: unknownMessage(row), properties: properties({}) },
    ];
  }
  return row.templates.map((t) => {
    const violating = t.objects.filter((o) => !o.compliant);
    const first = violating[0];
    const message = first
      ? `${first.kind} ${first.namespace ? `${first.namespace}/` : ''}${first.name}: ${first.reason}${first.message ? ` (${first.message})` : ''}`
      : (t.message ?? t.reason ?? '');
    // Silent cluster: the template's last answer is not current; say so instead of repeating it.
    const state = row.compliance === 'Unknown' ? 'Unknown' : t.compliance;
    return {
      ...base,
      rule: t.name,
      result: OPENREPORTS_RESULT[state],
      ...(message || state === 'Unknown' ? { message: state === 'Unknown' ? unknownMessage(row) : message } : {}),
      ...(violating.length
        ? {
            resources: violating.map((o) => ({
              apiVersion: o.apiVersion,
              kind: o.kind,
              ...(o.namespace ? { namespace: o.namespace } : {}),
              name: o.name,
            })),
          }
        : {}),
      properties: properties({
        ...(t.reason ? { reason: t.reason } : {}),
        violations: String(violating.length + (t.omittedObjects ?? 0)),
      }),
    };
  });
}

function unknownMessage(row: ClusterPolicyCompliance): string {
  return row.lastReported
    ? `no current answer from the cluster (its agent is silent); last reported ${row.lastReported}`
    : 'no compliance reported by the cluster';
}

/** One Report per cluster (cluster order), results in policy then template order. */
export function openReportsList(data: ComplianceReportData): { apiVersion: 'v1'; kind: 'List'; items: Report[] } {
  const policies = new Map(data.policies.map((p) => [p.name, p]));
  const clusters = new Map<string, ClusterPolicyCompliance[]>();
  for (const row of data.rows) clusters.set(row.cluster, [...(clusters.get(row.cluster) ?? []), row]);
  const items = [...clusters].map(([cluster, rows]): Report => {
    const results = rows.flatMap((row) => resultsOf(row, policies.get(row.policy)));
    const summary: Record<OpenReportsResult, number> = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
    for (const r of results) summary[r.result]++;
    return {
      apiVersion: 'openreports.io/v1alpha1',
      kind: 'Report',
      metadata: {
        name: `tether-compliance-${cluster}`,
        labels: { 'app.kubernetes.io/managed-by': 'tether', 'tether.dev/cluster': cluster },
        annotations: { 'tether.dev/generated-at': data.generatedAt },
      },
      source: OPENREPORTS_SOURCE,
      scope: { apiVersion: API_VERSION, kind: 'Cluster', name: cluster },
      summary,
      results,
    };
  });
  return { apiVersion: 'v1', kind: 'List', items };
}

/** The OpenReports List as JSON. */
export function renderOpenReports(data: ComplianceReportData): string {
  return `${JSON.stringify(openReportsList(data), null, 2)}\n`;
}
