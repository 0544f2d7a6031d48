import { setTimeout as sleep } from 'node:timers/promises';
import { Fleet } from '../sim/fleet.js';
import { startHubProcess, type HubUsage } from './hub-process.js';
import { busyShares, type ProfileGroup, type ProfileSummary } from './profile.js';
import { SampleSet, type LatencySummary } from '../sim/stats.js';

/**
 * B3, sustained load: N simulated agents (the real agent code) polling a local hub every
 * `pollSeconds`. The hub runs in a process of its own so its CPU, memory and server-side latency
 * are its own; the agents run in this process or in shard processes. Goal: p99 under 100 ms and no
 * errors. A CPU profile of the hub's event loop says how much of its time is Tether's and how much
 * the local runtime's and the SQS emulator's, which Lambda does not run; dynalite runs on a thread
 * of its own, whose busy time is reported beside it (`hub.dynaliteThread`).
 */

/** Options of {@link runSustained}. */
export interface SustainedOptions {
  agents: number;
  pollSeconds: number;
  /** Length of the measured window. */
  measureSeconds: number;
  /** Agent shard processes (0: in this process). */
  workers: number;
  joinConcurrency: number;
  /** Take a CPU profile of the hub during the window. */
  profile: boolean;
  log: (line: string) => void;
  /** dynalite without LevelDB files (diagnosis only; `tether dev` keeps files). */
  inMemory?: boolean;
}

/** What B3 measured. */
export interface SustainedResult {
  agents: number;
  joined: number;
  pollSeconds: number;
  measureSeconds: number;
  workers: number;
  joinSeconds: number;
  /** Time the join's remaining queued steps took to drain before the warm-up (absent in older results). */
  joinDrainSeconds?: number;
  polls: number;
  pollsPerSecond: number;
  expectedPollsPerSecond: number;
  /** Poll latency as the agents saw it (request to full answer), ms. */
  clientLatency: LatencySummary;
  /** Request latency inside the hub process (all agent requests), ms. */
  serverLatency: LatencySummary;
  errors: number;
  errorSamples: string[];
  statuses: Record<string, number>;
  /**
   * `cpuPercent` counts every thread of the hub process; `mainThreadCpuPercent` (Linux) only its
   * event loop, which serves the gateway and the handlers (dynalite runs on a thread of its own).
   */
  hub: HubUsage & { cpuPercent: number; mainThreadCpuPercent?: number };
  agentProcesses: { cpuPercent: number; rssBytes: number };
  /** DynamoDB commands per poll during the window. */
  opsPerPoll: Record<string, number>;
  profile?: ProfileSummary;
  /** Busy time shares of the hub process by group (from the profile). */
  shares?: Array<{ group: ProfileGroup; ms: number; share: number }>;
}

/** Runs B3. */
export async function runSustained(opts: SustainedOptions): Promise<SustainedResult> {
  const hub = await startHubProcess({
    backend: 'dynalite',
    config: { pollIntervalSeconds: opts.pollSeconds },
    schedulerIntervalMs: 60_000,
    inMemory: opts.inMemory,
  });
  let fleet: Fleet | undefined;
  try {
    const joinStarted = Date.now();
    let lastLog = 0;
    fleet = await Fleet.start({
      admin: hub.admin,
      clusters: opts.agents,
      prefix: 'b3',
      workers: opts.workers,
      importConcurrency: opts.joinConcurrency,
      joinConcurrency: opts.joinConcurrency,
      spreadMs: opts.pollSeconds * 1000,
      onImported: (done, total) => {
        if (Date.now() - lastLog > 15_000 || done === total) {
          lastLog = Date.now();
          opts.log(`  B3: ${done}/${total} clusters imported`);
        }
      },
      onJoined: (joined, failed, total) => {
        if (Date.now() - lastLog > 10_000 || joined + failed === total) {
          lastLog = Date.now();
          opts.log(`  B3: ${joined}/${total} agents joined${failed ? `, ${failed} failed` : ''}`);
        }
      },
    });
    const joinSeconds = (Date.now() - joinStarted) / 1000;
    await fleet.run();
    // The join's own queued steps (availability, membership, placement events) drain first: B3
    // measures a fleet that only polls, not the tail of its import.
    const drainStarted = Date.now();
    await hub.settle(600_000);
    const joinDrainSeconds = (Date.now() - drainStarted) / 1000;
    opts.log(`  B3: the join's remaining steps drained in ${joinDrainSeconds.toFixed(1)} s`);
    // One full poll interval, so every agent polls at its own phase before the window opens.
    await sleep((opts.pollSeconds + 5) * 1000);
    const before = await fleet.report();
    await hub.reset();
    if (opts.profile) await hub.profileStart();
    const latencies = new SampleSet();
    const statuses: Record<string, number> = {};
    let errors = 0;
    const errorSamples: string[] = [];
    const windowStarted = Date.now();
    while (Date.now() - windowStarted < opts.measureSeconds * 1000) {
      await sleep(Math.min(10_000, opts.measureSeconds * 1000 - (Date.now() - windowStarted)));
      const r = await fleet.report();
      for (const v of r.pollLatencies) latencies.add(v);
      for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
      errors += r.errors;
      errorSamples.push(...r.errorSamples);
      opts.log(`  B3: ${Math.round((Date.now() - windowStarted) / 1000)} s, ${latencies.count} polls, ${errors} errors`);
    }
    const measured = (Date.now() - windowStarted) / 1000;
    const usage = await hub.usage();
    const profile = opts.profile ? await hub.profileStop() : undefined;
    const after = await fleet.report();
    const polls = latencies.count;
    const agentCpu = after.processes.reduce((n, p, i) => n + p.cpuMicros - (before.processes[i]?.cpuMicros ?? 0), 0);
    return {
      agents: opts.agents,
      joined: after.joined,
      joinDrainSeconds,
      pollSeconds: opts.pollSeconds,
      measureSeconds: measured,
      workers: opts.workers,
      joinSeconds,
      polls,
      pollsPerSecond: polls / measured,
      expectedPollsPerSecond: after.joined / opts.pollSeconds,
      clientLatency: latencies.summary(),
      serverLatency: usage.serverLatency,
      errors,
      errorSamples: errorSamples.slice(-5),
      statuses,
      hub: {
        ...usage,
        cpuPercent: (usage.cpuMicros / 1000 / usage.wallMs) * 100,
        ...(usage.mainThreadCpuMicros === undefined
          ? {}
          : { mainThreadCpuPercent: (usage.mainThreadCpuMicros / 1000 / usage.wallMs) * 100 }),
      },
      agentProcesses: {
        cpuPercent: (agentCpu / 1000 / (measured * 1000)) * 100,
        rssBytes: after.processes.reduce((n, p) => n + p.rssBytes, 0),
      },
      opsPerPoll: Object.fromEntries(Object.entries(usage.ops).map(([k, v]) => [k, Math.round((v / Math.max(1, polls)) * 1000) / 1000])),
      profile,
      shares: profile ? busyShares(profile) : undefined,
    };
  } finally {
    await fleet?.stop();
    await hub.close();
  }
}
