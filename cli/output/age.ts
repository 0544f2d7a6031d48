/**
 * Ages and durations the way kubectl prints them in tables: one unit, rounded down (5s, 3m, 2h, 4d, 2y).
 */

/** Formats a duration in milliseconds as `5s`, `3m`, `2h`, `4d` or `2y`. */
export function shortDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${Math.max(seconds, 0)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 365) return `${days}d`;
  return `${Math.floor(days / 365)}y`;
}

/** The age of an RFC 3339 timestamp at `now`, or `<unknown>` when it is missing or unreadable. */
export function age(timestamp: string | undefined, now: Date): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return '<unknown>';
  return shortDuration(now.getTime() - t);
}

/**
 * Parses a duration flag such as `24h`, `1h30m`, `90s`, `7d` or a plain number of seconds.
 * @returns seconds, or undefined when the text is not a duration.
 */
export function parseDurationSeconds(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  if (!/^(\d+[smhd])+$/.test(t)) return undefined;
  const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
  let total = 0;
  for (const [, n, u] of t.matchAll(/(\d+)([smhd])/g)) total += Number(n) * unit[u];
  return total;
}
