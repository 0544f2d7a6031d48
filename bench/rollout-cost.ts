import { systemClock, type AgentClock } from '../agent/clock.js';
import { MeasurementError, WRITE_OPERATIONS, type CountedStep } from './b1-poll-cost.js';
import type { BenchHub } from './hub.js';
import { markedDeployment, placeFleet } from './rollout.js';
import { createSimAgent, importForSimulation, type SimAgent } from '../sim/sim-agent.js';
import { seededRandom } from '../sim/stats.js';
import { RequestRecorder, recordingFetch } from '../sim/transport.js';

/**
 * What one rollout costs per cluster, counted for the cost model: everything the hub's DynamoDB
 * client does from the FleetDeployment's publish until every agent has applied it and the hub has
 * processed their reports (controller runs, fan-out writes, head bumps, the changed polls, the
 * status reports and the work-status events), minus the idle polls that would have happened anyway.
 */

/** Per-cluster figures of one rollout. */
export interface RolloutCost extends CountedStep {
  clusters: number;
  /** Agent requests per cluster beyond idle polls (the changed poll, the status reports). */
  agentRequests: number;
}

/** Counts a rollout to `clusters` clusters joined by real agents on `bench`. */
export async function measureRolloutCost(bench: BenchHub, clusters = 10): Promise<RolloutCost> {
  const recorder = new RequestRecorder();
  const clock: AgentClock = { now: () => bench.clock.now(), sleep: systemClock.sleep };
  const sims: SimAgent[] = [];
  try {
    for (let i = 0; i < clusters; i++) {
      const imported = await importForSimulation(bench.admin, `rc-${String(i).padStart(3, '0')}`, { fleet: 'rc' });
      const sim = createSimAgent(imported, { clock, random: seededRandom(100 + i), fetch: recordingFetch(recorder) });
      sims.push(sim);
      if ((await sim.agent.runOnce()) !== true) throw new MeasurementError(`agent ${imported.name} could not join`);
    }
    await placeFleet(bench.admin, 'rc', 'rc', clusters, () => bench.hub.settle());
    const idle = async () => {
      for (const s of sims) await s.agent.runOnce();
    };
    await idle();
    await bench.hub.settle();

    bench.ops.reset();
    bench.queue.reset();
    recorder.take();
    const res = await bench.admin('POST', '/v1/fleetdeployments', markedDeployment('rc', 'rc', 'rc-v1'));
    if (res.status !== 201) throw new MeasurementError(`creating the FleetDeployment answered ${res.status}: ${res.text}`);
    await bench.hub.settle();
    // Agents poll until each has the work and the hub has seen their reports; a few idle cycles more
    // let every follow-up (availability, controller) finish, as it would between real polls.
    for (let round = 0; round < 4; round++) {
      await idle();
      await bench.hub.settle();
      await bench.hub.tick();
      await bench.hub.settle();
    }
    const applied = sims.filter((s) => s.agent.desiredState?.works.some((w) => w.name === 'rc')).length;
    if (applied !== clusters) throw new MeasurementError(`only ${applied} of ${clusters} agents received the work`);
    const snap = bench.ops.snapshot();
    const requests = recorder.take().statuses;
    const idlePolls = requests['desired 304'] ?? 0;
    // Idle polls would have happened without the rollout: take out their one GetItem and half unit each.
    const ops = { ...snap.counts, GetItem: (snap.counts.GetItem ?? 0) - idlePolls };
    const capacity = { ...snap.capacity, GetItem: (snap.capacity.GetItem ?? 0) - idlePolls * 0.5 };
    const per = (r: Record<string, number>) =>
      Object.fromEntries(
        Object.entries(r)
          .filter(([, v]) => v > 0)
          .map(([k, v]) => [k, Math.round((v / clusters) * 1000) / 1000]),
      );
    const agentRequests = Object.entries(requests).reduce((n, [k, v]) => n + (k === 'desired 304' ? 0 : v), 0) / clusters;
    const perOps = per(ops);
    return {
      clusters,
      ops: perOps,
      capacity: per(capacity),
      writes: WRITE_OPERATIONS.reduce((n, op) => n + (perOps[op] ?? 0), 0),
      requests: per(requests),
      queued: bench.queue.messages / clusters,
      agentRequests,
    };
  } finally {
    for (const s of sims) await s.close();
  }
}
