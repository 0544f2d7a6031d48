import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { AgentClock } from '../agent/clock.js';
import { systemClock } from '../agent/clock.js';
import { AgentStateStore } from '../agent/state-store.js';
import type { FetchLike } from '../agent/transport.js';
import { silentLog } from '../agent/log.js';
import { headKey, heartbeatPartition } from '../lambdas/adapters/dynamodb/keys.js';
import { itemSize } from '../lambdas/adapters/dynamodb/raw-item.js';
import type { OperationSnapshot } from '../lambdas/adapters/dynamodb/op-counter.js';
import { MEAN_POLL_FRACTION } from '../agent/backoff.js';
import { HEARTBEAT_AGE_HEADER, HEARTBEAT_RECORDED_HEADER, USER_CLAIM_LABEL } from '../shared/protocol/v1.js';
import { TetherError } from '../shared/errors.js';
import type { HeartbeatFlush, SweepCost } from './cost-model.js';
import type { BenchHub } from './hub.js';
import { createSimAgent, importForSimulation, SIM_NAMESPACE, type SimAgent } from '../sim/sim-agent.js';
import { seededRandom } from '../sim/stats.js';
import { RequestRecorder, recordingFetch } from '../sim/transport.js';

/**
 * B1, idle poll cost: the exact DynamoDB operations of an idle poll, of the lease transition, of
 * the heartbeat log's flushes, of a status report and of a scheduler tick (the expiry sweep),
 * counted on the hub's real DynamoDB client while the real agent polls through the real routes.
 * Time moves with the hub's injected clock, so lease periods pass without waiting and the figures
 * do not depend on this machine's speed (the regression guard in test/integration/bench/ asserts
 * them).
 */

/** Commands that write to the table. */
export const WRITE_OPERATIONS = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'] as const;

/** The agent's cycle did not do what a measurement needs (e.g. it failed to join). */
export class MeasurementError extends TetherError {
  // 500: the benchmark could not measure what it set out to.
  static override readonly status = 500;
  static override readonly title = 'Measurement failed';
  readonly code = 'measurement-failed';
}

/** Counted DynamoDB work and agent requests of one step. */
export interface CountedStep {
  ops: Record<string, number>;
  capacity: Record<string, number>;
  /** Table writes among `ops`. */
  writes: number;
  /** Agent requests as `route status` (e.g. `desired 304`). */
  requests: Record<string, number>;
  /** Step messages the hub queued. */
  queued: number;
}

/** Everything B1 counted. */
export interface PollCostResult {
  backend: string;
  cluster: string;
  /** One idle poll of the real agent. */
  idlePoll: CountedStep;
  /** Size of the head item the idle poll reads, bytes (DynamoDB's item-size rules). */
  headItemBytes: number;
  /** A poll that gives the head a lease (the transition to live, after the lease was dropped). */
  renewingPoll: CountedStep;
  /** `polls` polls of the live cluster spread over one lease period: no head write. */
  leaseWindow: CountedStep & { polls: number; leaseDurationSeconds: number };
  /**
   * Polls one second apart over three flush intervals, each recorded as a heartbeat (sent without
   * the heartbeat age, as an agent that just started): the heartbeat log's writes.
   */
  heartbeatWindow: CountedStep & { polls: number; spanSeconds: number; flushIntervalSeconds: number };
  /** The real agent polling `spacingSeconds` apart (the mean spacing at a 30 s interval): how many of its polls the hub recorded as heartbeats. */
  heartbeatThinning: { polls: number; recorded: number; spacingSeconds: number; leaseDurationSeconds: number };
  /** Flushes of the heartbeat log with N clusters buffered: operations, item bytes, write units. */
  heartbeatFlushes: HeartbeatFlush[];
  /** The expiry sweep with many live clusters against one, per extra live cluster. */
  sweep: SweepCost;
  /**
   * One status report that changes a claim, without the poll of the same cycle, with the steps it
   * queues run to the end (the placement re-evaluation of the cluster).
   */
  statusReport: CountedStep;
  /** One status report that changes only health (as work feedback does): the report again with `healthy` flipped, and its steps. */
  healthReport: CountedStep;
  /** One scheduler tick with nothing expired and one live cluster. */
  schedulerTick: CountedStep;
  /** The agent's credential and current ETag, for the Lambda-mode probe. */
  credential: string;
  etag: string;
  /** The last status report body the agent sent (the probe replays variants of it). */
  lastReport: Record<string, unknown>;
}

