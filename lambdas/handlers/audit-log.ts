import { randomUUID } from 'node:crypto';
import type { AuditEvent as TrailEvent } from '../../shared/tenancy.js';
import { AUDIT_COUNT_ANNOTATION, eventOfLegacy, outcomeOf, type AuditStore, type LegacyAuditRecord } from '../ports/audit-store.js';
import type { SecurityEvent as AuditEvent, AuditLog, Log } from '../ports/log.js';

/** How long repeated denials are counted before their aggregate is written. */
export const AUDIT_DENIAL_FLUSH_MS = 10_000;
/** Distinct denials buffered at most; a flood of varied denials flushes early. */
export const AUDIT_MAX_BUFFERED = 500;
/**
 * Distinct denials (action, reason, source, cluster) logged line by line per window; beyond it a
 * window's further distinct denials are only counted, per action and reason, in one summary line
 * each, so even a flood of ever-different denials writes a bounded number of lines.
 */
export const AUDIT_MAX_LOGGED_DENIALS = 100;

/** The log lines of denials in the current window: repeats are counted, not logged. */
interface DenialLines {
  start: number;
  /** Per denial key: the event logged first, and how often it came again since. */
  seen: Map<string, { event: AuditEvent; repeats: number; firstTime?: string; lastTime?: string }>;
  /** Denials past {@link AUDIT_MAX_LOGGED_DENIALS} distinct ones, per action and reason. */
  overflow: Map<string, { action: string; reason?: string; count: number }>;
}

const KNOWN = new Set(['action', 'outcome', 'cluster', 'actor', 'reason', 'sourceIp']);

/** Per-process sequence, so that events of one millisecond keep their order (ids sort after the time). */
let sequence = 0;
const processTag = randomUUID().slice(0, 8);

