/**
 * Durations as FleetDeployments write them (`30s`, `5m`, `1h30m`, `2d`, `0`). The same rules as
 * shared/resources/fleetdeployment.ts `parseDuration` (a unit test checks they agree), written
 * again here because that module brings zod and cron-parser, which the console does not load.
 */

const DURATION = /^(\d+(ms|s|m|h|d))+$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration, or undefined when the text is not one. */
export function parseDuration(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t === '0') return 0;
  if (!DURATION.test(t)) return undefined;
  let total = 0;
  for (const [, n, unit] of t.matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(n) * UNIT_MS[unit];
  return total;
}

/** "in 4 min 10 s", "in 2 h 5 min", "now": a countdown to `at`, to the second under an hour. */
export function countdown(at: number, now: number): string {
  const s = Math.ceil((at - now) / 1000);
  if (s <= 0) return 'now';
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `in ${d} d ${h} h`;
  if (h > 0) return `in ${h} h ${m} min`;
  if (m > 0) return `in ${m} min ${sec} s`;
  return `in ${sec} s`;
}
