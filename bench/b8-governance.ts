import { setTimeout as sleep } from 'node:timers/promises';
import { POLL_JITTER_BAND } from '../agent/backoff.js';
import type { Fleet } from '../sim/fleet.js';
import type { AdminCall } from '../sim/admin.js';
import { SampleSet, type LatencySummary } from '../sim/stats.js';
import { MeasurementError } from './b1-poll-cost.js';
import { classifyWrites, governancePolicy, perPoll, type WriteClasses } from './b8-writes.js';
import { startHubProcess, type HubProcess } from './hub-process.js';
import { placeFleet, startPollingFleet } from './rollout.js';

/**
 * B8, governance at fleet scale: N simulated agents (the real agent code, sim/fleet.ts) polling a
 * local hub process every `pollSeconds`, a Placement choosing them all and 30 inform policies of 10
 * ConfigMaps each, applied and left to converge (every cluster reported on all 30). Then:
 *
 * 1. latency: a new (31st) policy is created, timed from the admin call until its roll-up counts
 *    every cluster and no Unknown (goal: one poll interval + 10 s); the per-cluster figures come
 *    from the times of its first compliance events;
 * 2. idle: a quiet window of the converged fleet, DynamoDB operations per poll (like B3);
 * 3. writes per compliance change: the 31st policy is changed so that every cluster turns
 *    NonCompliant; every DynamoDB write item of the window is booked under the hub port call that
 *    sent it (bench/write-ledger.ts), and the ingestion's items are divided by the changes
 *    (goal ≤ 2: the current item and the event). The policy update's own writes and the fleet's
 *    background writes are reported beside them.
 */

/** Options of {@link runGovernanceFleet}. */
export interface GovernanceFleetOptions {
  clusters: number;
  pollSeconds: number;
  workers: number;
  joinConcurrency: number;
  log: (line: string) => void;
  /** Policies applied before the measurements; default 30. */
  policies?: number;
  /** ConfigMaps per policy; default 10. */
  objects?: number;
}

/** The latency round. */
export interface NewPolicyRound {
  /** Seconds from the admin call until the roll-up counted every cluster, none Unknown (read every second). */
  allRecordedSeconds: number;
  /** Per-cluster seconds from the admin call to the hub time of the cluster's first event of the policy. */
  perCluster: LatencySummary;
  /** Clusters with an event of the policy. */
  recorded: number;
  /** The roll-up when it was complete. */
  summary: Record<string, number>;
}

/** The quiet window. */
export interface IdleWindow {
  seconds: number;
  polls: number;
  /** Answers the agents got, by kind. */
  statuses: Record<string, number>;
  /** DynamoDB commands per poll. */
  opsPerPoll: Record<string, number>;
  /** Write items in the window by port call. */
  writeItems: Record<string, number>;
  /** Compliance ingestion write items in the window (expected 0). */
  ingestionWrites: number;
}

/** The compliance-change round. */
export interface ChangeRound {
  /** Clusters whose compliance changed (NonCompliant events of the policy since the update). */
  changes: number;
  /** Seconds from the admin call until the roll-up showed every cluster NonCompliant. */
  allReportedSeconds: number;
  perCluster: LatencySummary;
  /** DynamoDB commands in the window (from the update until every cluster had reported). */
  ops: Record<string, number>;
  /** Write items of the window by port call and class. */
  writes: WriteClasses;
  /** Compliance ingestion write items per change. */
  ingestionPerChange: number;
  polls: number;
}

/** What B8 measured. */
export interface GovernanceFleetResult {
  clusters: number;
  pollSeconds: number;
  pollJitterBand: string;
  workers: number;
  policies: number;
  objectsPerPolicy: number;
  goalSeconds: number;
  /**
   * Seconds from the Placement's creation (the policies exist already) until every roll-up counted
   * every cluster, none Unknown.
   */
  convergeSeconds: number;
  /** True when the policies were created before the Placement (absent in results saved before: the Placement first). */
  placementAfterPolicies?: boolean;
  newPolicy: NewPolicyRound;
  idle: IdleWindow;
  change: ChangeRound;
}

const PLACEMENT = 'b8';
const NEW_POLICY = 'b8-new';

async function must(what: string, call: Promise<{ status: number; text: string; body?: unknown }>, expect: number) {
  const res = await call;
  if (res.status !== expect) throw new MeasurementError(`${what} answered ${res.status}: ${res.text.slice(0, 300)}`);
  return res;
}

/** Roll-up summaries of every policy (name → summary). */
async function rollups(admin: AdminCall): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  let cont: string | undefined;
  do {
    const res = await must(
      'listing policies',
      admin('GET', `/v1/policies?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`),
      200,
    );
    const body = res.body as {
      items: Array<{ metadata: { name: string }; status?: { summary?: Record<string, number> } }>;
      continue?: string;
    };
    for (const p of body.items) out.set(p.metadata.name, p.status?.summary ?? {});
    cont = body.continue;
  } while (cont);
  return out;
}

