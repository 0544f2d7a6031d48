/**
 * The queryable audit trail: audit events as stored, newest first. Denials repeated within a flush
 * interval are stored once with a count (a flood of bad tokens is a few items, not one per request).
 */

/** One stored audit record. */
export interface AuditRecord {
  /** Unique id (time-ordered within a day). */
  id: string;
  /** RFC 3339 time of the event (the last one, for an aggregated denial). */
  time: string;
  action: string;
  outcome: 'allowed' | 'denied';
  cluster?: string;
  actor?: string;
  reason?: string;
  sourceIp?: string;
  /** How many identical denials this record stands for (1 for every allowed event). */
  count: number;
  /** Time of the first of `count` aggregated denials. */
  firstTime?: string;
  /** The event's other fields (object names, revisions, ...). Never a token or Secret value. */
  details?: Record<string, unknown>;
}

/** What `GET /v1/audit` and `tether audit` filter by. */
export interface AuditQuery {
  /** Epoch ms, inclusive. */
  since: number;
  /** Epoch ms, inclusive. */
  until: number;
  /** Exact action, or a prefix ending in `.` (`cluster.`). */
  action?: string;
  outcome?: 'allowed' | 'denied';
  cluster?: string;
  limit: number;
  cursor?: string;
}

export interface AuditStore {
  /** Appends records (idempotent per id). */
  append(records: readonly AuditRecord[]): Promise<void>;
  /** Records matching the query, newest first, one page at a time. */
  query(q: AuditQuery): Promise<{ items: AuditRecord[]; cursor?: string }>;
}

/** Does a record match a query's filters (not its time range)? */
export function auditMatches(r: AuditRecord, q: Pick<AuditQuery, 'action' | 'outcome' | 'cluster'>): boolean {
  if (q.outcome && r.outcome !== q.outcome) return false;
  if (q.cluster && r.cluster !== q.cluster) return false;
  if (q.action) return q.action.endsWith('.') ? r.action.startsWith(q.action) : r.action === q.action;
  return true;
}

/** How long audit records are kept (checked on read; DynamoDB TTL only cleans up). */
export const AUDIT_RETENTION_DAYS = 366;
