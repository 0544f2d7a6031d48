import type { ClusterPolicyCompliance } from '../../../../shared/compliance.js';
import { rollUpCompliance, type ComplianceState } from '../../../../shared/resources/policy.js';
import type { ComplianceReportData, ReportPolicy } from './report-data.js';

/**
 * The report's summary, per standard and per control: how many clusters comply with every policy
 * that maps to it. A cluster's state for a standard is the roll-up (NonCompliant > Pending >
 * Unknown > Compliant) of its rows for the policies of that standard, so one non-compliant policy
 * makes the cluster non-compliant for the standard. Pure.
 */

/** Clusters per state for one standard or control. */
export interface SummaryLine {
  /** The standard, or the control. */
  name: string;
  /** The standards a control line belongs to (empty for a standard line). */
  standards: string[];
  /** The policies that map to it, in name order. */
  policies: string[];
  clusters: Record<ComplianceState, number>;
  /** Clusters whose roll-up is NonCompliant, in name order. */
  nonCompliantClusters: string[];
}

/** Label used for policies that map to no standard (or no control). */
export const UNMAPPED = '(none)';

const emptyCounts = (): Record<ComplianceState, number> => ({ Compliant: 0, NonCompliant: 0, Pending: 0, Unknown: 0 });

function line(name: string, standards: string[], policies: ReportPolicy[], rows: ClusterPolicyCompliance[]): SummaryLine {
  const names = new Set(policies.map((p) => p.name));
  const byCluster = new Map<string, ComplianceState[]>();
  for (const r of rows) {
    if (!names.has(r.policy)) continue;
    byCluster.set(r.cluster, [...(byCluster.get(r.cluster) ?? []), r.compliance]);
  }
  const clusters = emptyCounts();
  const nonCompliantClusters: string[] = [];
  for (const [cluster, states] of [...byCluster].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const state = rollUpCompliance(states) ?? 'Unknown';
    clusters[state]++;
    if (state === 'NonCompliant') nonCompliantClusters.push(cluster);
  }
  return { name, standards, policies: [...names].sort(), clusters, nonCompliantClusters };
}

/** Natural order, so control 2.2.1 comes before 10.2.1 (the same for every locale: same data, same bytes). */
const natural = new Intl.Collator('en', { numeric: true });
const sortedUnique = (values: Iterable<string>) => [...new Set(values)].sort(natural.compare);

/** One line per standard in the report's policies (policies without one under {@link UNMAPPED}, last). */
export function summaryByStandard(data: ComplianceReportData): SummaryLine[] {
  const standards = sortedUnique(data.policies.flatMap((p) => p.standards));
  const lines = standards.map((s) =>
    line(
      s,
      [],
      data.policies.filter((p) => p.standards.includes(s)),
      data.rows,
    ),
  );
  const unmapped = data.policies.filter((p) => p.standards.length === 0);
  if (unmapped.length) lines.push(line(UNMAPPED, [], unmapped, data.rows));
  return lines;
}

/** One line per control in the report's policies (policies without one under {@link UNMAPPED}, last). */
export function summaryByControl(data: ComplianceReportData): SummaryLine[] {
  const controls = sortedUnique(data.policies.flatMap((p) => p.controls));
  const lines = controls.map((c) => {
    const policies = data.policies.filter((p) => p.controls.includes(c));
    return line(c, sortedUnique(policies.flatMap((p) => p.standards)), policies, data.rows);
  });
  const unmapped = data.policies.filter((p) => p.controls.length === 0);
  if (unmapped.length) lines.push(line(UNMAPPED, sortedUnique(unmapped.flatMap((p) => p.standards)), unmapped, data.rows));
  return lines;
}

/** The violating objects of one row, first template first. */
export function violationsOf(row: ClusterPolicyCompliance): { template: string; text: string }[] {
  return row.templates.flatMap((t) =>
    t.objects
      .filter((o) => !o.compliant)
      .map((o) => ({
        template: t.name,
        text: `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}: ${o.reason}${o.message ? ` (${o.message})` : ''}`,
      })),
  );
}

/** Number of violating objects of one row, counting those the hub omitted from the list. */
export function violationCount(row: ClusterPolicyCompliance): number {
  return row.templates.reduce((n, t) => n + t.objects.filter((o) => !o.compliant).length + (t.omittedObjects ?? 0), 0);
}

/** The first message a row carries: its first violation, else a template's own message or reason. */
export function firstMessage(row: ClusterPolicyCompliance): string {
  const v = violationsOf(row)[0];
  if (v) return v.text;
  for (const t of row.templates) if (t.message || t.reason) return t.message ?? t.reason ?? '';
  return '';
}
