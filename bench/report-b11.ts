import type { AuthFloodResult, AuthFloodRun } from './b11-auth-flood.js';
import type { Figure } from './report.js';
import type { LatencySummary } from '../sim/stats.js';

/** B11's lines of docs/benchmarks.md (./report.ts calls these): its figures against goals, and its details. */

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

/**
 * The stated bound: the good clients' p99 during the flood at most twice their p99 before it (as
 * B10's), no errors. Also stated: the flood costs no storage read once limited, and the forged
 * key ids no more than one JWKS fetch per cooldown.
 */
export function b11Figures(r: AuthFloodResult): Figure[] {
  const bound = (x: AuthFloodRun) => Math.max(x.baseline.p99 * 2, x.baseline.p99 + 10);
  const errors = Object.values(r.on.goodErrors).reduce((a, b) => a + b, 0);
  const refused = r.on.flood.statuses['429'] ?? 0;
  return [
    {
      figure: `B11 admin p99 of a well-behaved client (API token and OIDC user) while one source floods bad credentials for ${r.floodSeconds} s`,
      goal: 'p99 during the flood at most x2 its figure before, no errors (with the failed-authentication limit)',
      measured: `limit on: ${ms(r.on.during.p99)} (before the flood ${ms(r.on.baseline.p99)}); limit off: ${ms(r.off.during.p99)} (before ${ms(r.off.baseline.p99)})`,
      verdict: r.on.during.p99 <= bound(r.on) && errors === 0 ? 'met' : 'missed',
    },
    {
      figure: 'B11 the flood of bad credentials, limit on',
      goal: '429 before any lookup once over budget; at most one JWKS fetch per 30 s cooldown',
      measured: `${n(r.on.flood.requests)} requests (${n(r.on.flood.perSecond)}/s): ${statuses(r.on.flood.statuses)}; ${r.on.jwksFetches} JWKS fetch(es); DynamoDB ${ops(r.on.ops)}`,
      verdict: refused > r.on.flood.requests * 0.9 && r.on.jwksFetches <= Math.ceil(r.floodSeconds / 30) + 1 ? 'met' : 'missed',
    },
  ];
}

/** B11's details section: how it ran, and both runs side by side. */
export function b11Details(r: AuthFloodResult): string {
  const row = (what: string, x: AuthFloodRun) =>
    `| ${what} | ${lat(x.baseline)} | ${lat(x.during)} | ${statuses(x.goodErrors) || 'none'} | ${n(x.flood.requests)} (${n(x.flood.perSecond)}/s): ${statuses(x.flood.statuses)} | ${x.jwksFetches} | ${ops(x.ops)} | ${x.hubCpuPercent}% |`;
  return [
    `Two well-behaved admin clients, one with the admin API token and one with an OIDC ID token of a user whose group is bound to the admin role (a local test issuer, test/support/oidc-issuer.ts), list clusters on the local hub (in its own process, dynalite on disk) every ${r.goodIntervalMs} ms, timed on the client. After ${r.baselineSeconds} s of calm, one source (the same 127.0.0.1 the good clients use) floods the same route from a worker thread for ${r.floodSeconds} s with ${r.floodConcurrency} requests in flight at up to ${r.floodPerSecond}/s: every other request a random API token (\`tha_\` + 64 hex digits: one token lookup each), the others a forged JWT with the right issuer and audience, an unseen \`kid\` and a random signature. Once with the per-source limit of failed authentications off, once with its defaults (${r.on.limit.failuresPerSecond} failures/s, burst ${r.on.limit.burst}, per source and process; a credential that authenticated in the last ${r.on.limit.knownGoodMs / 60_000} min passes whatever its source did). DynamoDB commands are the hub's during the flood window, all clients together; JWKS fetches are the issuer's during the flood.`,
    '',
    '| failed-auth limit | good clients before the flood | during the flood | their errors | the flood | JWKS fetches | DynamoDB during the flood | hub CPU |',
    '|---|---|---|---|---|---|---|---|',
    row('off', r.off),
    row(`on (${r.on.limit.failuresPerSecond}/s, burst ${r.on.limit.burst})`, r.on),
  ].join('\n');
}
