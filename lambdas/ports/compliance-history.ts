import type { ComplianceEvent } from '../../shared/compliance.js';
import type { ComplianceState } from '../../shared/resources/policy.js';

/**
 * The compliance history: an append-only record of every change of a cluster's compliance with a
 * policy, kept for auditors (2 years by default). Written once per change, never rewritten;
 * retention is checked on read (`since` is clamped by the caller), TTL only cleans up.
 */

/** What `GET /v1/compliance/events` filters by, resolved (times as epoch ms, inclusive). */
export interface ComplianceHistoryQuery {
  since: number;
  until: number;
  cluster?: string;
  policy?: string;
  /** Exact, case-sensitive match against one of the event's standards / categories / controls. */
  standard?: string;
  category?: string;
  control?: string;
  compliance?: ComplianceState;
  /** `desc`: newest first. */
  direction: 'asc' | 'desc';
  limit: number;
  /** Opaque, from a previous page of the same query; a cursor of another query is a ValidationError. */
  cursor?: string;
}

export interface ComplianceHistory {
  /**
   * Appends events (idempotent per id). `expiresAt` (epoch seconds) is when each may be cleaned
   * up (DynamoDB TTL); readers never rely on it.
   */
  append(events: readonly ComplianceEvent[], expiresAt: number): Promise<void>;
  /** Events matching the query, in time order (then id), one page at a time. */
  query(q: ComplianceHistoryQuery): Promise<{ items: ComplianceEvent[]; cursor?: string }>;
}

/** Does an event match a query's filters (not its time range)? */
export function complianceEventMatches(
  e: ComplianceEvent,
  q: Pick<ComplianceHistoryQuery, 'cluster' | 'policy' | 'standard' | 'category' | 'control' | 'compliance'>,
): boolean {
  if (q.cluster && e.cluster !== q.cluster) return false;
  if (q.policy && e.policy !== q.policy) return false;
  if (q.compliance && e.compliance !== q.compliance) return false;
  if (q.standard && !e.standards.includes(q.standard)) return false;
  if (q.category && !e.categories.includes(q.category)) return false;
  if (q.control && !e.controls.includes(q.control)) return false;
  return true;
}