/** Polls one policy's roll-up every second until `done`; the time the answer arrived. */
async function untilRollup(
  admin: AdminCall,
  name: string,
  done: (s: Record<string, number>) => boolean,
  timeoutMs: number,
): Promise<{ at: number; summary: Record<string, number> }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await must(`reading policy ${name}`, admin('GET', `/v1/policies/${name}`), 200);
    const last = (res.body as { status?: { summary?: Record<string, number> } }).status?.summary ?? {};
    if (done(last)) return { at: Date.now(), summary: last };
    if (Date.now() > deadline) throw new MeasurementError(`policy ${name}: roll-up ${JSON.stringify(last)} after ${timeoutMs / 1000} s`);
    await sleep(1000);
  }
}

/** Per cluster, the hub time (ms) of its first event of `policy` in `compliance` since `since`. */
async function firstEvents(admin: AdminCall, policy: string, compliance: string, since: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let cont: string | undefined;
  do {
    const q = new URLSearchParams({ policy, compliance, since: new Date(since - 1000).toISOString(), direction: 'asc', limit: '1000' });
    if (cont) q.set('continue', cont);
    const res = await must('reading compliance events', admin('GET', `/v1/compliance/events?${q}`), 200);
    const body = res.body as { items: Array<{ cluster: string; time: string }>; continue?: string };
    for (const e of body.items) {
      const t = Date.parse(e.time);
      if (t >= since && !out.has(e.cluster)) out.set(e.cluster, t);
    }
    cont = body.continue;
  } while (cont);
  return out;
}

function latencies(times: Map<string, number>, started: number): LatencySummary {
  const samples = new SampleSet();
  for (const t of times.values()) samples.add((t - started) / 1000);
  return samples.summary();
}

/** Creates the policies; their placement does not exist yet, so they go to no cluster. */
async function createPolicies(hub: HubProcess, policies: number, objects: number): Promise<void> {
  for (let p = 0; p < policies; p++) {
    const name = `b8-p${String(p).padStart(2, '0')}`;
    await must(`creating ${name}`, hub.admin('POST', '/v1/policies', governancePolicy(name, PLACEMENT, 'musthave', objects, p)), 201);
  }
}

/** Waits until every policy's roll-up counts every cluster, none Unknown. */
async function converged(hub: HubProcess, opts: GovernanceFleetOptions, policies: number): Promise<void> {
  const deadline = Date.now() + Math.max(600_000, opts.clusters * 1_000);
  // A roll-up reads every cluster's item of its policy: the first and the last policy are polled
  // (an agent reports all its policies at once), and all of them read once those are complete.
  const every = Math.max(5_000, opts.clusters * 15);
  const sample = [0, policies - 1].map((p) => `b8-p${String(p).padStart(2, '0')}`);
  const complete = (s: Record<string, number> | undefined) => s?.clusters === opts.clusters && s.unknown === 0;
  let lastLog = 0;
  for (;;) {
    try {
      const some = await Promise.all(
        sample.map(
          async (name) =>
            (await must(`reading ${name}`, hub.admin('GET', `/v1/policies/${name}`), 200)).body as {
              status?: { summary?: Record<string, number> };
            },
        ),
      );
      if (some.every((p) => complete(p.status?.summary))) {
        const all = await rollups(hub.admin);
        const done = [...all.values()].filter(complete).length;
        if (done === policies) return;
        opts.log(`  B8: ${done}/${policies} policies reported by every cluster`);
      } else if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        opts.log(`  B8: roll-ups of ${sample.join(' and ')}: ${some.map((p) => JSON.stringify(p.status?.summary ?? {})).join(', ')}`);
      }
    } catch (err) {
      // An overloaded local hub may refuse a connection for a while; the deadline decides.
      if (!(err instanceof TypeError)) throw err;
      opts.log(`  B8: the hub did not answer (${err.message}); retrying`);
    }
    if (Date.now() > deadline) throw new MeasurementError(`the ${policies} policies did not converge`);
    await sleep(every);
  }
}