/** Options of {@link measurePollCost}. */
export interface PollCostOptions {
  /** Buffered clusters of the measured heartbeat flushes. Default 1, 100, 1000. */
  flushSizes?: number[];
  /** Extra live clusters of the sweep measurement. Default 1000 (fewer overstate the per-cluster reads: each shard's Query rounds up to 4 KB). */
  sweepClusters?: number;
  /** Status reports to average over. Default 5. */
  reports?: number;
  /** Cluster name. Default `b1-cost`. */
  cluster?: string;
}

/** Poll interval of the heartbeat-thinning measurement, seconds. */
export const THINNING_POLL_SECONDS = 30;

/** Names of the stand-in clusters of the flush and sweep measurements: `store-00042` (11 characters). */
export const standInName = (i: number) => `store-${String(i).padStart(5, '0')}`;

const writesOf = (ops: Record<string, number>) => WRITE_OPERATIONS.reduce((n, op) => n + (ops[op] ?? 0), 0);

/** The difference of two counted steps (what `b` did beyond `a`). */
export function minus(b: CountedStep, a: CountedStep): CountedStep {
  const diff = (x: Record<string, number>, y: Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
      const v = Math.round(((x[k] ?? 0) - (y[k] ?? 0)) * 1000) / 1000;
      if (v !== 0) out[k] = v;
    }
    return out;
  };
  const ops = diff(b.ops, a.ops);
  return {
    ops,
    capacity: diff(b.capacity, a.capacity),
    writes: writesOf(ops),
    requests: diff(b.requests, a.requests),
    queued: b.queued - a.queued,
  };
}

/** Divides every figure of a step by `n` (an average over n repetitions). */
export function per(step: CountedStep, n: number): CountedStep {
  const div = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Math.round((v / n) * 1000) / 1000]));
  return {
    ops: div(step.ops),
    capacity: div(step.capacity),
    writes: step.writes / n,
    requests: div(step.requests),
    queued: step.queued / n,
  };
}

/**
 * Runs B1 on a fresh bench hub: imports and joins one cluster with the real agent, then counts.
 * The hub's clock is moved; use a hub of its own.
 */
