import { setTimeout as sleep } from 'node:timers/promises';
import { POLL_JITTER_BAND } from '../agent/backoff.js';
import { MeasurementError } from './b1-poll-cost.js';
import type { Fleet } from '../sim/fleet.js';
import { startHubProcess } from './hub-process.js';
import { markedDeployment, placeFleet, startPollingFleet } from './rollout.js';
import { SampleSet, type LatencySummary } from '../sim/stats.js';

/**
 * B4, change latency: N simulated agents (the real agent code) polling a local hub every
 * `pollSeconds`; a FleetDeployment is published (and then changed), timed from the admin call until
 * every agent has applied every object of the new revision, seen by the agents' in-memory clusters.
 * Goal: no more than the poll interval plus 5 s.
 */

/** Options of {@link runChangeLatency}. */
export interface ChangeLatencyOptions {
  clusters: number;
  pollSeconds: number;
  workers: number;
  joinConcurrency: number;
  log: (line: string) => void;
}

/** One publish and how long the fleet took to apply it. */
export interface ChangeRound {
  what: string;
  /** Per-agent seconds from publish to applied. */
  latency: LatencySummary;
  /** Seconds until the last agent had applied. */
  allAppliedSeconds: number;
  applied: number;
}

/** What B4 measured. */
export interface ChangeLatencyResult {
  clusters: number;
  pollSeconds: number;
  /** The agents' poll jitter band when measured (agent/backoff.ts); absent in results before it was recorded: [0.9, 1). */
  pollJitterBand?: string;
  goalSeconds: number;
  rounds: ChangeRound[];
}

const OBJECTS = 2; // the Namespace and one ConfigMap of markedDeployment(…, 1)

/** Runs B4. */
export async function runChangeLatency(opts: ChangeLatencyOptions): Promise<ChangeLatencyResult> {
  const hub = await startHubProcess({
    backend: 'dynalite',
    config: { pollIntervalSeconds: opts.pollSeconds },
    schedulerIntervalMs: 60_000,
  });
  let fleet: Fleet | undefined;
  try {
    fleet = await startPollingFleet(hub.admin, { prefix: 'b4', ...opts });
    await placeFleet(hub.admin, 'b4', 'b4', opts.clusters, () => hub.settle(120_000));
    // Every agent polls at its own phase before the first publish.
    await sleep((opts.pollSeconds + 5) * 1000);

    const rounds: ChangeRound[] = [];
    const publish = async (what: string, mark: string, send: () => Promise<{ status: number; text: string }>, expect: number) => {
      const started = Date.now();
      const res = await send();
      if (res.status !== expect) throw new MeasurementError(`${what} answered ${res.status}: ${res.text}`);
      const deadline = started + (opts.pollSeconds * 4 + 60) * 1000;
      let times: Record<string, number> = {};
      while (Object.keys(times).length < opts.clusters && Date.now() < deadline) {
        await sleep(500);
        times = await fleet!.markTimes(mark, OBJECTS);
      }
      const samples = new SampleSet();
      for (const t of Object.values(times)) samples.add((t - started) / 1000);
      const latency = samples.summary();
      rounds.push({ what, latency, allAppliedSeconds: latency.max, applied: samples.count });
      opts.log(`  B4: ${what}: ${samples.count}/${opts.clusters} agents applied, the last after ${latency.max.toFixed(1)} s`);
    };
    await publish(
      'create (new FleetDeployment)',
      'b4-v1',
      () => hub.admin('POST', '/v1/fleetdeployments', markedDeployment('b4', 'b4', 'b4-v1')),
      201,
    );
    const current = await hub.admin('GET', '/v1/fleetdeployments/b4');
    const next = markedDeployment('b4', 'b4', 'b4-v2') as { metadata: Record<string, unknown> };
    next.metadata.resourceVersion = current.body?.metadata?.resourceVersion;
    await publish('change (template updated)', 'b4-v2', () => hub.admin('PUT', '/v1/fleetdeployments/b4', next), 200);
    return {
      clusters: opts.clusters,
      pollSeconds: opts.pollSeconds,
      pollJitterBand: POLL_JITTER_BAND,
      goalSeconds: opts.pollSeconds + 5,
      rounds,
    };
  } finally {
    await fleet?.stop();
    await hub.close();
  }
}
