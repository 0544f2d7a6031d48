import { formatDuration } from '../../shared/duration.js';

/** The age of an RFC 3339 timestamp at `now` the way kubectl prints it (`5s`, `3m`, `2h`, `4d`, `2y`), or `<unknown>` when it is missing or unreadable. */
export function age(timestamp: string | undefined, now: Date): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return '<unknown>';
  return formatDuration(now.getTime() - t);
}
