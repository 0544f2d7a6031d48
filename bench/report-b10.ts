import type { FloodResult, FloodRun } from './b10-rate-limit.js';
import type { Figure } from './report.js';
import type { LatencySummary } from '../sim/stats.js';

/** B10's lines of docs/benchmarks.md (./report.ts calls these): its figures against goals, and its details. */

const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(1)} ms`);
const n = (v: number) => v.toLocaleString('en-US');
const lat = (l: LatencySummary) => `p50 ${ms(l.p50)}, p99 ${ms(l.p99)}, max ${ms(l.max)}`;
const ops = (r: Record<string, number>) =>
  Object.entries(r)
    .map(([k, v]) => `${v} ${k}`)
    .join(' + ') || 'none';
const statuses = (r: Record<string, number>) =>
  Object.entries(r)
    .map(([k, v]) => `${n(v)} x ${k}`)
    .join(', ');

/** B10's figures: the well-behaved p99 with the limit, and what the flood got. */
export function b10Figures(r: FloodResult): Figure[] {
  // "Its normal figure": the p99 before the flood, with some room for a busy shared machine.
  const normal = Math.max(r.on.baseline.p99 * 2, r.on.baseline.p99 + 10);
  const errors = Object.values(r.on.goodErrors).reduce((a, b) => a + b, 0);
  return [
    {
      figure: `B10 poll p99 of ${r.agents} well-behaved agents while one credential floods for ${r.floodSeconds} s`,
      goal: 'at its normal figure with the rate limit (p99 before the flood, x2 at most), no errors',
      measured: `limit on: ${ms(r.on.during.p99)} (before the flood ${ms(r.on.baseline.p99)}); limit off: ${ms(r.off.during.p99)} (before ${ms(r.off.baseline.p99)})`,
      verdict: r.on.during.p99 <= normal && errors === 0 ? 'met' : 'missed',
    },
    {
      figure: 'B10 the flooding credential, limit on',
      goal: '429 with Retry-After, no DynamoDB read',
      measured: `${n(r.on.flood.requests)} requests (${n(r.on.flood.perSecond)}/s): ${statuses(r.on.flood.statuses)}`,
      verdict: (r.on.flood.statuses['429'] ?? 0) > 0 ? 'met' : 'missed',
    },
  ];
}

/** B10's details section: how it ran, and both runs side by side. */
export function b10Details(r: FloodResult): string {
  const row = (what: string, x: FloodRun) =>
    `| ${what} | ${lat(x.baseline)} | ${lat(x.during)} | ${statuses(x.goodErrors) || 'none'} | ${n(x.flood.requests)} (${n(x.flood.perSecond)}/s): ${statuses(x.flood.statuses)} | ${ops(x.ops)} | ${x.hubCpuPercent}% |`;
  return [
    `${r.agents} well-behaved clusters poll the local hub (in its own process, dynalite on disk) every ${r.pollSeconds} s with the agent's jitter (a shorter interval than an agent's 30 s, for samples; each stays far below the limit), timed on the client from request to full answer; after ${r.baselineSeconds} s of calm, one more cluster's valid credential floods the poll route from a worker thread with ${r.floodConcurrency} requests in flight${r.floodPerSecond ? ` at up to ${r.floodPerSecond} requests/s (the same pace in both runs, so the flooding client loads the machine alike; the ${r.floodConcurrency} in flight cap it lower when the hub answers slowly)` : ''} for ${r.floodSeconds} s, ignoring Retry-After. On the local hub the flood's requests share the hub's one event loop with everyone else's, 429s included; in AWS each Lambda container serves one request at a time, so a refused flood takes concurrency, not other clusters' CPU. Once with the agent API's per-credential rate limit off (\`requestsPerSecond: 0\`), once with its defaults (${r.on.limit.requestsPerSecond} requests/s, burst ${r.on.limit.burst}, per process). DynamoDB commands are the hub's during the flood window, all clients together.`,
    '',
    '| rate limit | well-behaved polls before the flood | during the flood | their errors | the flood | DynamoDB during the flood | hub CPU |',
    '|---|---|---|---|---|---|---|',
    row('off', r.off),
    row(`on (${r.on.limit.requestsPerSecond}/s, burst ${r.on.limit.burst})`, r.on),
  ].join('\n');
}
