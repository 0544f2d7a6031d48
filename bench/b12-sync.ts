import { setTimeout as sleep } from 'node:timers/promises';
import { POLL_JITTER_BAND } from '../agent/backoff.js';
import type { FetchLike } from '../agent/transport.js';
import type { AdminCall } from '../sim/admin.js';
import type { Fleet } from '../sim/fleet.js';
import { createSimAgent, importForSimulation, type SimAgent } from '../sim/sim-agent.js';
import { SampleSet, type LatencySummary } from '../sim/stats.js';
import { RequestRecorder, recordingFetch } from '../sim/transport.js';
import { MeasurementError } from './b1-poll-cost.js';
import { perPoll } from './b8-writes.js';
import {
  BULK_LABEL,
  BULK_RULE,
  bulkConfigMap,
  bulkRule,
  classifySyncWrites,
  secretRule,
  SOURCE_LABEL,
  sourceSecret,
  type SyncWriteClasses,
} from './b12-writes.js';
import { startHubProcess, type HubProcess } from './hub-process.js';
import { API, startPollingFleet } from './rollout.js';

/**
 * B12, resource sync at fleet scale: one source cluster and N destination clusters, each the real
 * agent (sync included, agent/sync) over its own in-memory cluster, polling a local hub process
 * every `pollSeconds`. Rule `b12-secret` syncs one Secret from the source to every other cluster;
 * rule `b12-bulk` syncs 100 ConfigMaps from the source to the first `bulkDestinations` clusters
 * (a Placement). Once every destination holds its copies:
 *
 * 1. idle: a quiet window; the source lists its 101 matching objects on every poll and must send
 *    no report; the fleet's DynamoDB operations per poll (goal: 1 GetItem, no write but the
 *    heartbeat log);
 * 2. change: the Secret is edited on the source's cluster, timed until every destination applied
 *    the new version (goal: a poll of the source + a poll of the destinations + 10 s); every
 *    DynamoDB write item of the window is booked under the hub port call that sent it
 *    (bench/write-ledger.ts): the report's O(1) writes, the revision bumps (one per destination,
 *    queued in pages like FleetDeployment fan-out), the rest.
 */

/** Options of {@link runSyncFleet}. */
export interface SyncFleetOptions {
  /** Destination clusters. */
  clusters: number;
  pollSeconds: number;
  workers: number;
  joinConcurrency: number;
  log: (line: string) => void;
  /** Objects of the bulk rule on the source; default 100. */
  bulkObjects?: number;
  /** Destinations of the bulk rule; default 10. */
  bulkDestinations?: number;
}

/** The quiet window. */
export interface SyncIdleWindow {
  seconds: number;
  /** Polls in the window, the source's and the destinations'. */
  polls: number;
  statuses: Record<string, number>;
  /** The source agent's requests by route and status (`desired 304`, `sync 200`, ...). */
  sourceStatuses: Record<string, number>;
  /** POST /agent/v1/sync calls of the source in the window (goal 0). */
  sourceReports: number;
  /** DynamoDB commands per poll, source and destinations together. */
  opsPerPoll: Record<string, number>;
  writeItems: Record<string, number>;
  writes: SyncWriteClasses;
}

/** The change round. */
export interface SyncChangeRound {
  /** Seconds from the edit on the source until every destination applied the new version. */
  allAppliedSeconds: number;
  /** Seconds from the edit until the source's report was answered. */
  sourceReportedSeconds: number;
  /** Per destination: seconds from the edit until it applied the new version. */
  perCluster: LatencySummary;
  applied: number;
  /** The source's POST /agent/v1/sync calls in the window. */
  sourceReports: number;
  /** DynamoDB commands in the window (edit until every destination applied, + 2 s). */
  ops: Record<string, number>;
  writeItems: Record<string, number>;
  writes: SyncWriteClasses;
  /** Step messages queued in the window, by type. */
  queuedByType: Record<string, number>;
  /** Desired-state answers the fleet got in the window, by status. */
  statuses: Record<string, number>;
}

/** What B12 measured. */
export interface SyncFleetResult {
  clusters: number;
  pollSeconds: number;
  pollJitterBand: string;
  workers: number;
  bulkObjects: number;
  bulkDestinations: number;
  /** Goal of the change round: two poll intervals + 10 s. */
  goalSeconds: number;
  /** Seconds from the rules' creation until every destination held its copies. */
  convergeSeconds: number;
  idle: SyncIdleWindow;
  change: SyncChangeRound;
}

