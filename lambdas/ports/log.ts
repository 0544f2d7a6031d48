import type { Resource } from '../../shared/resources/meta.js';
import type { AuditEvent as TrailEvent } from '../../shared/tenancy.js';

/**
 * Structured logging as the domain sees it. Powertools' Logger satisfies this shape; so does a
 * console-backed logger for the CLI. Callers never pass secrets (tokens, Secret data) in fields.
 */
export interface Log {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * A write the resource service made: what an admin request's audit scope turns into the event's
 * object reference and redacted diff (the service has both objects, so no read is added).
 */
export interface ResourceChange {
  verb: 'create' | 'update' | 'delete';
  kind: string;
  /** The kind's plural: the event's `objectRef.resource`. */
  plural: string;
  /** The object before the write (absent for a create). */
  old?: Resource;
  /** The object after the write (absent for a delete; for a delete that finalises, the marked object). */
  new?: Resource;
}

/**
 * Security-relevant events (auth failures, token use, acceptance decisions) and the audit trail.
 * Outside an admin request, `record`ed events are logged and stored as audit events of their own;
 * inside one, the request's audit scope (lambdas/http/request-audit.ts) folds them into the one
 * event the request leaves.
 */
export interface AuditLog {
  /** Logs a security event and (unless `store` is false) stores it as an audit event. */
  record(event: SecurityEvent, opts?: { store?: boolean }): void;
  /**
   * Stores an audit event (a denial counted with its repeats); returns the auditID it is stored
   * under: its own, or for a repeated denial the aggregate's.
   */
  append?(event: TrailEvent): string;
  /** A write by the resource service; only an admin request's audit scope listens. */
  change?(change: ResourceChange): void;
  /** Writes buffered events to the audit store (`denials`: the denial aggregates too, now). */
  flush?(denials?: boolean): Promise<void>;
}

/** A security event in the hub's own words (action, outcome, cluster, ...), as logged. */
export interface SecurityEvent {
  action: string;
  outcome: 'allowed' | 'denied';
  cluster?: string;
  actor?: string;
  reason?: string;
  sourceIp?: string;
  [key: string]: unknown;
}

/** The security event's former name. @deprecated use {@link SecurityEvent} (`AuditEvent` is the trail's shape, shared/tenancy.ts). */
export type AuditEvent = SecurityEvent;

export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };
