import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { DEFAULT_AGENT_RATE_LIMIT, type RateLimitSettings } from '../lambdas/core/context.js';
import { parseImportManifest } from '../shared/agent-manifest.js';
import { SampleSet, seededRandom, type LatencySummary } from '../sim/stats.js';
import { MeasurementError } from './b1-poll-cost.js';
import { startHubProcess, type HubProcess } from './hub-process.js';

/**
 * B10, a flooding credential: `agents` well-behaved clusters poll the local hub (in a process of
 * its own) while one cluster's credential floods the poll route from a worker thread with
 * `floodConcurrency` requests in flight (paced at `floodPerSecond`) for `floodSeconds`, with the agent API's per-credential
 * rate limit off and then on (its defaults). Reported: the well-behaved polls' latency before and
 * during the flood, what the flood got (200/304 vs 429) and the DynamoDB reads it cost.
 */

/** Options of {@link runFloodBench}. */
export interface FloodOptions {
  agents: number;
  /** Poll interval of the well-behaved agents, s: shorter than an agent's 30 s for more samples (each stays far below the limit). */
  pollSeconds: number;
  /** The calm window before the flood, s. */
  baselineSeconds: number;
  floodSeconds: number;
  floodConcurrency: number;
  /**
   * The flood's pace, requests per second at most (with `floodConcurrency` in flight at most): the
   * same in both runs, so that the flooding client loads this 2-core machine the same whether the
   * hub answers 200 or 429, and the difference is the hub's work.
   */
  floodPerSecond: number;
  log: (line: string) => void;
}

/** One run: the limiter off or on. */
export interface FloodRun {
  limit: RateLimitSettings;
  /** Poll latency of the well-behaved agents (client side, ms) before the flood. */
  baseline: LatencySummary;
  /** ... and during it. */
  during: LatencySummary;
  /** Answers other than 200/304 to well-behaved agents, by status. */
  goodErrors: Record<string, number>;
  flood: { requests: number; perSecond: number; statuses: Record<string, number> };
  /** DynamoDB commands of the hub during the flood window (all clients). */
  ops: Record<string, number>;
  /** Request latency inside the hub process during the flood window (all requests), ms. */
  serverLatency: LatencySummary;
  hubCpuPercent: number;
}

/** What B10 measured. */
export interface FloodResult {
  agents: number;
  pollSeconds: number;
  baselineSeconds: number;
  floodSeconds: number;
  floodConcurrency: number;
  floodPerSecond?: number;
  off: FloodRun;
  on: FloodRun;
}

