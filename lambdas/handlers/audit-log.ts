import { randomUUID } from 'node:crypto';
import type { AuditRecord, AuditStore } from '../ports/audit-store.js';
import type { AuditEvent, AuditLog, Log } from '../ports/log.js';

/** How long repeated denials are counted before their aggregate is written. */
export const AUDIT_DENIAL_FLUSH_MS = 10_000;
/** Distinct denials buffered at most; a flood of varied denials flushes early. */
export const AUDIT_MAX_BUFFERED = 500;

const KNOWN = new Set(['action', 'outcome', 'cluster', 'actor', 'reason', 'sourceIp']);

/** Per-process sequence, so that records of one millisecond keep their order (ids sort after the time). */
let sequence = 0;
const processTag = randomUUID().slice(0, 8);

function recordOf(e: AuditEvent, time: string): AuditRecord {
  const details = Object.fromEntries(Object.entries(e).filter(([k, v]) => !KNOWN.has(k) && v !== undefined));
  return {
    id: `${String(++sequence).padStart(10, '0')}-${processTag}`,
    time,
    action: e.action,
    outcome: e.outcome,
    ...(e.cluster ? { cluster: e.cluster } : {}),
    ...(e.actor ? { actor: e.actor } : {}),
    ...(e.reason ? { reason: e.reason } : {}),
    ...(e.sourceIp ? { sourceIp: e.sourceIp } : {}),
    count: 1,
    ...(Object.keys(details).length ? { details } : {}),
  };
}

/**
 * The hub's audit log: every event goes to the structured log at once (the `audit` key, as before,
 * so CloudWatch keeps the complete trail) and to the queryable audit store. Allowed events are
 * written as they come (the admin API awaits {@link flush} before it answers, so they are stored by
 * then); denials are counted per action, reason, source and cluster and written as one record with
 * a count when the oldest is {@link AUDIT_DENIAL_FLUSH_MS} old, so a flood of bad credentials costs a few writes, not one a
 * request, and adds no write to a denied request's path. A failed write is logged, never thrown:
 * the request the event describes has already happened.
 */
export class StoredAuditLog implements AuditLog {
  private pending: AuditRecord[] = [];
  private readonly denials = new Map<string, AuditRecord>();
  private oldestDenial: number | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: AuditStore | undefined,
    private readonly log: Log,
    private readonly now: () => number = Date.now,
    private readonly sink?: (event: AuditEvent) => void,
  ) {}

  record(event: AuditEvent): void {
    (event.outcome === 'denied' ? this.log.warn : this.log.info).call(this.log, 'audit', { audit: event });
    this.sink?.(event);
    if (!this.store) return;
    const now = this.now();
    const time = new Date(now).toISOString();
    if (event.outcome === 'allowed') {
      this.pending.push(recordOf(event, time));
    } else {
      const key = [event.action, event.reason ?? '', event.sourceIp ?? '', event.cluster ?? ''].join('\u0000');
      const seen = this.denials.get(key);
      if (seen) {
        seen.count += 1;
        seen.time = time;
      } else {
        this.denials.set(key, { ...recordOf(event, time), firstTime: time });
        this.oldestDenial ??= now;
      }
    }
    if (event.outcome === 'allowed') void this.flush();
    else if (
      this.denials.size >= AUDIT_MAX_BUFFERED ||
      (this.oldestDenial !== undefined && now - this.oldestDenial >= AUDIT_DENIAL_FLUSH_MS)
    )
      void this.flush(true);
  }

  /**
   * Writes what is buffered: the allowed events, and the denial aggregates when `denials` is set or
   * their time has come. Concurrent calls are serialised.
   */
  flush(denials = false): Promise<void> {
    const now = this.now();
    const dueDenials = denials || (this.oldestDenial !== undefined && now - this.oldestDenial >= AUDIT_DENIAL_FLUSH_MS);
    const batch = [...this.pending, ...(dueDenials ? this.denials.values() : [])];
    if (!this.store || !batch.length) return this.writing;
    this.pending = [];
    if (dueDenials) {
      this.denials.clear();
      this.oldestDenial = undefined;
    }
    const store = this.store;
    this.writing = this.writing.then(() =>
      store
        .append(batch)
        .catch((err) =>
          this.log.error('audit store: write failed; the events are in the log', { count: batch.length, error: (err as Error).message }),
        ),
    );
    return this.writing;
  }
}