/** Runs B8. */
export async function runGovernanceFleet(opts: GovernanceFleetOptions): Promise<GovernanceFleetResult> {
  const policies = opts.policies ?? 30;
  const objects = opts.objects ?? 10;
  const hub = await startHubProcess({
    backend: 'dynalite',
    config: { pollIntervalSeconds: opts.pollSeconds },
    schedulerIntervalMs: 60_000,
    ledger: true,
  });
  let fleet: Fleet | undefined;
  try {
    fleet = await startPollingFleet(hub.admin, { prefix: 'b8', ...opts });
    // The policies first, then the placement: one sync step per policy when the placement chooses
    // the fleet, instead of 30 admin requests that each move every cluster's desired state.
    await createPolicies(hub, policies, objects);
    const placed = Date.now();
    // The placement's count is what is waited for: the sync steps it starts may outlast a drain.
    const drain = (ms: number) => hub.settle(ms).catch(() => undefined);
    await placeFleet(hub.admin, PLACEMENT, 'b8', opts.clusters, () => drain(30_000), { timeoutMs: 900_000 });
    await converged(hub, opts, policies);
    const convergeSeconds = (Date.now() - placed) / 1000;
    opts.log(`  B8: ${policies} policies reported by all ${opts.clusters} clusters after ${convergeSeconds.toFixed(0)} s`);
    // Every agent polls at its own phase again before the timed change.
    await drain(300_000);
    await sleep((opts.pollSeconds + 5) * 1000);

    // 1. A new policy: Compliant everywhere (none of its ConfigMaps exist).
    const limit = (opts.pollSeconds * 4 + 120) * 1000;
    let started = Date.now();
    await must(
      'creating the new policy',
      hub.admin('POST', '/v1/policies', governancePolicy(NEW_POLICY, PLACEMENT, 'mustnothave', objects, policies)),
      201,
    );
    const recorded = await untilRollup(hub.admin, NEW_POLICY, (s) => s.clusters === opts.clusters && s.unknown === 0, limit);
    const first = await firstEvents(hub.admin, NEW_POLICY, 'Compliant', started);
    const newPolicy: NewPolicyRound = {
      allRecordedSeconds: (recorded.at - started) / 1000,
      perCluster: latencies(first, started),
      recorded: first.size,
      summary: recorded.summary,
    };
    opts.log(`  B8: new policy recorded for every cluster after ${newPolicy.allRecordedSeconds.toFixed(1)} s`);

    // 2. Quiet: longer than the agents' 60 s report debounce, so the change below is sent at once.
    const idleSeconds = Math.max(65, opts.pollSeconds * 2 + 5);
    await fleet.report();
    await hub.reset();
    await sleep(idleSeconds * 1000);
    const idleUsage = await hub.usage();
    const idleFleet = await fleet.report();
    const idleWrites = idleUsage.writeItems ?? {};
    const idle: IdleWindow = {
      seconds: idleUsage.wallMs / 1000,
      polls: idleFleet.pollLatencies.length,
      statuses: idleFleet.statuses,
      opsPerPoll: perPoll(idleUsage.ops, idleFleet.pollLatencies.length),
      writeItems: idleWrites,
      ingestionWrites: classifyWrites(idleWrites).ingestion.total,
    };
    opts.log(`  B8: idle ${idle.polls} polls: ${JSON.stringify(idle.opsPerPoll)} per poll`);

    // 3. Every cluster's compliance changes once: the policy now requires its ConfigMaps.
    const current = await must('reading the new policy', hub.admin('GET', `/v1/policies/${NEW_POLICY}`), 200);
    const next = governancePolicy(NEW_POLICY, PLACEMENT, 'musthave', objects, policies) as { metadata: Record<string, unknown> };
    next.metadata.resourceVersion = (current.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    await fleet.report();
    await hub.reset();
    started = Date.now();
    await must('changing the new policy', hub.admin('PUT', `/v1/policies/${NEW_POLICY}`, next), 200);
    const reported = await untilRollup(hub.admin, NEW_POLICY, (s) => s.nonCompliant === opts.clusters, limit);
    // The event is appended right after the item, in the same request: let the last requests finish.
    await sleep(2_000);
    const usage = await hub.usage();
    const changeFleet = await fleet.report();
    const changed = await firstEvents(hub.admin, NEW_POLICY, 'NonCompliant', started);
    const writes = classifyWrites(usage.writeItems ?? {});
    const change: ChangeRound = {
      changes: changed.size,
      allReportedSeconds: (reported.at - started) / 1000,
      perCluster: latencies(changed, started),
      ops: usage.ops,
      writes,
      ingestionPerChange: changed.size ? writes.ingestion.total / changed.size : Number.NaN,
      polls: changeFleet.pollLatencies.length,
    };
    opts.log(`  B8: ${change.changes} changes, ${change.ingestionPerChange.toFixed(2)} ingestion write items per change`);
    return {
      clusters: opts.clusters,
      pollSeconds: opts.pollSeconds,
      pollJitterBand: POLL_JITTER_BAND,
      workers: opts.workers,
      policies,
      objectsPerPolicy: objects,
      goalSeconds: opts.pollSeconds + 10,
      convergeSeconds,
      placementAfterPolicies: true,
      newPolicy,
      idle,
      change,
    };
  } finally {
    await fleet?.stop();
    await hub.close();
  }
}
