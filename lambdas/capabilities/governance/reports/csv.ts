import type { ReportPolicy, ComplianceReportData } from './report-data.js';
import { firstMessage, violationCount } from './summary.js';

/**
 * The CSV report: one row per cluster and policy (current compliance), RFC 4180 (CRLF line ends,
 * every field quoted when it holds a comma, quote, CR or LF, quotes doubled), UTF-8 with no byte
 * order mark. A cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
 * tab or CR) gets a leading `'`: names and messages come from clusters, never trust them.
 */

export const CSV_COLUMNS = [
  'cluster',
  'policy',
  'compliance',
  'since',
  'evaluatedAt',
  'severity',
  'standards',
  'categories',
  'controls',
  'violations',
  'message',
] as const;

/** Neutralises spreadsheet formulas, then quotes per RFC 4180 where needed. */
export function csvCell(value: string | number | undefined): string {
  let text = value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Several values in one cell. */
const list = (values: readonly string[]) => values.join('; ');

export function renderCsv(data: ComplianceReportData): string {
  const policies = new Map<string, ReportPolicy>(data.policies.map((p) => [p.name, p]));
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of data.rows) {
    const p = policies.get(row.policy);
    lines.push(
      [
        row.cluster,
        row.policy,
        row.compliance,
        row.since,
        row.evaluatedAt,
        p?.severity,
        list(p?.standards ?? []),
        list(p?.categories ?? []),
        list(p?.controls ?? []),
        violationCount(row),
        firstMessage(row),
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
