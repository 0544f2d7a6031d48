import { MeasurementError } from './b1-poll-cost.js';
import { Fleet } from '../sim/fleet.js';
import { startBenchHub } from './hub.js';
import { busyShares, summariseProfile, type ProfileGroup, type ProfileSummary } from './profile.js';
import { CpuProfiler } from './profiler.js';
import { DesiredStateWatch, markedDeployment, placeFleet } from './rollout.js';

/**
 * B2, fan-out: a FleetDeployment (rollout type All) to N clusters, timed from the POST until every
 * cluster's desired state is written: its Work stored and then its head revision bumped, observed
 * on the hub's own ports. The clusters joined through the real flow first (import, then the real
 * agent's join and first poll); their agents do not poll during the fan-out, so the figure is the
 * fan-out's alone, and the placement tolerates the unreachable taint their lapsing leases bring. The local hub runs its worker with one
 * receive loop over embedded dynalite, in this process; a CPU profile says where the time goes.
 * Goal: 10,000 clusters in 30 s or less on this machine.
 */

/** Options of {@link runFanOut}. */
export interface FanOutOptions {
  clusters: number;
  joinConcurrency: number;
  profile: boolean;
  log: (line: string) => void;
}

/** What B2 measured. */
export interface FanOutResult {
  clusters: number;
  joinSeconds: number;
  placementSeconds: number;
  /** Time the join's remaining queued steps took to drain after every agent had joined, before the Placement was created. */
  joinDrainSeconds?: number;
  /**
   * What the hub did between the Placement's POST and its choosing every cluster: DynamoDB commands
   * and queued steps by type (the join's own late steps, if any, are in these too).
   */
  placementOps?: Record<string, number>;
  placementSteps?: Record<string, number>;
  fanOutSeconds: number;
  clustersPerSecond: number;
  /** DynamoDB commands during the fan-out, in total and per cluster. */
  ops: Record<string, number>;
  opsPerCluster: Record<string, number>;
  queued: number;
  /** CPU time of this process (hub, worker, dynalite, SQS emulator) during the fan-out. */
  cpuSeconds: number;
  /** Every cluster checked afterwards: Work present at the revision, head bumped. */
  verified: number;
  profile?: ProfileSummary;
  shares?: Array<{ group: ProfileGroup; ms: number; share: number }>;
}

/** Runs B2. */
export async function runFanOut(opts: FanOutOptions): Promise<FanOutResult> {
  const bench = await startBenchHub();
  try {
    const joinStarted = Date.now();
    let lastLog = 0;
    const fleet = await Fleet.start({
      admin: bench.admin,
      clusters: opts.clusters,
      prefix: 'b2',
      labels: () => ({ fleet: 'b2' }),
      workers: 0,
      importConcurrency: opts.joinConcurrency,
      joinConcurrency: opts.joinConcurrency,
      spreadMs: 0,
      onJoined: (joined, failed, total) => {
        if (Date.now() - lastLog > 15_000 || joined + failed === total) {
          lastLog = Date.now();
          opts.log(`  B2: ${joined}/${total} clusters joined`);
        }
      },
    });
    const joined = (await fleet.report()).joined;
    await fleet.stop();
    if (joined !== opts.clusters) throw new MeasurementError(`only ${joined} of ${opts.clusters} clusters joined`);
    const joinSeconds = (Date.now() - joinStarted) / 1000;

    // The join's own late steps (status, membership, placement events) drain first, so that the
    // placement's figure is the placement's: before, they were counted in it.
    const drained = Date.now();
    await bench.hub.settle(600_000);
    const joinDrainSeconds = (Date.now() - drained) / 1000;
    opts.log(`  B2: the join's remaining steps drained in ${joinDrainSeconds.toFixed(1)} s`);
    bench.ops.reset();
    bench.queue.reset();
    const placed = Date.now();
    // The agents stopped after joining, so on a long setup their leases lapse: the placement
    // tolerates the unreachable taint, and the fan-out writes every cluster's desired state anyway.
    await placeFleet(bench.admin, 'b2', 'b2', opts.clusters, () => bench.hub.settle(600_000), { tolerateUnreachable: true });
    const placementSeconds = (Date.now() - placed) / 1000;
    const placementOps = bench.ops.snapshot().counts;
    const placementSteps = { ...bench.queue.byType };
    opts.log(`  B2: placement chose ${opts.clusters} clusters in ${placementSeconds.toFixed(1)} s; publishing`);

    const heads = new Map<string, number>();
    for (const c of fleet.clusters)
      heads.set(c.name, (await bench.hub.ctx.ports.heads.get(c.name, { consistent: true }))?.desiredRevision ?? 0);
    const watch = new DesiredStateWatch('b2');
    watch.attach(bench.hub.ctx);
    bench.ops.reset();
    bench.queue.reset();
    const profiler = opts.profile ? new CpuProfiler() : undefined;
    await profiler?.start();
    const cpu = process.cpuUsage();
    const started = Date.now();
    const res = await bench.admin('POST', '/v1/fleetdeployments', markedDeployment('b2', 'b2', 'b2-v1'));
    if (res.status !== 201) throw new MeasurementError(`creating the FleetDeployment answered ${res.status}: ${res.text}`);
    const finished = await watch.until(opts.clusters, 30 * 60_000, (done) => {
      if (Date.now() - lastLog > 5_000) {
        lastLog = Date.now();
        opts.log(`  B2: ${done}/${opts.clusters} desired states written after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    });
    const used = process.cpuUsage(cpu);
    const profile = profiler ? summariseProfile(await profiler.stop()) : undefined;
    const ops = bench.ops.snapshot().counts;
    const queued = bench.queue.messages;
    watch.detach();
    await bench.hub.settle(120_000);

    let verified = 0;
    for (const c of fleet.clusters) {
      const work = await bench.hub.ctx.ports.resources.get({ kind: 'Work', namespace: c.name, name: 'b2' }, { consistent: true });
      const head = await bench.hub.ctx.ports.heads.get(c.name, { consistent: true });
      if (work && head && head.desiredRevision > (heads.get(c.name) ?? 0)) verified++;
    }
    const fanOutSeconds = (finished - started) / 1000;
    return {
      clusters: opts.clusters,
      joinSeconds,
      placementSeconds,
      joinDrainSeconds,
      placementOps,
      placementSteps,
      fanOutSeconds,
      clustersPerSecond: opts.clusters / fanOutSeconds,
      ops,
      opsPerCluster: Object.fromEntries(Object.entries(ops).map(([k, v]) => [k, Math.round((v / opts.clusters) * 100) / 100])),
      queued,
      cpuSeconds: (used.user + used.system) / 1e6,
      verified,
      profile,
      shares: profile ? busyShares(profile) : undefined,
    };
  } finally {
    await bench.close();
  }
}
