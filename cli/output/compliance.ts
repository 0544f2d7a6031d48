import type { ClusterPolicyCompliance, ComplianceEvent, ComplianceObjectView } from '../../shared/compliance.js';
import type { ComplianceState } from '../../shared/resources/policy.js';
import { age } from './age.js';
import type { Painter, Tone } from './color.js';
import { NONE } from './columns.js';
import { renderTable, type Cell } from './table.js';

/**
 * How compliance reads in the terminal: coloured states, violating objects with their reason,
 * message and diff, and the history table of `tether compliance history`. Shared by `describe`
 * (policy, policy set, cluster) and the `compliance` commands.
 */

const TONES: Record<ComplianceState, Tone> = { Compliant: 'good', NonCompliant: 'bad', Pending: 'warn', Unknown: 'warn' };

/** Order in which states are listed: what needs attention first. */
export const STATE_ORDER: readonly ComplianceState[] = ['NonCompliant', 'Pending', 'Unknown', 'Compliant'];

/** Sort rank of a state (NonCompliant first). */
export function stateRank(state: ComplianceState | undefined): number {
  const i = state === undefined ? -1 : STATE_ORDER.indexOf(state);
  return i < 0 ? STATE_ORDER.length : i;
}

/** A compliance state as a coloured cell (`-` when absent). */
export function complianceCell(state: ComplianceState | undefined): Cell {
  return state ? { text: state, tone: TONES[state] } : { text: '-' };
}

/** `ConfigMap payments/audit` or `Namespace payments`. */
export function objectName(o: Pick<ComplianceObjectView, 'kind' | 'namespace' | 'name'>): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

/** Number of violating objects of one cluster's compliance (counting objects the hub left out). */
export function violationCount(c: ClusterPolicyCompliance): number {
  return c.templates.reduce((n, t) => n + t.objects.filter((o) => !o.compliant).length + (t.omittedObjects ?? 0), 0);
}

/** The state shown for a cluster: `Unknown (last reported NonCompliant)` for a silent cluster. */
export function stateText(c: Pick<ClusterPolicyCompliance, 'compliance' | 'lastReported'>): Cell {
  const cell = complianceCell(c.compliance);
  return c.compliance === 'Unknown' && c.lastReported ? { ...cell, text: `Unknown (last reported ${c.lastReported})` } : cell;
}

/**
 * What is wrong with one cluster's compliance, as indented lines: every template that is not
 * Compliant with its reason, then each violating object with its reason and message and, below
 * it, its diff. Empty when everything complies.
 */
export function violationLines(c: ClusterPolicyCompliance, prefix: string, paint: Painter): string {
  const lines: string[] = [];
  for (const t of c.templates) {
    if (t.compliance === 'Compliant') continue;
    const head = `${prefix}template ${t.name}: ${paint(t.compliance, TONES[t.compliance])}`;
    lines.push(`${head}${t.reason ? ` (${t.reason})` : ''}${t.message ? `: ${t.message}` : ''}`);
    for (const o of t.objects) {
      if (o.compliant) continue;
      lines.push(`${prefix}  ${objectName(o)}: ${o.reason}${o.message ? `: ${o.message}` : ''}`);
      if (o.diff) for (const d of o.diff.replace(/\n+$/, '').split('\n')) lines.push(`${prefix}      ${d}`);
    }
    if (t.omittedObjects) lines.push(`${prefix}  ... and ${t.omittedObjects} more violating objects`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** Table of current compliance rows: one per cluster (`by: 'cluster'`) or per policy (`by: 'policy'`). */
export function complianceTable(rows: readonly ClusterPolicyCompliance[], by: 'cluster' | 'policy', now: Date, paint: Painter): string {
  return renderTable(
    [by === 'cluster' ? 'CLUSTER' : 'POLICY', 'COMPLIANCE', 'VIOLATIONS', 'SINCE', 'EVALUATED'],
    rows.map((c) => [
      by === 'cluster' ? c.cluster : c.policy,
      stateText(c),
      String(violationCount(c)),
      c.since ? age(c.since, now) : NONE,
      c.evaluatedAt ? `${age(c.evaluatedAt, now)} ago` : NONE,
    ]),
    paint,
  );
}

/** Non-compliant first, then by name (`by`). */
export function sortCompliance<T extends ClusterPolicyCompliance>(rows: readonly T[], by: 'cluster' | 'policy'): T[] {
  return [...rows].sort((a, b) => stateRank(a.compliance) - stateRank(b.compliance) || a[by].localeCompare(b[by]));
}

/** The table of `tether compliance history`: TIME, CLUSTER, POLICY, COMPLIANCE, PREVIOUS, VIOLATIONS, MESSAGE. */
export function renderHistory(events: readonly ComplianceEvent[], paint: Painter): string {
  return renderTable(
    ['TIME', 'CLUSTER', 'POLICY', 'COMPLIANCE', 'PREVIOUS', 'VIOLATIONS', 'MESSAGE'],
    events.map((e) => [
      e.time,
      e.cluster,
      e.policy,
      complianceCell(e.compliance),
      e.previous ?? '-',
      String(e.violations),
      e.message || '',
    ]),
    paint,
  );
}
