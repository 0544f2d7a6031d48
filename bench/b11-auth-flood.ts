import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { DEFAULT_AUTH_FAILURE_LIMIT, type AuthFailureLimitSettings } from '../lambdas/core/context.js';
import { oidcSettings } from '../lambdas/core/identity/oidc.js';
import { SampleSet, type LatencySummary } from '../sim/stats.js';
import { startOidcIssuer } from '../test/support/oidc-issuer.js';
import { MeasurementError } from './b1-poll-cost.js';
import { startHubProcess } from './hub-process.js';

/**
 * B11, a flood of bad admin credentials: a well-behaved admin client (the admin API token, and an
 * OIDC user signed in through a local test issuer) lists clusters on the local hub (in a process of
 * its own, single sign-on on) while one source floods the admin API with bad credentials from a
 * worker thread: random API tokens (each a token the hub must look up) and forged JWTs (the right
 * issuer and a fresh `kid` each, so each is one the verifier has never seen). Reported: the good
 * clients' latency before and during the flood, what the flood got, and the issuer's JWKS fetches.
 */

/** Options of {@link runAuthFloodBench}. */
export interface AuthFloodOptions {
  /** Pause between two requests of each good client, ms. */
  goodIntervalMs: number;
  baselineSeconds: number;
  floodSeconds: number;
  floodConcurrency: number;
  /** The flood's pace, requests per second at most. */
  floodPerSecond: number;
  log: (line: string) => void;
}

/** What B11 measured: the limiter of failed authentications off, then on (its defaults). */
export interface AuthFloodResult {
  goodIntervalMs: number;
  baselineSeconds: number;
  floodSeconds: number;
  floodConcurrency: number;
  floodPerSecond: number;
  off: AuthFloodRun;
  on: AuthFloodRun;
}

/** One run of B11. */
export interface AuthFloodRun {
  limit: AuthFailureLimitSettings;
  /** Latency of the good clients' requests (client side, ms), both credentials together. */
  baseline: LatencySummary;
  during: LatencySummary;
  /** Answers other than 200 to the good clients during the whole run, by status. */
  goodErrors: Record<string, number>;
  flood: { requests: number; perSecond: number; statuses: Record<string, number> };
  /** DynamoDB commands of the hub during the flood window (all clients). */
  ops: Record<string, number>;
  /** JWKS fetches the flood caused at the issuer. */
  jwksFetches: number;
  hubCpuPercent: number;
}

