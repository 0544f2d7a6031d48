import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { jitteredInterval } from '../agent/backoff.js';
import type { AgentClock } from '../agent/clock.js';
import { systemClock } from '../agent/clock.js';
import { AgentStateStore } from '../agent/state-store.js';
import type { FetchLike } from '../agent/transport.js';
import { silentLog } from '../agent/log.js';
import { headKey } from '../lambdas/adapters/dynamodb/keys.js';
import { itemSize } from '../lambdas/adapters/dynamodb/raw-item.js';
import type { OperationSnapshot } from '../lambdas/adapters/dynamodb/op-counter.js';
import { USER_CLAIM_LABEL } from '../shared/protocol/v1.js';
import { TetherError } from '../shared/errors.js';
import type { RenewalRate } from './cost-model.js';
import type { BenchHub } from './hub.js';
import { createSimAgent, importForSimulation, SIM_NAMESPACE, type SimAgent } from './sim-agent.js';
import { seededRandom } from './stats.js';
import { RequestRecorder, recordingFetch } from './transport.js';

/**
 * B1, idle poll cost: the exact DynamoDB operations of an idle poll, of a lease renewal, of a status
 * report and of a scheduler tick, counted on the hub's real DynamoDB client while the real agent
 * polls through the real routes. Time moves with the hub's injected clock, so lease periods pass
 * without waiting and the figures do not depend on this machine's speed (the regression guard in
 * test/integration/bench/ asserts them).
 */

/** Commands that write to the table. */
export const WRITE_OPERATIONS = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'] as const;

/** The agent's cycle did not do what a measurement needs (e.g. it failed to join). */
export class MeasurementError extends TetherError {
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
  /** A poll that renews the lease. */
  renewingPoll: CountedStep;
  /** `pollsInLeaseWindow` polls spread over one lease period, starting when the lease is due. */
  leaseWindow: CountedStep & { polls: number; leaseDurationSeconds: number };
  renewalRates: RenewalRate[];
  /** One status report (a changed user claim), without the poll of the same cycle. */
  statusReport: CountedStep;
  /** One scheduler tick with nothing expired. */
  schedulerTick: CountedStep;
  /** The agent's credential and current ETag, for the Lambda-mode probe. */
  credential: string;
  etag: string;
  /** The last status report body the agent sent (the probe replays variants of it). */
  lastReport: Record<string, unknown>;
}

/** Options of {@link measurePollCost}. */
export interface PollCostOptions {
  /** Poll interval / lease duration pairs whose renewal rate to measure. Default: what the cost model needs. */
  rates?: Array<{ pollSeconds: number; leaseDurationSeconds: number }>;
  /** Polls per renewal-rate measurement. Default 200. */
  ratePolls?: number;
  /** Status reports to average over. Default 5. */
  reports?: number;
  /** Cluster name. Default `b1-cost`. */
  cluster?: string;
}

/** The poll/lease pairs the cost model prices: each poll interval with its lease, and the what-if leases at 30 s. */
export const DEFAULT_RATE_PAIRS = [
  { pollSeconds: 30, leaseDurationSeconds: 60 },
  { pollSeconds: 60, leaseDurationSeconds: 60 },
  { pollSeconds: 300, leaseDurationSeconds: 300 },
  { pollSeconds: 30, leaseDurationSeconds: 300 },
  { pollSeconds: 30, leaseDurationSeconds: 900 },
];

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
  return { ops, capacity: diff(b.capacity, a.capacity), writes: writesOf(ops), requests: diff(b.requests, a.requests), queued: b.queued - a.queued };
}

/** Divides every figure of a step by `n` (an average over n repetitions). */
export function per(step: CountedStep, n: number): CountedStep {
  const div = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Math.round((v / n) * 1000) / 1000]));
  return { ops: div(step.ops), capacity: div(step.capacity), writes: step.writes / n, requests: div(step.requests), queued: step.queued / n };
}

/**
 * Runs B1 on a fresh bench hub: imports and joins one cluster with the real agent, then counts.
 * The hub's clock is moved; use a hub of its own.
 */