export async function measurePollCost(bench: BenchHub, opts: PollCostOptions = {}): Promise<PollCostResult> {
  const name = opts.cluster ?? 'b1-cost';
  const recorder = new RequestRecorder();
  let lastReport: Record<string, unknown> | undefined;
  let statusUrl = '';
  // Off: the agent's polls go out without their heartbeat age, so that the hub records each one.
  let sendHeartbeatAge = true;
  let recorded = 0;
  const capture: FetchLike = async (url, init) => {
    if (url.endsWith('/agent/v1/status') && init.body) {
      lastReport = JSON.parse(init.body) as Record<string, unknown>;
      statusUrl = url;
    }
    const headers = { ...(init.headers as Record<string, string>) };
    if (!sendHeartbeatAge) delete headers[HEARTBEAT_AGE_HEADER];
    const res = await fetch(url, { ...init, headers });
    if (res.headers.get(HEARTBEAT_RECORDED_HEADER) === 'recorded') recorded++;
    return res;
  };
  // The agent sees the hub's time, so that its claim and resync timers agree with the leases.
  const clock: AgentClock = { now: () => bench.clock.now(), sleep: systemClock.sleep };
  const sim: SimAgent = createSimAgent(await importForSimulation(bench.admin, name), {
    clock,
    random: seededRandom(1),
    fetch: recordingFetch(recorder, { inner: capture }),
    // Claims are measured on every cycle, so a changed claim is reported on the next one.
    claimsIntervalMs: 0,
  });
  try {
    await cycle(sim);
    await bench.hub.settle();

    const count = async (action: () => Promise<void>): Promise<CountedStep> => {
      await bench.hub.settle();
      bench.ops.reset();
      bench.queue.reset();
      recorder.take();
      await action();
      const snap: OperationSnapshot = bench.ops.snapshot();
      return {
        ops: snap.counts,
        capacity: snap.capacity,
        writes: writesOf(snap.counts),
        requests: recorder.take().statuses,
        queued: bench.queue.messages,
      };
    };

    const idlePoll = await count(() => cycle(sim));
    const headItemBytes = await headSize(bench, name);

    // A live cluster's polls write nothing to its head, however long they go on.
    const lease = (await headLease(bench, name)) * 1000;
    const windowPolls = 11;
    const leaseWindow = await count(async () => {
      for (let i = 0; i < windowPolls; i++) {
        await cycle(sim);
        bench.clock.advance(Math.floor(lease / windowPolls));
      }
    });

    // The heartbeat log: polls one second apart over three flush intervals write three batches.
    const flushMs = bench.hub.ctx.ports.heartbeats.lagMs;
    await bench.hub.ctx.ports.heartbeats.flush();
    bench.clock.advance(flushMs);
    const heartbeatPolls = (3 * flushMs) / 1000;
    const windowStart = bench.clock.now();
    sendHeartbeatAge = false;
    const heartbeatWindow = await count(async () => {
      for (let i = 0; i < heartbeatPolls; i++) {
        await cycle(sim);
        if (i < heartbeatPolls - 1) bench.clock.advance(1000);
      }
    });
    sendHeartbeatAge = true;
    // The hub's clock also moves with real time: the span is a little over polls - 1 seconds.
    const heartbeatSpanSeconds = (bench.clock.now() - windowStart) / 1000;

    // The transition: the agent goes silent until the sweep drops its lease; its next poll takes a new one.
    bench.clock.advance(3 * lease + flushMs);
    await bench.hub.tick();
    await bench.hub.settle();
    if ((await bench.hub.ctx.ports.heads.get(name, { consistent: true }))?.leaseRenewedAt !== undefined) {
      throw new MeasurementError(`the sweep did not drop the lease of ${name}`);
    }
    // Counted with the availability step it queues, run to the end (so the count does not race it).
    const renewingPoll = await count(async () => {
      await cycle(sim);
      await bench.hub.settle();
    });

    // Heartbeat thinning: the agent, back to sending its heartbeat age, polls at the mean spacing
    // of a 30 s interval; the hub records a heartbeat every half lease.
    const spacingMs = Math.round(THINNING_POLL_SECONDS * 1000 * MEAN_POLL_FRACTION);
    const thinningPolls = 20;
    await cycle(sim);
    recorded = 0;
    for (let i = 0; i < thinningPolls; i++) {
      bench.clock.advance(spacingMs);
      await cycle(sim);
    }
    const heartbeatThinning = { polls: thinningPolls, recorded, spacingSeconds: spacingMs / 1000, leaseDurationSeconds: lease / 1000 };
    if (recorded === 0) throw new MeasurementError(`the hub recorded none of ${thinningPolls} polls ${spacingMs} ms apart as a heartbeat`);

    const heartbeatFlushes: HeartbeatFlush[] = [];
    for (const n of opts.flushSizes ?? [1, 100, 1000]) heartbeatFlushes.push(await measureFlush(bench, n, count));
    // The stand-ins' heartbeats as the hub records them: one every (polls / recorded) polls.
    const sweep = await measureSweep(bench, name, opts.sweepClusters ?? 1000, spacingMs * (thinningPolls / recorded), count);

    // A poll now, so the status cycles below are plain heartbeats.
    await cycle(sim);
    const reports = opts.reports ?? 5;
    // Counted with the steps they queue, run to the end (so the count does not race them).
    const reportCycles = await count(async () => {
      for (let i = 0; i < reports; i++) {
        await sim.cluster.apply(
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'bench-claims', namespace: SIM_NAMESPACE, labels: { [USER_CLAIM_LABEL]: 'true' } },
            data: { 'round.bench.example.com': String(i) },
          },
          { fieldManager: 'bench', force: true },
        );
        await cycle(sim);
      }
      await bench.hub.settle();
    });
    const statusReport = minus(per(reportCycles, reports), idlePoll);
    if ((reportCycles.requests['status 204'] ?? 0) !== reports) {
      throw new MeasurementError(`expected ${reports} status reports, the agent sent ${JSON.stringify(reportCycles.requests)}`);
    }
    const credential = (await new AgentStateStore(sim.cluster, SIM_NAMESPACE, silentLog()).loadCredential()) ?? '';
    const healthReport = await measureHealthReports(statusUrl, lastReport, credential, reports, count, bench);

    await bench.hub.ctx.ports.heartbeats.flush();
    const schedulerTick = await count(async () => {
      await bench.hub.tick();
    });

    const etag = `"${sim.agent.desiredState?.revision ?? ''}"`;
    return {
      backend: bench.backend,
      cluster: name,
      idlePoll,
      headItemBytes,
      renewingPoll,
      leaseWindow: { ...leaseWindow, polls: windowPolls, leaseDurationSeconds: lease / 1000 },
      heartbeatWindow: {
        ...heartbeatWindow,
        polls: heartbeatPolls,
        spanSeconds: heartbeatSpanSeconds,
        flushIntervalSeconds: flushMs / 1000,
      },
      heartbeatThinning,
      heartbeatFlushes,
      sweep,
      statusReport,
      healthReport,
      schedulerTick,
      credential,
      etag,
      lastReport: lastReport ?? {},
    };
  } finally {
    await sim.close();
  }
}

