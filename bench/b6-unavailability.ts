import { jitteredInterval } from '../agent/backoff.js';
import { systemClock, type AgentClock } from '../agent/clock.js';
import { LEASE_GRACE_FACTOR } from '../lambdas/capabilities/clusters/cluster-lease.js';
import { ClusterConditions } from '../shared/resources/cluster.js';
import { MeasurementError } from './b1-poll-cost.js';
import type { BenchHub } from './hub.js';
import { createSimAgent, importForSimulation } from '../sim/sim-agent.js';
import { seededRandom } from '../sim/stats.js';

/**
 * B6, unavailability detection: the time from an agent going silent (its last poll) to its
 * cluster reading Available=Unknown, with default settings (60 s lease, expired after 3 lease
 * durations plus the heartbeat log's flush interval without a heartbeat, found by the scheduler's
 * next tick). Minutes of waiting are replaced by the hub's
 * injected clock: the real agent polls, then stops; the clock moves to each scheduler tick, where
 * the real tick, the real expiry step and the real availability update run. The computed bounds
 * are reported next to the measured times.
 */

/** Options of {@link measureUnavailability}. */
export interface UnavailabilityOptions {
  /** Independent trials (each a new cluster, a random tick phase). Default 20. */
  trials?: number;
  /** Scheduler period, seconds: 60 in AWS (TetherHub's EventBridge rule). */
  tickSeconds?: number;
  /** Poll interval of the agent, seconds. Default 30. */
  pollSeconds?: number;
}

/** What B6 found. */
export interface UnavailabilityResult {
  leaseDurationSeconds: number;
  graceFactor: number;
  tickSeconds: number;
  pollSeconds: number;
  /** The heartbeat log's flush interval, seconds: the sweep allows it on top of the grace. */
  flushIntervalSeconds: number;
  /**
   * The bounds the design implies for one hub process (its own buffered heartbeats are read):
   * [lease x grace + flush interval - lease / 2, lease x grace + flush interval + tick]. The hub
   * records a heartbeat only every half lease, so the last recorded one may be up to half a lease
   * older than the last poll.
   */
  computed: { minSeconds: number; maxSeconds: number };
  /** Seconds from the last poll to Available=Unknown, per trial (hub clock). */
  measuredSeconds: number[];
  /** Wall time the hub spent on the tick that found each expiry (query, step, record update), ms. */
  processingMs: number[];
  /** The condition's reason and message as written. */
  reason: string;
  message: string;
}

/** Runs B6 on `bench` (its clock is moved; give it a hub of its own). */
export async function measureUnavailability(bench: BenchHub, opts: UnavailabilityOptions = {}): Promise<UnavailabilityResult> {
  const trials = opts.trials ?? 20;
  const tick = (opts.tickSeconds ?? 60) * 1000;
  const poll = (opts.pollSeconds ?? 30) * 1000;
  const random = seededRandom(6);
  const clock: AgentClock = { now: () => bench.clock.now(), sleep: systemClock.sleep };
  const measured: number[] = [];
  const processing: number[] = [];
  let lease = 60;
  let reason = '';
  let message = '';
  for (let trial = 0; trial < trials; trial++) {
    const name = `b6-${String(trial).padStart(3, '0')}`;
    const sim = createSimAgent(await importForSimulation(bench.admin, name), { clock, random });
    try {
      // A few polls at the agent's jittered interval: the first makes the lease live, the rest are heartbeats.
      const polls = 2 + Math.floor(random() * 4);
      for (let i = 0; i < polls; i++) {
        if (i > 0) bench.clock.advance(jitteredInterval(poll, random));
        const out = await sim.agent.runOnce();
        if (out !== true) throw new MeasurementError(`agent of ${name} could not poll: ${String(out)}`);
      }
      await bench.hub.settle();
      const head = await bench.hub.ctx.ports.heads.get(name, { consistent: true });
      lease = head?.leaseDurationSeconds ?? lease;
      const silentAt = bench.clock.now();
      // The scheduler's phase relative to the silence is random, as it is in AWS.
      let next = silentAt + Math.floor(random() * tick);
      for (;;) {
        bench.clock.advance(next - bench.clock.now());
        const started = Date.now();
        await bench.hub.tick();
        await bench.hub.settle();
        const res = await bench.admin('GET', `/v1/clusters/${name}`);
        const available = (res.body?.status?.conditions ?? []).find((c: { type: string }) => c.type === ClusterConditions.Available);
        if (available?.status === 'Unknown') {
          measured.push((bench.clock.now() - silentAt) / 1000);
          processing.push(Date.now() - started);
          reason = available.reason;
          message = available.message;
          break;
        }
        if (bench.clock.now() - silentAt > 20 * lease * 1000)
          throw new MeasurementError(`${name} still not Unknown ${Math.round((bench.clock.now() - silentAt) / 1000)} s after going silent`);
        next += tick;
      }
    } finally {
      await sim.close();
    }
  }
  const tickSeconds = tick / 1000;
  const flushIntervalSeconds = bench.hub.ctx.ports.heartbeats.lagMs / 1000;
  const expirySeconds = lease * LEASE_GRACE_FACTOR + flushIntervalSeconds;
  const minSeconds = expirySeconds - lease / 2;
  const maxSeconds = expirySeconds + tickSeconds;
  return {
    leaseDurationSeconds: lease,
    graceFactor: LEASE_GRACE_FACTOR,
    tickSeconds,
    pollSeconds: poll / 1000,
    flushIntervalSeconds,
    // The last recorded heartbeat is the last sign of life (up to half a lease before the last
    // poll); the tick comes up to one period after expiry.
    computed: { minSeconds, maxSeconds },
    measuredSeconds: measured,
    processingMs: processing,
    reason,
    message,
  };
}
