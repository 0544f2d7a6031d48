/**
 * The one duration grammar of Tether, for resource fields (FleetDeployment's `minSuccessTime`,
 * `waveDelay`, windows' `duration`...) and CLI flags (`--ttl`, `--timeout`, `--expires-in`): one
 * or more whole numbers each followed by a unit, `ms`, `s`, `m`, `h` or `d`, added up (`90s`,
 * `1h30m`, `2d`, `250ms`). Fields also accept a bare `0`; flags accept any bare number, as seconds.
 * Output is the other way round, the way kubectl prints ages: one unit, rounded down.
 */

/** Milliseconds in one of each unit. */
export const DURATION_UNITS_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A duration unit. */
export type DurationUnit = keyof typeof DURATION_UNITS_MS;

// `ms` before `m` and `s`: `5ms` is five milliseconds, not five minutes and a stray `s`.
const DURATION = /^(\d+(ms|s|m|h|d))+$/;
const PART = /(\d+)(ms|s|m|h|d)/g;

/** Options of {@link parseDuration}. */
export interface ParseDurationOptions {
  /**
   * What a number without a unit means: `zero-only` (the default, for resource fields) accepts
   * only `0`, which needs no unit; `seconds` (for CLI flags) takes any whole number as seconds.
   */
  bareNumber?: 'zero-only' | 'seconds';
}

/**
 * Parses a duration such as `30s`, `5m`, `1h30m`, `2d`, `250ms` or `0` into milliseconds.
 * Surrounding white space is ignored.
 * @returns undefined when the text is not a duration.
 */
export function parseDuration(text: string, options: ParseDurationOptions = {}): number | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) {
    if (options.bareNumber === 'seconds') return Number(t) * 1000;
    return t === '0' ? 0 : undefined;
  }
  if (!DURATION.test(t)) return undefined;
  let total = 0;
  for (const [, n, unit] of t.matchAll(PART)) total += Number(n) * DURATION_UNITS_MS[unit as DurationUnit];
  return total;
}

/**
 * Parses a duration flag such as `24h`, `1h30m`, `90s`, `7d` or a plain number of seconds.
 * @returns whole seconds, or undefined when the text is not a duration or not a whole number of seconds.
 */
export function parseDurationSeconds(text: string): number | undefined {
  const ms = parseDuration(text, { bareNumber: 'seconds' });
  if (ms === undefined || ms % 1000 !== 0) return undefined;
  return ms / 1000;
}

/** Formats a duration in milliseconds as `5s`, `3m`, `2h`, `4d` or `2y`: one unit, rounded down; negative as `0s`. */
export function formatDuration(ms: number): string {
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
