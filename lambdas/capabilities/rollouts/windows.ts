import { CronExpressionParser } from 'cron-parser';
import { parseDuration } from '../../../shared/duration.js';
import { zoneFromLabel, type MaintenanceWindow } from '../../../shared/resources/fleetdeployment.js';

/**
 * Maintenance windows in each cluster's local time. A window is a cron schedule (when it opens),
 * a duration (how long it stays open, in elapsed time) and a zone: fixed (`timeZone`) or read from
 * a cluster label (`timeZoneLabel`), so "02:00-04:00 store local time" works across a continent.
 *
 * A window is open at `now` when the most recent start of its schedule, in its zone, lies within
 * `duration` before `now`. Durations are elapsed time. Across DST changes the schedule behaves as
 * Vixie cron: on the night clocks spring forward, a start inside the skipped hour happens right
 * after the jump (02:30 becomes 03:30); on the night they fall back, a start inside the repeated
 * hour happens once, the first time.
 */

/** The zone a window uses for one cluster, and why it fell back when it did. */
export interface WindowZone {
  zone: string;
  problem?: string;
}

/**
 * The zone of `window` for a cluster with these labels: the label's zone when `timeZoneLabel` is
 * set and holds a known zone (written with `.` for `/`, e.g. `Europe.Berlin`), else `timeZone`,
 * else UTC. A missing or unknown label value is reported in `problem`.
 */
export function windowZone(window: MaintenanceWindow, labels: Record<string, string> | undefined): WindowZone {
  const fallback = window.timeZone ?? 'UTC';
  if (!window.timeZoneLabel) return { zone: fallback };
  const raw = labels?.[window.timeZoneLabel];
  const zone = zoneFromLabel(raw);
  if (zone) return { zone };
  const why =
    raw === undefined
      ? `has no label ${window.timeZoneLabel}`
      : `label ${window.timeZoneLabel}="${raw}" is not a known time zone (write "/" as ".", e.g. America.New_York)`;
  return { zone: fallback, problem: `cluster ${why}; its window uses ${fallback}` };
}

/**
 * Is one window open at `now` (epoch ms) in `zone`, and when does it open (or did it)? Open means a
 * start of the schedule lies in `(now - duration, now]`: the first start after `now - duration` is
 * found with cron-parser's `next()`, whose DST handling is Vixie cron's (a start in a skipped hour
 * happens right after the jump; a start in a repeated hour happens once).
 */
export function windowOpenAt(window: MaintenanceWindow, zone: string, now: number): { open: boolean; opensAt: number; closesAt: number } {
  const durationMs = parseDuration(window.duration) ?? 0;
  const start = CronExpressionParser.parse(window.schedule, { currentDate: new Date(now - durationMs), tz: zone })
    .next()
    .getTime();
  return { open: start <= now, opensAt: start, closesAt: start + durationMs };
}

/** The verdict for one cluster: open or not, when the next window opens, and any zone problem. */
export interface WindowVerdict {
  open: boolean;
  /** Epoch ms of the next opening when closed. */
  nextOpenAt?: number;
  problem?: string;
}

/**
 * Evaluates windows for many clusters at one instant, memoising per window and zone: a fleet in
 * three zones costs three cron evaluations per window, not one per cluster.
 */
export class WindowEvaluator {
  private readonly memo = new Map<string, { open: boolean; opensAt: number }>();

  constructor(
    private readonly windows: MaintenanceWindow[],
    private readonly now: number,
  ) {}

  /** Open when there are no windows, or when any window is open in the cluster's zone. */
  verdict(labels: Record<string, string> | undefined): WindowVerdict {
    if (this.windows.length === 0) return { open: true };
    let nextOpenAt: number | undefined;
    let problem: string | undefined;
    for (let i = 0; i < this.windows.length; i++) {
      const w = this.windows[i];
      const z = windowZone(w, labels);
      problem ??= z.problem;
      const key = `${i}|${z.zone}`;
      let r = this.memo.get(key);
      if (!r) {
        r = windowOpenAt(w, z.zone, this.now);
        this.memo.set(key, r);
      }
      if (r.open) return { open: true, ...(problem ? { problem } : {}) };
      nextOpenAt = nextOpenAt === undefined ? r.opensAt : Math.min(nextOpenAt, r.opensAt);
    }
    return { open: false, nextOpenAt, ...(problem ? { problem } : {}) };
  }
}

/**
 * Pure: is a cluster with these labels inside one of its maintenance windows at `now`?
 * No windows means always.
 * @example isInWindow([{ schedule: '0 2 * * *', duration: '2h', timeZoneLabel: 'tether.dev/timezone' }], { 'tether.dev/timezone': 'Europe.Berlin' }, new Date())
 */
export function isInWindow(windows: MaintenanceWindow[], clusterLabels: Record<string, string> | undefined, now: Date | number): boolean {
  return new WindowEvaluator(windows, typeof now === 'number' ? now : now.getTime()).verdict(clusterLabels).open;
}
