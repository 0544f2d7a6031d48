import type { ClusterPolicyCompliance, ComplianceEvent } from '../../../../shared/compliance.js';
import type { ComplianceState } from '../../../../shared/resources/policy.js';
import type { ComplianceReportData, ReportPolicy } from './report-data.js';
import { summaryByControl, summaryByStandard, violationsOf, type SummaryLine } from './summary.js';

/**
 * The HTML report: one printable page a person can hand to an auditor. Self-contained (inline CSS,
 * no script, no image, no external request: the Content-Security-Policy the route sends can forbid
 * everything but inline style), print-friendly (page breaks between sections, no colour needed to
 * read a state: every state is also written out). Every value from the data is escaped.
 *
 * Sections: title and generation time, the filters, the summary per standard and per control, the
 * clusters (each policy's state with its timestamps and violations), then the history window.
 */

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
body{font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111;margin:24px;max-width:1100px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:2px solid #333;padding-bottom:2px}
h3{font-size:14px;margin:18px 0 6px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}th,td{border:1px solid #999;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eee}td.n{text-align:right}dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px;margin:0}
dt{font-weight:600}.state{font-weight:600;white-space:nowrap}
.NonCompliant{color:#a00}.Compliant{color:#060}.Pending{color:#850}.Unknown{color:#555}
.note{color:#444;font-style:italic}ul{margin:2px 0;padding-left:18px}
@media print{body{margin:0}h2{break-after:avoid}tr,li{break-inside:avoid}section{break-before:page}section:first-of-type{break-before:auto}
th{background:none}.NonCompliant,.Compliant,.Pending,.Unknown{color:#000}}
`;

const STATES: ComplianceState[] = ['Compliant', 'NonCompliant', 'Pending', 'Unknown'];
const e = escapeHtml;
const state = (s: ComplianceState) => `<span class="state ${s}">${e(s)}</span>`;
const list = (values: readonly string[]) => (values.length ? values.map(e).join(', ') : '—');
const time = (t: string | undefined) => (t ? `<time datetime="${e(t)}">${e(t)}</time>` : '—');

function filtersSection(data: ComplianceReportData): string {
  const f = data.filters;
  const rows: [string, string | undefined][] = [
    ['Standard', f.standard],
    ['Category', f.category],
    ['Control', f.control],
    ['Cluster', f.cluster],
    ['Policy', f.policy],
  ];
  return [
    '<dl>',
    ...rows.map(([k, v]) => `<dt>${k}</dt><dd>${v === undefined ? 'all' : e(v)}</dd>`),
    `<dt>History window</dt><dd>${time(f.since)} to ${time(f.until)}</dd>`,
    '</dl>',
  ].join('\n');
}

function summaryTable(title: string, lines: SummaryLine[], withStandards: boolean): string {
  if (!lines.length) return `<h3>${e(title)}</h3><p class="note">No policy in scope.</p>`;
  return [
    `<h3>${e(title)}</h3>`,
    '<table><thead><tr>',
    `<th>${withStandards ? 'Control' : 'Standard'}</th>${withStandards ? '<th>Standards</th>' : ''}`,
    ...STATES.map((s) => `<th>Clusters ${e(s)}</th>`),
    '<th>Policies</th><th>Non-compliant clusters</th></tr></thead><tbody>',
    ...lines.map(
      (l) =>
        `<tr><td>${e(l.name)}</td>${withStandards ? `<td>${list(l.standards)}</td>` : ''}${STATES.map((s) => `<td class="n">${l.clusters[s]}</td>`).join('')}<td>${list(l.policies)}</td><td>${list(l.nonCompliantClusters)}</td></tr>`,
    ),
    '</tbody></table>',
  ].join('\n');
}

function policiesTable(policies: ReportPolicy[]): string {
  if (!policies.length) return '<p class="note">No policy in scope.</p>';
  return [
    '<table><thead><tr><th>Policy</th><th>Severity</th><th>Action</th><th>Standards</th><th>Categories</th><th>Controls</th><th>Roll-up</th></tr></thead><tbody>',
    ...policies.map(
      (p) =>
        `<tr><td>${e(p.name)}${p.disabled ? ' <span class="note">(disabled)</span>' : ''}${p.description ? `<br><span class="note">${e(p.description)}</span>` : ''}</td><td>${e(p.severity ?? '—')}</td><td>${e(p.remediationAction)}</td><td>${list(p.standards)}</td><td>${list(p.categories)}</td><td>${list(p.controls)}</td><td>${p.compliant ? state(p.compliant) : '—'}</td></tr>`,
    ),
    '</tbody></table>',
  ].join('\n');
}

function violationsCell(row: ClusterPolicyCompliance): string {
  const items = violationsOf(row);
  const omitted = row.templates.reduce((n, t) => n + (t.omittedObjects ?? 0), 0);
  const reasons = row.templates.filter(
    (t) => t.compliance !== 'Compliant' && (t.reason || t.message) && !t.objects.some((o) => !o.compliant),
  );
  const parts = [
    ...items.map((v) => `<li>${e(v.template)}: ${e(v.text)}</li>`),
    ...reasons.map(
      (t) => `<li>${e(t.name)}: ${e(t.compliance)}${t.reason ? ` (${e(t.reason)})` : ''}${t.message ? ` ${e(t.message)}` : ''}</li>`,
    ),
    ...(omitted ? [`<li class="note">and ${omitted} more violating objects not listed</li>`] : []),
  ];
  if (row.compliance === 'Unknown' && row.lastReported)
    parts.unshift(`<li class="note">agent silent; last reported ${e(row.lastReported)}</li>`);
  return parts.length ? `<ul>${parts.join('')}</ul>` : '—';
}

function clustersSection(rows: ClusterPolicyCompliance[]): string {
  if (!rows.length) return '<p class="note">No cluster in scope.</p>';
  const byCluster = new Map<string, ClusterPolicyCompliance[]>();
  for (const r of rows) byCluster.set(r.cluster, [...(byCluster.get(r.cluster) ?? []), r]);
  return [...byCluster]
    .map(([cluster, list]) => {
      const counts = STATES.map((s) => [s, list.filter((r) => r.compliance === s).length] as const).filter(([, n]) => n > 0);
      return [
        `<h3>Cluster ${e(cluster)}</h3>`,
        `<p>${counts.map(([s, n]) => `${n} ${state(s)}`).join(', ')}</p>`,
        '<table><thead><tr><th>Policy</th><th>Compliance</th><th>Since</th><th>Evaluated at</th><th>Violations</th></tr></thead><tbody>',
        ...list.map(
          (r) =>
            `<tr><td>${e(r.policy)}</td><td>${state(r.compliance)}</td><td>${time(r.since)}</td><td>${time(r.evaluatedAt)}</td><td>${violationsCell(r)}</td></tr>`,
        ),
        '</tbody></table>',
      ].join('\n');
    })
    .join('\n');
}

function historySection(events: ComplianceEvent[], truncated: boolean): string {
  const note = truncated
    ? `<p class="note">The window holds more events than this report carries: the ${events.length} newest are listed. The complete history is available from GET /v1/compliance/events (tether compliance history).</p>`
    : `<p class="note">${events.length} events, newest first.</p>`;
  if (!events.length) return `${note}`;
  return [
    note,
    '<table><thead><tr><th>Time</th><th>Cluster</th><th>Policy</th><th>Change</th><th>Violations</th><th>Message</th></tr></thead><tbody>',
    ...events.map(
      (ev) =>
        `<tr><td>${time(ev.time)}</td><td>${e(ev.cluster)}</td><td>${e(ev.policy)}</td><td>${ev.previous ? `${state(ev.previous)} → ` : ''}${state(ev.compliance)}</td><td class="n">${ev.violations}</td><td>${e(ev.message)}</td></tr>`,
    ),
    '</tbody></table>',
  ].join('\n');
}

/** The whole page. */
export function renderHtml(data: ComplianceReportData): string {
  const scope = data.filters.standard ? ` — ${data.filters.standard}` : '';
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(`Tether compliance report${scope}`)}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body>',
    '<header>',
    `<h1>${e(`Compliance report${scope}`)}</h1>`,
    `<p>Generated by Tether at ${time(data.generatedAt)}. ${data.policies.length} policies, ${new Set(data.rows.map((r) => r.cluster)).size} clusters in scope.</p>`,
    filtersSection(data),
    '</header>',
    '<section><h2>Summary</h2>',
    summaryTable('By standard', summaryByStandard(data), false),
    summaryTable('By control', summaryByControl(data), true),
    '<h3>Policies</h3>',
    policiesTable(data.policies),
    '</section>',
    '<section><h2>Clusters</h2>',
    '<p class="note">Current compliance of every cluster with every policy in scope. A cluster whose agent is silent shows Unknown, never its last answer as current.</p>',
    clustersSection(data.rows),
    '</section>',
    '<section><h2>History</h2>',
    `<p>Changes of compliance from ${time(data.filters.since)} to ${time(data.filters.until)}.</p>`,
    historySection(data.events, data.eventsTruncated),
    '</section>',
    '</body></html>',
    '',
  ].join('\n');
}
