import type { AuditEvent } from './tenancy.js';

/**
 * How an audit event reads to a person: the outcome, the rule that decided, a one-line summary of
 * the diff, and the CSV an auditor exports (`tether audit -o csv`, the console's export). Shared
 * by the CLI and the console so both say the same thing.
 */

/** Allowed or denied: the decision when there is one, else the response code (401 and 403 are denials). */
export function auditOutcome(e: AuditEvent): 'allowed' | 'denied' {
  if (e.decision) return e.decision.allowed ? 'allowed' : 'denied';
  // 429: refused before authentication (too many failed sign-ins from the source).
  return [401, 403, 429].includes(e.responseStatus.code) ? 'denied' : 'allowed';
}

/** How many identical requests an event stands for (a flood of denials is one event). */
export function auditCount(e: AuditEvent): number {
  const n = Number(e.annotations?.['tether.dev/count'] ?? '1');
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/** `works/pos` or `clusters/c1/accept`, with the cluster of a namespaced object: `audit-c1/works/pos`. */
export function auditObject(e: AuditEvent): string {
  const r = e.objectRef;
  if (!r?.resource) return '';
  return [r.namespace, r.resource, r.name, r.subresource].filter(Boolean).join('/');
}

/** Paths a merge patch touches (`spec.replicas`), at most `depth` deep. */
function patchPaths(patch: unknown, prefix: string, depth: number, out: string[]): void {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch) || depth === 0) {
    out.push(patch === null ? `-${prefix}` : prefix);
    return;
  }
  const entries = Object.entries(patch as Record<string, unknown>);
  if (!entries.length) return;
  for (const [k, v] of entries) patchPaths(v, prefix ? `${prefix}.${k}` : k, depth - 1, out);
}

/**
 * A one-line summary of an event's diff: the fields it changed (a leading `-` for a removed one),
 * `deleted` for a delete, empty when the event has no diff.
 */
export function auditDiffSummary(e: AuditEvent, max = 8): string {
  if (!('diff' in e) || e.diff === undefined) return '';
  if (e.diff === null) return 'deleted';
  const paths: string[] = [];
  patchPaths(e.diff, '', 4, paths);
  const shown = paths.slice(0, max).join(' ');
  return paths.length > max ? `${shown} (+${paths.length - max} more)` : shown;
}

/** The CSV columns of an audit export, in order. */
export const AUDIT_CSV_COLUMNS = [
  'time',
  'user',
  'groups',
  'verb',
  'kind',
  'cluster',
  'name',
  'clusterSets',
  'outcome',
  'code',
  'rule',
  'count',
  'sourceIP',
  'auditID',
  'diff',
] as const;

/** One event as the values of {@link AUDIT_CSV_COLUMNS}. */
export function auditCsvValues(e: AuditEvent): string[] {
  return [
    e.stageTimestamp,
    e.user.username,
    (e.user.groups ?? []).join(' '),
    e.verb,
    e.objectRef?.resource ?? '',
    e.objectRef?.namespace ?? '',
    [e.objectRef?.name, e.objectRef?.subresource].filter(Boolean).join('/'),
    (e.clusterSets ?? []).join(' '),
    auditOutcome(e),
    String(e.responseStatus.code),
    e.decision?.reason ?? '',
    String(auditCount(e)),
    (e.sourceIPs ?? []).join(' '),
    e.auditID,
    auditDiffSummary(e),
  ];
}

/** A CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a leading `=+-@` is neutralised for spreadsheets. */
export function csvField(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Audit events as a CSV document with a header row. */
export function auditCsv(events: readonly AuditEvent[]): string {
  return [AUDIT_CSV_COLUMNS.join(','), ...events.map((e) => auditCsvValues(e).map(csvField).join(','))].join('\n') + '\n';
}