/** One agent cycle (poll, reconcile, report if changed); fails loudly if the agent could not poll. */
async function cycle(sim: SimAgent): Promise<void> {
  const out = await sim.agent.runOnce();
  if (out !== true) throw new MeasurementError(`the agent of ${sim.name} could not poll: ${out instanceof Error ? out.message : out}`);
}

/**
 * Status reports that change only health: the agent's last report sent again through the real
 * route with `healthy` flipped each time, counted with the steps they queue. The agent itself
 * reports health only when reconciling fails, which a benchmark cannot cause on cue.
 */
async function measureHealthReports(
  url: string,
  last: Record<string, unknown> | undefined,
  credential: string,
  n: number,
  count: Count,
  bench: BenchHub,
): Promise<CountedStep> {
  if (!url || !last) throw new MeasurementError('the agent sent no status report to replay');
  const step = await count(async () => {
    for (let i = 0; i < n; i++) {
      const healthy = i % 2 === 1;
      const body = JSON.stringify({ ...last, healthy, ...(healthy ? {} : { message: 'bench: reconcile failed' }) });
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
        body,
      });
      if (res.status !== 204) throw new MeasurementError(`a health report was answered ${res.status}: ${await res.text()}`);
    }
    await bench.hub.settle();
  });
  return per(step, n);
}

async function headLease(bench: BenchHub, cluster: string): Promise<number> {
  const head = await bench.hub.ctx.ports.heads.get(cluster, { consistent: true });
  if (!head) throw new MeasurementError(`cluster ${cluster} has no head`);
  return head.leaseDurationSeconds;
}

type Count = (action: () => Promise<void>) => Promise<CountedStep>;

/**
 * One flush of `n` buffered heartbeats through the hub's own log: `n` stand-in clusters recorded
 * within one flush interval, then one more record once it is over writes them all (n + 1 entries).
 * Item bytes are read back with an uncounted client and sized as DynamoDB does.
 */
async function measureFlush(bench: BenchHub, n: number, count: Count): Promise<HeartbeatFlush> {
  const log = bench.hub.ctx.ports.heartbeats;
  await log.flush();
  // A flush interval on, one heartbeat is written at once and starts a fresh interval.
  bench.clock.advance(log.lagMs);
  const at = bench.clock.now();
  await log.record(standInName(0), at);
  const before = new Set((await heartbeatItems(bench, at)).map(itemKey));
  const step = await count(async () => {
    for (let i = 1; i <= n; i++) await log.record(standInName(i), at);
    await log.record(standInName(n + 1), at + log.lagMs);
  });
  bench.clock.advance(log.lagMs);
  if (step.writes === 0) throw new MeasurementError(`recording ${n + 1} heartbeats over a flush interval wrote nothing`);
  const written = (await heartbeatItems(bench, at)).filter((item) => !before.has(itemKey(item)));
  return {
    entries: n + 1,
    ops: step.ops,
    items: written.length,
    bytes: written.reduce((sum, item) => sum + itemSize(item), 0),
    writeUnits: step.capacity.PutItem ?? 0,
  };
}

