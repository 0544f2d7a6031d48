import { auditOutcome } from '../../shared/audit-view.js';
import type { AuditEvent } from '../../shared/tenancy.js';

/**
 * The queryable audit trail: audit events in the shape of Kubernetes' `audit.k8s.io/v1` Event
 * (shared/tenancy.ts), stored append-only, newest first. Denials repeated within a flush interval
 * are stored once with a count (annotation {@link AUDIT_COUNT_ANNOTATION}), so a flood of bad
 * tokens is a few items, not one per request.
 */

/** Annotation of an aggregated denial: how many identical denials the event stands for. */
export const AUDIT_COUNT_ANNOTATION = 'tether.dev/count';
/** Annotation: the hub's own name for what happened (`cluster.accept`, `fleetdeployment.pause`). */
export const AUDIT_ACTION_ANNOTATION = 'tether.dev/action';
/** Annotation: why (a refusal's reason, an override's justification). */
export const AUDIT_REASON_ANNOTATION = 'tether.dev/reason';

/**
 * One record as the trail stored it before it took the Kubernetes shape (until Tether 0.x's
 * tenancy work). Such items stay readable: {@link eventOfLegacy} converts them on read.
 */
export interface LegacyAuditRecord {
  id: string;
  time: string;
  action: string;
  outcome: 'allowed' | 'denied';
  cluster?: string;
  actor?: string;
  reason?: string;
  sourceIp?: string;
  count: number;
  firstTime?: string;
  details?: Record<string, unknown>;
}

/** What `GET /v1/audit` and `tether audit` filter by; every filter is exact (a verb may be a prefix ending in `.`). */
export interface AuditQuery {
  /** Epoch ms, inclusive. */
  since: number;
  /** Epoch ms, inclusive. */
  until: number;
  /** `user.username`. */
  user?: string;
  /** One verb, or a prefix ending in `.` (`agent.`: the hub's own security events of agents). */
  verb?: string;
  /** `objectRef.resource` (a kind's plural: `policies`). */
  resource?: string;
  /** `objectRef.name`. */
  name?: string;
  /** One of the event's `clusterSets`. */
  clusterSet?: string;
  outcome?: AuditOutcome;
  limit: number;
  cursor?: string;
}

export type AuditOutcome = 'allowed' | 'denied';

export interface AuditStore {
  /** Appends events (idempotent per auditID and time: writing one twice leaves one item). */
  append(events: readonly AuditEvent[]): Promise<void>;
  /**
   * Events matching the query, newest first, one page at a time. A page may hold fewer than
   * `limit` items (even none) and still carry a cursor: a store may stop early to bound the cost
   * of one page (see the DynamoDB adapter); follow the cursor until there is none.
   */
  query(q: AuditQuery): Promise<{ items: AuditEvent[]; cursor?: string }>;
}

/** Allowed or denied: the decision when there is one, else the response code (401 and 403 are denials). */
export const outcomeOf: (e: AuditEvent) => AuditOutcome = auditOutcome;

/** Does an event match a query's filters (not its time range)? */
export function auditMatches(e: AuditEvent, q: Omit<AuditQuery, 'since' | 'until' | 'limit' | 'cursor'>): boolean {
  if (q.user !== undefined && e.user.username !== q.user) return false;
  if (q.verb !== undefined && !(q.verb.endsWith('.') ? e.verb.startsWith(q.verb) : e.verb === q.verb)) return false;
  if (q.resource !== undefined && e.objectRef?.resource !== q.resource) return false;
  if (q.name !== undefined && e.objectRef?.name !== q.name) return false;
  if (q.clusterSet !== undefined && !(e.clusterSets ?? []).includes(q.clusterSet)) return false;
  if (q.outcome !== undefined && outcomeOf(e) !== q.outcome) return false;
  return true;
}

/** The object a legacy record was about: its cluster, or the FleetDeployment of a rollout action. */
function legacyObject(r: LegacyAuditRecord): AuditEvent['objectRef'] {
  const fd = r.details?.fleetDeployment;
  if (typeof fd === 'string') return { resource: 'fleetdeployments', name: fd };
  if (r.cluster) return { resource: 'clusters', name: r.cluster };
  return undefined;
}

/**
 * A record of the old shape as an audit event, so that records written before the trail took the
 * Kubernetes shape still show: the action becomes the verb (and the `tether.dev/action`
 * annotation), the actor the user, the count an annotation.
 */
export function eventOfLegacy(r: LegacyAuditRecord): AuditEvent {
  const annotations: Record<string, string> = { [AUDIT_ACTION_ANNOTATION]: r.action };
  if (r.reason) annotations[AUDIT_REASON_ANNOTATION] = r.reason;
  if (r.count > 1) annotations[AUDIT_COUNT_ANNOTATION] = String(r.count);
  for (const [k, v] of Object.entries(r.details ?? {})) {
    if (k === 'path') continue;
    annotations[`tether.dev/${k}`] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  const objectRef = legacyObject(r);
  const denied = r.outcome === 'denied';
  return {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Event',
    level: 'Metadata',
    auditID: r.id,
    stage: 'ResponseComplete',
    requestURI: typeof r.details?.path === 'string' ? r.details.path : '',
    verb: r.action,
    user: { username: r.actor ?? (denied ? 'system:anonymous' : r.cluster ? `system:agent:${r.cluster}` : 'system:hub') },
    ...(r.sourceIp ? { sourceIPs: [r.sourceIp] } : {}),
    ...(objectRef ? { objectRef } : {}),
    responseStatus: { code: denied ? 403 : 200, ...(r.reason ? { reason: r.reason } : {}) },
    requestReceivedTimestamp: r.firstTime ?? r.time,
    stageTimestamp: r.time,
    decision: { allowed: !denied, reason: r.reason ?? (denied ? 'denied' : 'allowed') },
    annotations,
  };
}

/** How long audit records are kept by default, days (checked on read; DynamoDB TTL only cleans up). */
export const AUDIT_RETENTION_DAYS = 366;