const FLOOD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, token, seconds, concurrency, perSecond } = workerData;
const statuses = {};
let requests = 0;
const started = Date.now();
const until = started + seconds * 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function loop() {
  while (Date.now() < until) {
    // Paced: request n goes out no sooner than n / perSecond after the start.
    const due = started + (requests * 1000) / perSecond;
    if (due > Date.now()) await sleep(due - Date.now());
    try {
      const res = await fetch(url, { headers: { authorization: 'Bearer ' + token } });
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] || 0) + 1;
    } catch (err) {
      statuses.error = (statuses.error || 0) + 1;
    }
    requests++;
  }
}
Promise.all(Array.from({ length: concurrency }, loop)).then(() => parentPort.postMessage({ requests, statuses }));
`;

function flood(
  url: string,
  token: string,
  seconds: number,
  concurrency: number,
  perSecond: number,
): Promise<{ requests: number; statuses: Record<string, number> }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(FLOOD_WORKER, { eval: true, workerData: { url, token, seconds, concurrency, perSecond } });
    worker.once('message', (m: { requests: number; statuses: Record<string, number> }) => {
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', reject);
  });
}

async function join(hub: HubProcess, name: string): Promise<string> {
  const res = await hub.admin('POST', `/v1/clusters/${name}/import`, { autoAccept: true });
  if (res.status !== 200) throw new MeasurementError(`import of ${name} answered ${res.status}: ${res.text.slice(0, 200)}`);
  const { bootstrapToken } = parseImportManifest(res.body.manifest as string, `import manifest of ${name}`);
  const joined = await fetch(`${hub.url}/agent/v1/join`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bootstrapToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      cluster: name,
      agentVersion: '0.1.0',
      claims: [
        { name: 'id.k8s.io', value: `uid-${name}` },
        { name: 'kubeversion.tether.dev', value: 'v1.31.2' },
        { name: 'platform.tether.dev', value: 'k3s' },
      ],
    }),
  });
  const body = (await joined.json()) as { credential?: string };
  if (joined.status !== 200 || !body.credential) throw new MeasurementError(`join of ${name} answered ${joined.status}`);
  return body.credential;
}

async function runOnce(opts: FloodOptions, limit: RateLimitSettings): Promise<FloodRun> {
  const hub = await startHubProcess({ backend: 'dynalite', config: { agentRateLimit: limit }, schedulerIntervalMs: 60_000 });
  try {
    const credentials: string[] = [];
    for (let i = 0; i < opts.agents; i++) credentials.push(await join(hub, `b10-${String(i).padStart(3, '0')}`));
    const flooder = await join(hub, 'b10-flood');
    const pollUrl = `${hub.url}/agent/v1/desired`;
    const random = seededRandom(10);
    const baseline = new SampleSet();
    const during = new SampleSet();
    const goodErrors: Record<string, number> = {};
    let phase: 'warm' | 'baseline' | 'during' | 'done' = 'warm';
    const agent = async (credential: string) => {
      let etag = '';
      await sleep(random() * opts.pollSeconds * 1000);
      while (phase !== 'done') {
        const started = performance.now();
        const res = await fetch(pollUrl, {
          headers: { authorization: `Bearer ${credential}`, ...(etag ? { 'if-none-match': etag } : {}) },
        });
        await res.arrayBuffer();
        const took = performance.now() - started;
        if (res.status === 200 || res.status === 304) {
          etag = res.headers.get('etag') ?? etag;
          if (phase === 'baseline') baseline.add(took);
          else if (phase === 'during') during.add(took);
        } else if (phase !== 'warm') goodErrors[res.status] = (goodErrors[res.status] ?? 0) + 1;
        // The agent's jittered interval: uniform in [0.5, 1] of the period.
        await sleep(opts.pollSeconds * 1000 * (0.5 + random() / 2));
      }
    };
    const agents = credentials.map(agent);
    await sleep(opts.pollSeconds * 1000);
    phase = 'baseline';
    await sleep(opts.baselineSeconds * 1000);
    await hub.reset();
    phase = 'during';
    const started = Date.now();
    const flooded = await flood(pollUrl, flooder, opts.floodSeconds, opts.floodConcurrency, opts.floodPerSecond);
    const wall = (Date.now() - started) / 1000;
    phase = 'done';
    const usage = await hub.usage();
    await Promise.all(agents);
    return {
      limit,
      baseline: baseline.summary(),
      during: during.summary(),
      goodErrors,
      flood: { requests: flooded.requests, perSecond: Math.round(flooded.requests / wall), statuses: flooded.statuses },
      ops: usage.ops,
      serverLatency: usage.serverLatency,
      hubCpuPercent: Math.round((usage.cpuMicros / 1000 / usage.wallMs) * 100),
    };
  } finally {
    await hub.close();
  }
}

/** Runs B10: the limiter off, then on. */
export async function runFloodBench(opts: FloodOptions): Promise<FloodResult> {
  opts.log(
    `  B10: limit off: ${opts.agents} agents polling every ${opts.pollSeconds} s, one credential flooding for ${opts.floodSeconds} s`,
  );
  const off = await runOnce(opts, { ...DEFAULT_AGENT_RATE_LIMIT, requestsPerSecond: 0 });
  opts.log(`  B10: limit on (defaults: ${DEFAULT_AGENT_RATE_LIMIT.requestsPerSecond}/s, burst ${DEFAULT_AGENT_RATE_LIMIT.burst})`);
  const on = await runOnce(opts, DEFAULT_AGENT_RATE_LIMIT);
  return {
    agents: opts.agents,
    pollSeconds: opts.pollSeconds,
    baselineSeconds: opts.baselineSeconds,
    floodSeconds: opts.floodSeconds,
    floodConcurrency: opts.floodConcurrency,
    floodPerSecond: opts.floodPerSecond,
    off,
    on,
  };
}