const SOURCE = 'b12-source';
const MARK_BULK = 'b12-bulk';
const markOf = (version: number) => `b12-v${version}`;

async function must(what: string, call: Promise<{ status: number; text: string; body?: unknown }>, expect: number[]) {
  const res = await call;
  if (!expect.includes(res.status)) throw new MeasurementError(`${what} answered ${res.status}: ${res.text.slice(0, 300)}`);
  return res;
}

/** The source: the real agent on an in-memory cluster this process edits, its requests recorded. */
interface Source {
  sim: SimAgent;
  recorder: RequestRecorder;
  /** Times (ms since the epoch) POST /agent/v1/sync answered. */
  reportTimes: number[];
  exit: Promise<unknown>;
}

async function startSource(admin: AdminCall, bulkObjects: number): Promise<Source> {
  const imported = await importForSimulation(admin, SOURCE, { [SOURCE_LABEL]: 'source' });
  const recorder = new RequestRecorder();
  const reportTimes: number[] = [];
  const recording = recordingFetch(recorder);
  const fetch: FetchLike = async (url, init) => {
    const res = await recording(url, init);
    if (url.endsWith('/agent/v1/sync')) reportTimes.push(Date.now());
    return res;
  };
  const sim = createSimAgent(imported, { fetch });
  const put = (obj: Record<string, unknown>) => sim.cluster.apply(obj as never, { fieldManager: 'kubectl', force: true });
  await put(sourceSecret(markOf(0)));
  for (let i = 0; i < bulkObjects; i++) await put(bulkConfigMap(i, MARK_BULK));
  const first = await sim.agent.runOnce();
  if (first !== true) throw new MeasurementError(`the source agent did not join: ${String(first)}`);
  return { sim, recorder, reportTimes, exit: sim.agent.start() };
}