const FLOOD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { randomBytes, randomUUID } = require('node:crypto');
const { url, issuer, audience, seconds, concurrency, perSecond } = workerData;
const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const statuses = {};
let requests = 0;
const started = Date.now();
const until = started + seconds * 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function badToken(n) {
  if (n % 2 === 0) return 'tha_' + randomBytes(32).toString('hex');
  const now = Math.floor(Date.now() / 1000);
  const header = b64({ alg: 'RS256', typ: 'JWT', kid: randomUUID() });
  const payload = b64({ iss: issuer, aud: audience, sub: 'mallory', email: 'mallory@example.com', iat: now, exp: now + 300 });
  return header + '.' + payload + '.' + randomBytes(256).toString('base64url');
}
async function loop() {
  while (Date.now() < until) {
    const due = started + (requests * 1000) / perSecond;
    if (due > Date.now()) await sleep(due - Date.now());
    const n = requests++;
    try {
      const res = await fetch(url, { headers: { authorization: 'Bearer ' + badToken(n) } });
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] || 0) + 1;
    } catch (err) {
      statuses.error = (statuses.error || 0) + 1;
    }
  }
}
Promise.all(Array.from({ length: concurrency }, loop)).then(() => parentPort.postMessage({ requests, statuses }));
`;

function flood(workerData: Record<string, unknown>): Promise<{ requests: number; statuses: Record<string, number> }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(FLOOD_WORKER, { eval: true, workerData });
    worker.once('message', (m: { requests: number; statuses: Record<string, number> }) => {
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', reject);
  });
}

/** Runs B11: the limiter of failed authentications off, then on. */
export async function runAuthFloodBench(opts: AuthFloodOptions): Promise<AuthFloodResult> {
  opts.log('  B11: failed-authentication limit off');
  const off = await runOnce(opts, { ...DEFAULT_AUTH_FAILURE_LIMIT, failuresPerSecond: 0 });
  opts.log(
    `  B11: failed-authentication limit on (defaults: ${DEFAULT_AUTH_FAILURE_LIMIT.failuresPerSecond}/s, burst ${DEFAULT_AUTH_FAILURE_LIMIT.burst} per source)`,
  );
  const on = await runOnce(opts, DEFAULT_AUTH_FAILURE_LIMIT);
  const { goodIntervalMs, baselineSeconds, floodSeconds, floodConcurrency, floodPerSecond } = opts;
  return { goodIntervalMs, baselineSeconds, floodSeconds, floodConcurrency, floodPerSecond, off, on };
}

async function runOnce(opts: AuthFloodOptions, limit: AuthFailureLimitSettings): Promise<AuthFloodRun> {
  const issuer = await startOidcIssuer({
    tokenTtlSeconds: 3600,
    user: { sub: 'u-ops', email: 'ops@example.com', email_verified: true, groups: ['platform'] },
  });
  const settings = oidcSettings({ issuer: issuer.issuer, clientId: issuer.clientId });
  const hub = await startHubProcess({
    backend: 'dynalite',
    config: { oidc: settings, authFailureLimit: limit },
    schedulerIntervalMs: 60_000,
  });
  try {
    const bound = await hub.admin('POST', '/v1/rolebindings', {
      apiVersion: 'tether.dev/v1alpha1',
      kind: 'RoleBinding',
      metadata: { name: 'platform-admins' },
      spec: { subjects: [{ kind: 'Group', name: 'platform' }], roleRef: { name: 'admin' } },
    });
    if (bound.status !== 201) throw new MeasurementError(`the RoleBinding answered ${bound.status}: ${bound.text.slice(0, 200)}`);
    const idToken = await issuer.sign();
    const url = `${hub.url}/v1/clusters?limit=50`;
    opts.log(
      `  B11: good clients every ${opts.goodIntervalMs} ms; ${opts.baselineSeconds} s calm, then ${opts.floodSeconds} s of bad credentials from one source`,
    );
    const baseline = new SampleSet();
    const during = new SampleSet();
    const goodErrors: Record<string, number> = {};
    let phase: 'warm' | 'baseline' | 'during' | 'done' = 'warm';
    const client = async (token: string) => {
      while (phase !== 'done') {
        const started = performance.now();
        const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        await res.arrayBuffer();
        const took = performance.now() - started;
        if (res.status !== 200) goodErrors[res.status] = (goodErrors[res.status] ?? 0) + 1;
        else if (phase === 'baseline') baseline.add(took);
        else if (phase === 'during') during.add(took);
        await sleep(opts.goodIntervalMs);
      }
    };
    const clients = [client(hub.adminToken), client(idToken)];
    await sleep(2_000);
    phase = 'baseline';
    await sleep(opts.baselineSeconds * 1000);
    await hub.reset();
    const jwksBefore = issuer.hits('/jwks');
    phase = 'during';
    const started = Date.now();
    const flooded = await flood({
      url,
      issuer: issuer.issuer,
      audience: issuer.clientId,
      seconds: opts.floodSeconds,
      concurrency: opts.floodConcurrency,
      perSecond: opts.floodPerSecond,
    });
    const wall = (Date.now() - started) / 1000;
    phase = 'done';
    const usage = await hub.usage();
    await Promise.all(clients);
    return {
      limit,
      baseline: baseline.summary(),
      during: during.summary(),
      goodErrors,
      flood: { requests: flooded.requests, perSecond: Math.round(flooded.requests / wall), statuses: flooded.statuses },
      ops: usage.ops,
      jwksFetches: issuer.hits('/jwks') - jwksBefore,
      hubCpuPercent: Math.round((usage.cpuMicros / 1000 / usage.wallMs) * 100),
    };
  } finally {
    await hub.close();
    await issuer.close();
  }
}