export async function measurePollCost(bench: BenchHub, opts: PollCostOptions = {}): Promise<PollCostResult> {
  const name = opts.cluster ?? 'b1-cost';
  const recorder = new RequestRecorder();
  let lastReport: Record<string, unknown> | undefined;
  const capture: FetchLike = (url, init) => {
    if (url.endsWith('/agent/v1/status') && init.body) lastReport = JSON.parse(init.body) as Record<string, unknown>;
    return fetch(url, init);
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
      return { ops: snap.counts, capacity: snap.capacity, writes: writesOf(snap.counts), requests: recorder.take().statuses, queued: bench.queue.messages };
    };

    const idlePoll = await count(() => cycle(sim));
    const headItemBytes = await headSize(bench, name);

    // The lease is due: the first poll renews it, the rest of the period only reads.
    const lease = (await headLease(bench, name)) * 1000;
    bench.clock.advance(lease);
    const renewingPoll = await count(() => cycle(sim));
    const windowPolls = 11;
    const leaseWindow = await count(async () => {
      bench.clock.advance(lease);
      for (let i = 0; i < windowPolls; i++) {
        await cycle(sim);
        bench.clock.advance(Math.floor((lease - 1000) / windowPolls));
      }
    });

    const renewalRates: RenewalRate[] = [];
    for (const pair of opts.rates ?? DEFAULT_RATE_PAIRS) {
      await setLease(bench, name, pair.leaseDurationSeconds);
      const polls = opts.ratePolls ?? 200;
      const random = seededRandom(pair.pollSeconds * 7919 + pair.leaseDurationSeconds);
      const step = await count(async () => {
        for (let i = 0; i < polls; i++) {
          bench.clock.advance(jitteredInterval(pair.pollSeconds * 1000, random));
          await cycle(sim);
        }
      });
      renewalRates.push({ ...pair, polls, renewals: step.ops.UpdateItem ?? 0 });
    }
    await setLease(bench, name, 60);

    // Renew now, so the status cycles below fall inside one lease period and renew nothing.
    bench.clock.advance(lease);
    await cycle(sim);
    const reports = opts.reports ?? 5;
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
    });
    const statusReport = minus(per(reportCycles, reports), idlePoll);
    if ((reportCycles.requests['status 204'] ?? 0) !== reports) {
      throw new MeasurementError(`expected ${reports} status reports, the agent sent ${JSON.stringify(reportCycles.requests)}`);
    }

    const schedulerTick = await count(async () => {
      await bench.hub.tick();
    });

    const credential = (await new AgentStateStore(sim.cluster, SIM_NAMESPACE, silentLog()).loadCredential()) ?? '';
    const etag = `"${sim.agent.desiredState?.revision ?? ''}"`;
    return { backend: bench.backend, cluster: name, idlePoll, headItemBytes, renewingPoll, leaseWindow: { ...leaseWindow, polls: windowPolls, leaseDurationSeconds: lease / 1000 }, renewalRates, statusReport, schedulerTick, credential, etag, lastReport: lastReport ?? {} };
  } finally {
    await sim.close();
  }
}

/** One agent cycle (poll, reconcile, report if changed); fails loudly if the agent could not poll. */
async function cycle(sim: SimAgent): Promise<void> {
  const out = await sim.agent.runOnce();
  if (out !== true) throw new MeasurementError(`the agent of ${sim.name} could not poll: ${out instanceof Error ? out.message : out}`);
}

async function setLease(bench: BenchHub, cluster: string, seconds: number): Promise<void> {
  const res = await bench.admin('PATCH', `/v1/clusters/${cluster}`, { spec: { leaseDurationSeconds: seconds } });
  if (res.status !== 200) throw new MeasurementError(`setting the lease of ${cluster} to ${seconds} s answered ${res.status}: ${res.text}`);
  await bench.hub.settle();
  if ((await headLease(bench, cluster)) !== seconds) throw new MeasurementError(`the head of ${cluster} did not take the ${seconds} s lease`);
}

async function headLease(bench: BenchHub, cluster: string): Promise<number> {
  const head = await bench.hub.ctx.ports.heads.get(cluster, { consistent: true });
  if (!head) throw new MeasurementError(`cluster ${cluster} has no head`);
  return head.leaseDurationSeconds;
}

/** Reads the head item with a client of its own (not counted) and sizes it as DynamoDB does. */
async function headSize(bench: BenchHub, cluster: string): Promise<number> {
  const client = new DynamoDBClient({ endpoint: bench.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const key = headKey(cluster);
    const out = await client.send(new GetItemCommand({ TableName: bench.tableName, Key: { pk: { S: key.pk }, sk: { S: key.sk } } }));
    if (!out.Item) throw new MeasurementError(`no head item for ${cluster}`);
    return itemSize(out.Item);
  } finally {
    client.destroy();
  }
}