/** Waits until `count` clusters applied every object marked `mark`; the time the last one did. */
async function untilApplied(fleet: Fleet, mark: string, objects: number, count: number, timeoutMs: number, log: (l: string) => void) {
  const deadline = Date.now() + timeoutMs;
  let lastLog = 0;
  for (;;) {
    const times = await fleet.markTimes(mark, objects);
    const done = Object.keys(times).length;
    if (done >= count) return times;
    if (Date.now() - lastLog > 15_000) {
      lastLog = Date.now();
      log(`  B12: ${done}/${count} clusters applied ${mark}`);
    }
    if (Date.now() > deadline) throw new MeasurementError(`only ${done} of ${count} clusters applied ${mark} after ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

async function placeBulk(admin: AdminCall, expected: number): Promise<void> {
  await must(
    'creating the bulk placement',
    admin('POST', '/v1/placements', {
      apiVersion: API,
      kind: 'Placement',
      metadata: { name: BULK_RULE },
      spec: { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { [BULK_LABEL]: 'true' } } } }] },
    }),
    [201],
  );
  const deadline = Date.now() + 120_000;
  for (;;) {
    const p = await must('reading the bulk placement', admin('GET', `/v1/placements/${BULK_RULE}`), [200]);
    if ((p.body as { status?: { numberOfSelectedClusters?: number } }).status?.numberOfSelectedClusters === expected) return;
    if (Date.now() > deadline) throw new MeasurementError(`placement ${BULK_RULE} did not select ${expected} clusters`);
    await sleep(500);
  }
}

function latencies(times: Record<string, number>, started: number): LatencySummary {
  const samples = new SampleSet();
  for (const t of Object.values(times)) samples.add((t - started) / 1000);
  return samples.summary();
}

/** Runs B12. */
export async function runSyncFleet(opts: SyncFleetOptions): Promise<SyncFleetResult> {
  const bulkObjects = opts.bulkObjects ?? 100;
  const bulkDestinations = Math.min(opts.bulkDestinations ?? 10, opts.clusters);
  const hub: HubProcess = await startHubProcess({
    backend: 'dynalite',
    config: { pollIntervalSeconds: opts.pollSeconds },
    schedulerIntervalMs: 60_000,
    ledger: true,
  });
  let fleet: Fleet | undefined;
  let source: Source | undefined;
  try {
    source = await startSource(hub.admin, bulkObjects);
    fleet = await startPollingFleet(hub.admin, {
      prefix: 'b12',
      ...opts,
      labels: (i) => (i < bulkDestinations ? { [BULK_LABEL]: 'true' } : undefined),
    });
    await placeBulk(hub.admin, bulkDestinations);
    const created = Date.now();
    await must('creating the Secret rule', hub.admin('POST', '/v1/syncrules', secretRule()), [201]);
    await must('creating the bulk rule', hub.admin('POST', '/v1/syncrules', bulkRule()), [201]);
    const converge = (opts.pollSeconds * 6 + 300) * 1000;
    await untilApplied(fleet, markOf(0), 1, opts.clusters, converge, opts.log);
    await untilApplied(fleet, MARK_BULK, bulkObjects, bulkDestinations, converge, opts.log);
    const convergeSeconds = (Date.now() - created) / 1000;
    opts.log(`  B12: every destination holds its copies ${convergeSeconds.toFixed(0)} s after the rules`);
    // Let the last steps finish and the destinations' status reports land.
    await hub.settle(120_000).catch(() => undefined);
    await sleep((opts.pollSeconds + 5) * 1000);

    // 1. Quiet: longer than the agents' 60 s report debounce.
    const idleSeconds = Math.max(65, opts.pollSeconds * 2 + 5);
    await fleet.report();
    source.recorder.take();
    const reportsBefore = source.reportTimes.length;
    await hub.reset();
    await sleep(idleSeconds * 1000);
    const idleUsage = await hub.usage();
    const idleFleet = await fleet.report();
    const idleSource = source.recorder.take();
    const polls = idleFleet.pollLatencies.length + idleSource.pollLatencies.length;
    const idle: SyncIdleWindow = {
      seconds: idleUsage.wallMs / 1000,
      polls,
      statuses: idleFleet.statuses,
      sourceStatuses: idleSource.statuses,
      sourceReports: source.reportTimes.length - reportsBefore,
      opsPerPoll: perPoll(idleUsage.ops, polls),
      writeItems: idleUsage.writeItems ?? {},
      writes: classifySyncWrites(idleUsage.writeItems ?? {}),
    };
    opts.log(`  B12: idle ${polls} polls: ${JSON.stringify(idle.opsPerPoll)} per poll; source reports ${idle.sourceReports}`);

    // 2. The Secret changes on the source.
    await fleet.report();
    source.recorder.take();
    const reportsAtEdit = source.reportTimes.length;
    await hub.reset();
    const started = Date.now();
    await source.sim.cluster.apply(sourceSecret(markOf(1)) as never, { fieldManager: 'kubectl', force: true });
    const limit = (opts.pollSeconds * 4 + 120) * 1000;
    const times = await untilApplied(fleet, markOf(1), 1, opts.clusters, limit, opts.log);
    const last = Math.max(...Object.values(times));
    // Status reports and the last steps of the round: let them land before counting.
    await sleep(2_000);
    const usage = await hub.usage();
    const changeFleet = await fleet.report();
    const reports = source.reportTimes.slice(reportsAtEdit);
    const change: SyncChangeRound = {
      allAppliedSeconds: (last - started) / 1000,
      sourceReportedSeconds: reports.length ? (reports[0] - started) / 1000 : Number.NaN,
      perCluster: latencies(times, started),
      applied: Object.keys(times).length,
      sourceReports: reports.length,
      ops: usage.ops,
      writeItems: usage.writeItems ?? {},
      writes: classifySyncWrites(usage.writeItems ?? {}),
      queuedByType: usage.queuedByType ?? {},
      statuses: changeFleet.statuses,
    };
    opts.log(
      `  B12: every destination applied the change ${change.allAppliedSeconds.toFixed(1)} s after the edit (source reported after ${change.sourceReportedSeconds.toFixed(1)} s); writes ${JSON.stringify(change.writeItems)}`,
    );
    return {
      clusters: opts.clusters,
      pollSeconds: opts.pollSeconds,
      pollJitterBand: POLL_JITTER_BAND,
      workers: opts.workers,
      bulkObjects,
      bulkDestinations,
      goalSeconds: opts.pollSeconds * 2 + 10,
      convergeSeconds,
      idle,
      change,
    };
  } finally {
    await fleet?.stop();
    await source?.sim.close();
    await source?.exit.catch(() => undefined);
    await hub.close();
  }
}