/**
 * The sweep's cost per live cluster: a tick with `extra` more live clusters (heads the size of the
 * measured one, each with a heartbeat every `pollMs` over the sweep's window, batched by the log)
 * against a tick with only the measured cluster, divided by `extra`.
 */
async function measureSweep(bench: BenchHub, cluster: string, extra: number, pollMs: number, count: Count): Promise<SweepCost> {
  const { heads, heartbeats } = bench.hub.ctx.ports;
  const base = await heads.get(cluster, { consistent: true });
  if (!base) throw new MeasurementError(`cluster ${cluster} has no head`);
  await heartbeats.record(cluster, bench.clock.now());
  await heartbeats.flush();
  const one = await count(async () => void (await bench.hub.tick()));
  // The window the sweep reads (3 lease durations + the flush interval), a heartbeat per poll;
  // the clock moves a window on first, so that every poll's batch is written in its own interval.
  const windowMs = 3 * base.leaseDurationSeconds * 1000 + heartbeats.lagMs;
  bench.clock.advance(windowMs);
  const now = bench.clock.now();
  const names = Array.from({ length: extra }, (_, i) => standInName(i));
  for (let i = 0; i < extra; i += 25) {
    await Promise.all(
      names.slice(i, i + 25).map((c) => heads.create({ ...base, cluster: c, leaseRenewedAt: now - 3 * base.leaseDurationSeconds * 1000 })),
    );
  }
  for (let t = now - windowMs + pollMs; t <= now; t += pollMs) {
    for (const c of [cluster, ...names]) await heartbeats.record(c, t);
  }
  await heartbeats.flush();
  const many = await count(async () => {
    const found = (await bench.hub.tick())['cluster.lease-expiry'] ?? 0;
    if (found !== 0) throw new MeasurementError(`the sweep expired ${found} live clusters`);
  });
  for (const c of names) await heads.delete(c);
  const units = (step: CountedStep) => Object.values(step.capacity).reduce((a, b) => a + b, 0);
  return {
    liveClusters: extra + 1,
    pollSeconds: pollMs / 1000,
    baseOps: one.ops,
    baseReadUnits: units(one),
    ops: many.ops,
    readUnits: units(many),
    readUnitsPerLiveCluster: Math.max(0, units(many) - units(one)) / extra,
  };
}

const itemKey = (item: Record<string, { S?: string }>) => `${item.pk?.S}/${item.sk?.S}`;

/** The heartbeat batches in the partitions around `at`, read with a client of its own (not counted). */
async function heartbeatItems(bench: BenchHub, at: number) {
  return withClient(bench, async (client) => {
    const out = [];
    for (const minute of [at - 60_000, at, at + 60_000]) {
      const page = await client.send(
        new QueryCommand({
          TableName: bench.tableName,
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': { S: heartbeatPartition(minute) } },
        }),
      );
      if (page.LastEvaluatedKey) throw new MeasurementError('heartbeat partition over 1 MB in a benchmark');
      out.push(...(page.Items ?? []));
    }
    return out;
  });
}

async function withClient<T>(bench: BenchHub, use: (client: DynamoDBClient) => Promise<T>): Promise<T> {
  const client = new DynamoDBClient({
    endpoint: bench.dynamodbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

/** Reads the head item with a client of its own (not counted) and sizes it as DynamoDB does. */
async function headSize(bench: BenchHub, cluster: string): Promise<number> {
  return withClient(bench, async (client) => {
    const key = headKey(cluster);
    const out = await client.send(new GetItemCommand({ TableName: bench.tableName, Key: { pk: { S: key.pk }, sk: { S: key.sk } } }));
    if (!out.Item) throw new MeasurementError(`no head item for ${cluster}`);
    return itemSize(out.Item);
  });
}