function recordOf(e: AuditEvent, time: string): LegacyAuditRecord {
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

/** What makes two denials the same, for counting: who, what, how refused, from where. */
function denialKey(e: TrailEvent): string {
  return [
    e.user.username,
    e.verb,
    e.objectRef?.resource ?? '',
    e.objectRef?.namespace ?? '',
    e.objectRef?.name ?? '',
    e.responseStatus.code,
    e.responseStatus.reason ?? e.decision?.reason ?? '',
    (e.sourceIPs ?? []).join(','),
  ].join('\u0000');
}

/** A buffered denial: the first event, how many it stands for, and the last one's time. */
interface Denial {
  event: TrailEvent;
  count: number;
}

/** The denial as stored: the first event's id and received time, the last one's time, and the count. */
function denialEvent({ event, count }: Denial): TrailEvent {
  return count > 1 ? { ...event, annotations: { ...event.annotations, [AUDIT_COUNT_ANNOTATION]: String(count) } } : event;
}

/**
 * The hub's audit log: every event goes to the structured log (the `audit` key) and to the
 * queryable audit store. Allowed events are logged at once, one line each. A denial is logged at
 * once the first time it is seen in a window of {@link AUDIT_DENIAL_FLUSH_MS}; its repeats in the
 * window are counted and logged as one line with `count` when the window ends, so a client that
 * floods with a bad credential writes a few lines every 10 s, not one a request (at 1,000 requests
 * a second that was about 1.3 GB of log an hour); past {@link AUDIT_MAX_LOGGED_DENIALS} distinct
 * denials a window, the rest are counted per action and reason. The local hub's sink (its
 * audit.log file) receives the same lines.
 *
 * The store holds audit events of the Kubernetes shape (shared/tenancy.ts): a recorded security
 * event becomes one ({@link eventOfLegacy}) unless the caller says it is folded into a request's
 * event. In the store, allowed events are written as they come (the admin API awaits {@link flush} before
 * it answers, so they are stored by then); denials are counted per user, verb, object, status, reason and
 * source and written as one audit event with a count when the oldest is {@link AUDIT_DENIAL_FLUSH_MS}
 * old, so a flood of bad credentials costs a few writes, not one a request, and adds no write to a
 * denied request's path. A failed write is logged, never thrown:
 * the request the event describes has already happened.
 */
export class StoredAuditLog implements AuditLog {
  private pending: TrailEvent[] = [];
  private readonly denials = new Map<string, Denial>();
  private oldestDenial: number | undefined;
  private writing: Promise<void> = Promise.resolve();
  private lines: DenialLines | undefined;

  constructor(
    private readonly store: AuditStore | undefined,
    private readonly log: Log,
    private readonly now: () => number = Date.now,
    private readonly sink?: (event: AuditEvent) => void,
  ) {}

  record(event: AuditEvent, opts: { store?: boolean } = {}): void {
    const now = this.now();
    const time = new Date(now).toISOString();
    this.summariseLines(now, false);
    const key =
      event.outcome === 'denied' ? [event.action, event.reason ?? '', event.sourceIp ?? '', event.cluster ?? ''].join('\u0000') : '';
    if (event.outcome === 'allowed') this.emit('info', event);
    else this.logDenial(key, event, now, time);
    if (opts.store === false) return;
    this.append(eventOfLegacy(recordOf(event, time)));
  }

  /**
   * Buffers an audit event for the store: an allowed one is written at once (the admin API awaits
   * {@link flush} before it answers); a denial is counted with its identical repeats and written
   * as one event with a count once the oldest is {@link AUDIT_DENIAL_FLUSH_MS} old. Returns the
   * auditID the event is stored under (for a repeated denial, the aggregate's).
   */
  append(event: TrailEvent): string {
    if (!this.store) return event.auditID;
    if (outcomeOf(event) === 'allowed') {
      this.pending.push(event);
      void this.write(false);
      return event.auditID;
    }
    const now = this.now();
    const key = denialKey(event);
    const seen = this.denials.get(key);
    if (seen) {
      seen.count += 1;
      seen.event = { ...seen.event, stageTimestamp: event.stageTimestamp };
    } else {
      this.denials.set(key, { event, count: 1 });
      this.oldestDenial ??= now;
    }
    const id = (seen ?? this.denials.get(key))!.event.auditID;
    if (this.denials.size >= AUDIT_MAX_BUFFERED || (this.oldestDenial !== undefined && now - this.oldestDenial >= AUDIT_DENIAL_FLUSH_MS))
      void this.write(true);
    return id;
  }

  private emit(level: 'info' | 'warn', event: AuditEvent): void {
    this.log[level]('audit', { audit: event });
    this.sink?.(event);
  }

  /** Logs a denial the first time it is seen in the window; counts its repeats for the summary. */
  private logDenial(key: string, event: AuditEvent, now: number, time: string): void {
    this.lines ??= { start: now, seen: new Map(), overflow: new Map() };
    const seen = this.lines.seen.get(key);
    if (seen) {
      seen.repeats += 1;
      seen.firstTime ??= time;
      seen.lastTime = time;
    } else if (this.lines.seen.size < AUDIT_MAX_LOGGED_DENIALS) {
      this.lines.seen.set(key, { event, repeats: 0 });
      this.emit('warn', event);
    } else {
      const byReason = [event.action, event.reason ?? ''].join('\u0000');
      const o = this.lines.overflow.get(byReason) ?? { action: event.action, reason: event.reason, count: 0 };
      o.count += 1;
      this.lines.overflow.set(byReason, o);
    }
  }

  /**
   * Ends the window of denial log lines when it is {@link AUDIT_DENIAL_FLUSH_MS} old (or `force`):
   * one line per denial that came again, with `count` the repeats after its first line (so the sum
   * of `count`, 1 where absent, over the audit lines is the number of denials), and one per action
   * and reason for denials past the distinct limit.
   */
  private summariseLines(now: number, force: boolean): void {
    const lines = this.lines;
    if (!lines || (!force && now - lines.start < AUDIT_DENIAL_FLUSH_MS)) return;
    this.lines = undefined;
    for (const { event, repeats, firstTime, lastTime } of lines.seen.values()) {
      if (repeats > 0) this.emit('warn', { ...event, count: repeats, aggregated: true, firstTime, lastTime });
    }
    for (const o of lines.overflow.values()) {
      this.emit('warn', {
        action: o.action,
        outcome: 'denied',
        ...(o.reason ? { reason: o.reason } : {}),
        count: o.count,
        aggregated: true,
        note: `more than ${AUDIT_MAX_LOGGED_DENIALS} distinct denials in ${AUDIT_DENIAL_FLUSH_MS / 1000} s; these were counted, not logged one by one`,
      });
    }
  }

  /**
   * Writes what is buffered: the allowed events, and the denial aggregates when `denials` is set or
   * their time has come (their summary log lines too). Concurrent calls are serialised.
   */
  flush(denials = false): Promise<void> {
    this.summariseLines(this.now(), denials);
    return this.write(denials);
  }

  /** The store side of {@link flush}; the log window is left alone (a full buffer is no reason to end it). */
  private write(denials: boolean): Promise<void> {
    const now = this.now();
    const dueDenials = denials || (this.oldestDenial !== undefined && now - this.oldestDenial >= AUDIT_DENIAL_FLUSH_MS);
    const batch = [...this.pending, ...(dueDenials ? [...this.denials.values()].map(denialEvent) : [])];
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
