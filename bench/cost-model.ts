import { z } from 'zod';
import { MEAN_POLL_FRACTION } from '../agent/backoff.js';
import { AGENT_FUNCTION_MEMORY_MB, FUNCTION_MEMORY_MB } from '../cdk/function-defaults.js';
import { heartbeatDue } from '../lambdas/capabilities/clusters/cluster-lease.js';
import { ValidationError } from '../shared/errors.js';

/**
 * The hub's monthly cost per cluster, computed from COUNTED operations (bench/measured-counts.json,
 * written by the B1 benchmark) and AWS list prices (bench/prices.json). Pure: no I/O, no clock.
 *
 * Every input that is not a measurement is an {@link Assumptions} field with a default, and the
 * report prints all of them; docs/cost-model.md explains the model and why each assumption holds.
 */

/** A price tier: `price` applies to the month's volume up to `upTo` (in the item's base quantity; null: no limit). */
const TierSchema = z.object({ upTo: z.number().positive().nullable(), price: z.number().nonnegative() });
const PriceItemSchema = z.object({
  price: z.number().nonnegative().optional(),
  tiers: z.array(TierSchema).min(1).optional(),
  unit: z.string(),
  source: z.string(),
  verified: z.boolean(),
});

/** bench/prices.json. */
export const PriceBookSchema = z.object({
  region: z.string(),
  currency: z.literal('USD'),
  asOf: z.string(),
  recordedOn: z.string(),
  verification: z.string(),
  items: z.object({
    apiGatewayHttpApiPerMillionRequests: PriceItemSchema,
    lambdaRequestsPerMillion: PriceItemSchema,
    lambdaArm64PerGbSecond: PriceItemSchema,
    dynamodbOnDemandPerMillionReadUnits: PriceItemSchema,
    dynamodbOnDemandPerMillionWriteUnits: PriceItemSchema,
    dynamodbStoragePerGbMonth: PriceItemSchema,
    sqsStandardPerMillionRequests: PriceItemSchema,
    cloudwatchLogsIngestionPerGb: PriceItemSchema,
    cloudwatchLogsStoragePerGbMonth: PriceItemSchema,
    cloudwatchAlarmPerMonth: PriceItemSchema,
    cloudwatchCustomMetricPerMonth: PriceItemSchema,
    xrayPerMillionTracesRecorded: PriceItemSchema,
  }),
});
export type PriceBook = z.infer<typeof PriceBookSchema>;
export type PriceItem = z.infer<typeof PriceItemSchema>;

/** What one kind of request costs, as counted by the bench. */
export const RequestCostSchema = z.object({
  /** Lambda invocations (agent API, worker or scheduler). */
  invocations: z.number().nonnegative(),
  /** Requests through the agent endpoint (HTTP API or Function URL). */
  agentRequests: z.number().nonnegative(),
  /** Handler wall milliseconds per occurrence, measured in Lambda mode ({@link billedMs} turns them into billed time, rounding each invocation up). */
  lambdaMs: z.number().nonnegative(),
  /**
   * CPU milliseconds of the handler's process in those invocations (measured with process.cpuUsage on
   * this machine); the rest of `lambdaMs` is waiting for DynamoDB. Absent in older measurements: then
   * all of `lambdaMs` counts as CPU (an upper bound).
   */
  cpuMs: z.number().nonnegative().optional(),
  /** DynamoDB commands by operation, counted by the SDK middleware. */
  ops: z.record(z.string(), z.number()),
  /** Read and write capacity units the server reported as consumed. */
  readUnits: z.number().nonnegative(),
  writeUnits: z.number().nonnegative(),
  /** SQS requests (SendMessageBatch, ReceiveMessage, DeleteMessageBatch, ...). */
  sqsRequests: z.number().nonnegative(),
  /** Bytes the handlers wrote to stdout/stderr (logs, EMF metrics) per occurrence, measured in Lambda mode. */
  logBytes: z.number().nonnegative(),
});
export type RequestCost = z.infer<typeof RequestCostSchema>;

/** One measured flush of the heartbeat log: N buffered clusters written at once. */
export const HeartbeatFlushSchema = z.object({
  /** Heartbeats (distinct clusters) in the flush. */
  entries: z.number().int().positive(),
  /** DynamoDB commands of the flush. */
  ops: z.record(z.string(), z.number()),
  /** Items written and their total size (DynamoDB's item-size rules). */
  items: z.number().int().positive(),
  bytes: z.number().positive(),
  /** Write units the server reported. */
  writeUnits: z.number().nonnegative(),
});
export type HeartbeatFlush = z.infer<typeof HeartbeatFlushSchema>;

/** The expiry sweep (one scheduler tick) with one live cluster and with many. */
export const SweepCostSchema = z.object({
  liveClusters: z.number().int().positive(),
  /** Poll interval of the heartbeats in the log the sweep read, seconds. */
  pollSeconds: z.number().positive(),
  baseOps: z.record(z.string(), z.number()),
  baseReadUnits: z.number().nonnegative(),
  ops: z.record(z.string(), z.number()),
  readUnits: z.number().nonnegative(),
  /** Read units each live cluster adds to a tick: its head in the live set and its heartbeats in the window. */
  readUnitsPerLiveCluster: z.number().nonnegative(),
});
export type SweepCost = z.infer<typeof SweepCostSchema>;

/** One compliance change, counted on DynamoDB Local (bench/compliance-cost.ts). */
export const ComplianceCountsSchema = z.object({
  /** The status report that carries it and the ingestion's writes (item + event, the event's gsi2 copy in the write units). */
  change: RequestCostSchema,
  /** DynamoDB items written per change. */
  writeItems: z.number().nonnegative(),
  /** Write units per change by the hub port call that wrote them (absent in older measurements). */
  writeUnitsByCall: z.record(z.string(), z.number()).optional(),
  /** Size of one history event as a DynamoDB item. */
  eventItemBytes: z.number().positive(),
  /** JSON size of one current-compliance item (a 10-object policy). */
  complianceItemBytes: z.number().positive(),
});
export type ComplianceCounts = z.infer<typeof ComplianceCountsSchema>;

/** One counted sync or inventory event (bench/sync-inventory-cost.ts, on DynamoDB Local). */
export const EventCountSchema = z.object({
  ops: z.record(z.string(), z.number()),
  readUnits: z.number(),
  writeUnits: z.number(),
  writeItems: z.number(),
  writeUnitsByCall: z.record(z.string(), z.number()),
  /** Agent requests other than idle polls (reports, fresh polls). */
  agentRequests: z.number().nonnegative(),
  /** Step messages queued, by type (each a worker invocation). */
  steps: z.record(z.string(), z.number()),
});
export type EventCount = z.infer<typeof EventCountSchema>;

/** Resource sync and the cluster inventory, counted per event. */
export const SyncInventoryCountsSchema = z.object({
  destinations: z.number().int().positive(),
  /** A source's object change, without the destinations' share. */
  syncChange: EventCountSchema,
  /** What each destination of the change adds (its bump, its fresh poll, what its agent sends after). */
  syncPerDestination: EventCountSchema,
  members: z.number().int().positive(),
  receivers: z.number().int().positive(),
  /** The inventory's share of one member change (its steps and the export's refresh), without the receivers'. */
  inventoryMemberChange: EventCountSchema,
  /** What each receiver adds (its bump and its fresh poll reading the members). */
  inventoryPerReceiver: EventCountSchema,
  /** One periodic refresh of one export. */
  inventoryRefresh: EventCountSchema,
});
export type SyncInventoryCounts = z.infer<typeof SyncInventoryCountsSchema>;

/** bench/measured-counts.json: what B1 counted. */
export const MeasuredCountsSchema = z.object({
  measuredAt: z.string(),
  commit: z.string(),
  /** Where the capacity units were read: DynamoDB Local is the reference; dynalite leaves out index writes. */
  capacitySource: z.string(),
  /** Polls the Lambda-mode probe served before it timed the idle poll (absent in older measurements). */
  probePollWarmup: z.number().int().nonnegative().optional(),
  idlePoll: RequestCostSchema,
  /** Extra over an idle poll when the poll gives the head a lease (the transition to live). */
  leaseTransition: RequestCostSchema,
  /** The heartbeat log's flush interval, seconds (the hub's setting when measured). */
  flushIntervalSeconds: z.number().positive(),
  /** Flushes of the heartbeat log at several sizes (at least two, for bytes per heartbeat). */
  heartbeatFlushes: z.array(HeartbeatFlushSchema).min(2),
  /** The expiry sweep's reads per live cluster. */
  sweep: SweepCostSchema,
  /** A status report that changes a claim, with the placement step it queues (worker invocations included). */
  statusReport: RequestCostSchema,
  /** A status report that changes only health, with the steps it queues (shown next to the claim change; reports are priced as claim changes). */
  healthReport: RequestCostSchema.optional(),
  /** The real agent's polls the hub recorded as heartbeats, at a measured spacing (B1). Absent in older measurements: every poll. */
  heartbeatThinning: z
    .object({
      polls: z.number().int().positive(),
      recorded: z.number().int().nonnegative(),
      spacingSeconds: z.number().positive(),
      leaseDurationSeconds: z.number().positive(),
    })
    .optional(),
  /** One scheduler tick with nothing to do and one live cluster. */
  schedulerTick: RequestCostSchema,
  /** Per cluster and rollout: fan-out writes, worker steps, the changed poll's extra, the reports. Absent until measured. */
  rolloutPerCluster: RequestCostSchema.optional(),
  /** One compliance change (governance). Absent until measured. */
  complianceChange: ComplianceCountsSchema.optional(),
  /** Resource sync and inventory events. Absent until measured. */
  syncInventory: SyncInventoryCountsSchema.optional(),
});
export type MeasuredCounts = z.infer<typeof MeasuredCountsSchema>;

/** The agent endpoint profiles of the TetherHub construct. */
export type AgentEndpointProfile = 'HttpApi' | 'FunctionUrl';

/** Everything the model assumes rather than measures. Each has a default in {@link DEFAULT_ASSUMPTIONS}. */
export interface Assumptions {
  /** Seconds in a billing month (AWS uses 730 hours). */
  secondsPerMonth: number;
  /** Memory of the agent API function, MB (TetherHub's default). */
  agentMemoryMb: number;
  /** Memory of the worker and scheduler functions, MB. */
  backgroundMemoryMb: number;
  /**
   * Lambda gives a function CPU in proportion to its memory: one vCPU at 1,769 MB (AWS Lambda
   * documentation). Below it, the measured CPU time stretches by 1,769 / memory; waiting does not.
   */
  lambdaMbPerVcpu: number;
  /** Speed of one Lambda vCPU (arm64) relative to one core of the measuring machine. */
  lambdaVcpuSpeed: number;
  /**
   * What-if: milliseconds each DynamoDB call waits beyond what was measured against the local
   * emulator (about 0.3 ms a call). Real in-region calls take a few ms; 0 prices the measurement as it is.
   */
  extraDynamoWaitMs: number;
  /**
   * What-if: billed milliseconds each invocation takes beyond what the probe measured. The probe
   * calls the handler directly; in Lambda the runtime's own work around each invocation (taking
   * the event, posting the answer) is billed too, and a Lambda vCPU may be slower than this
   * machine's core. 0 prices the measurement as it is.
   */
  extraMsPerInvocation: number;
  /** Lease duration clusters use at a poll interval, seconds. It must exceed pollSeconds x 1.2 / 3, or leases lapse between polls. */
  leaseDurationSeconds: (pollSeconds: number) => number;
  /** Status reports per cluster per day outside rollouts (claims, health, feedback changes). */
  statusReportsPerDay: number;
  /** Rollouts (desired-state changes) reaching each cluster per month. */
  rolloutsPerMonth: number;
  /**
   * Mean time between an agent's polls as a fraction of the poll interval (the agent jitters each
   * wait within [1 − POLL_JITTER, 1) of the interval, agent/backoff.ts).
   */
  meanPollFraction: number;
  /**
   * Lambda platform log bytes per agent-function invocation. TetherHub deploys it with Lambda's
   * JSON log format at system log level WARN: no START, END or REPORT lines, so 0.
   */
  agentPlatformLogBytes: number;
  /** The same for the worker and scheduler functions (text format: START, END, REPORT and, traced, XRAY). */
  backgroundPlatformLogBytes: number;
  /** Whether Lambda active tracing records X-Ray traces of the agent function (off in TetherHub unless `agentFunction.tracing`). */
  agentTracing: boolean;
  /** Lambda's X-Ray sampling: this many requests per second, plus `xraySampleRate` of the rest. */
  xrayReservoirPerSecond: number;
  xraySampleRate: number;
  /** Lambda's SQS event source long-polls the queue even when it is empty: requests per month. */
  sqsIdlePollingRequestsPerMonth: number;
  /** Fixed monthly items: CloudWatch alarms and custom metrics of the hub. */
  alarms: number;
  customMetrics: number;
  /** Stored bytes per cluster (head, Cluster record, relation items, a few works). */
  storageBytesPerCluster: number;
  /** Log retention in months (storage is charged on what is kept). */
  logRetentionMonths: number;
  /** Lease transitions (an agent back after its lease was dropped) per cluster per month. */
  leaseTransitionsPerMonth: number;
  /**
   * Share of the time a warm agent-function instance is busy. With the fleet's request rate and the
   * measured handler time it gives the number of instances, each with its own heartbeat buffer.
   */
  agentInstanceUtilization: number;
  /** What-if: no heartbeat writes at all (the floor). */
  withoutHeartbeats?: boolean;
}

/**
 * Platform lines Lambda writes per invocation in its default text format: the length of
 * representative lines (they vary by a few bytes with the durations they carry).
 */
export function platformLogBytes(tracing: boolean): number {
  const id = '8f5b1c2e-4d3a-4f6b-9a7c-0e1d2c3b4a59';
  const lines = [
    `START RequestId: ${id} Version: $LATEST\n`,
    `END RequestId: ${id}\n`,
    `REPORT RequestId: ${id}\tDuration: 4.12 ms\tBilled Duration: 5 ms\tMemory Size: 512 MB\tMax Memory Used: 98 MB\t\n`,
  ];
  if (tracing) lines.push(`XRAY TraceId: 1-6743a1b2-0123456789abcdef01234567\tSegmentId: 0123456789abcdef\tSampled: true\t\n`);
  return lines.reduce((n, l) => n + Buffer.byteLength(l), 0);
}

/** The assumptions behind the published figures (the hub as TetherHub deploys it by default). */
export const DEFAULT_ASSUMPTIONS: Assumptions = {
  secondsPerMonth: 730 * 3600,
  agentMemoryMb: AGENT_FUNCTION_MEMORY_MB,
  backgroundMemoryMb: FUNCTION_MEMORY_MB,
  lambdaMbPerVcpu: 1769,
  lambdaVcpuSpeed: 1,
  extraDynamoWaitMs: 0,
  extraMsPerInvocation: 0,
  leaseDurationSeconds: (poll) => Math.max(60, poll),
  statusReportsPerDay: 24,
  rolloutsPerMonth: 30,
  meanPollFraction: MEAN_POLL_FRACTION,
  agentPlatformLogBytes: 0,
  backgroundPlatformLogBytes: platformLogBytes(true),
  agentTracing: false,
  xrayReservoirPerSecond: 1,
  xraySampleRate: 0.05,
  // Up to five pollers, each a 20 s long poll, all month.
  sqsIdlePollingRequestsPerMonth: 5 * 3 * 60 * 730,
  // CloudWatch bills an alarm per metric it reads: TetherHub's 15 alarms read 28 metrics (9 rate
  // alarms of 2 metrics each, 6 of one), checked against the synthesized stack by test/infra.
  alarms: 28,
  // StepsFailed (worker); nothing else repeats what Lambda and SQS publish for free.
  customMetrics: 1,
  storageBytesPerCluster: 8 * 1024,
  logRetentionMonths: 1,
  leaseTransitionsPerMonth: 2,
  agentInstanceUtilization: 0.5,
};

/** One scenario of the model. */
export interface Scenario {
  clusters: number;
  pollSeconds: number;
  profile: AgentEndpointProfile;
}

export const COST_LINES = [
  'agentEndpoint',
  'lambdaRequests',
  'lambdaDuration',
  'dynamodbReads',
  'dynamodbWrites',
  'dynamodbStorage',
  'sqs',
  'logs',
  'xray',
  'fixed',
] as const;
/** A line of the bill. */
export type CostLine = (typeof COST_LINES)[number];

/**
 * Share of an agent's polls the hub records as heartbeats: the agent sends the age of its last
 * recorded one, and the hub records again once that is half a lease ({@link heartbeatDue}, the
 * hub's own rule), with polls `pollSeconds × meanPollFraction` apart (ages in whole seconds).
 */
export function heartbeatsPerPoll(pollSeconds: number, leaseSeconds: number, meanPollFraction: number): number {
  const spacing = pollSeconds * meanPollFraction;
  for (let n = 1; n <= 1000; n++) if (heartbeatDue(Math.floor(n * spacing), leaseSeconds)) return 1 / n;
  return 1 / 1000;
}

/** The monthly cost of one scenario, per cluster, by line item (USD). */
export interface CostBreakdown extends Scenario {
  leaseDurationSeconds: number;
  perCluster: Record<CostLine, number>;
  totalPerCluster: number;
  /** The whole fleet's monthly bill. */
  fleetTotal: number;
}

/**
 * Price of a month's `quantity` (requests, GB-seconds, GB, ...) of an item whose price is per
 * `perUnits` of that quantity (1e6 for "per million"). Tier limits apply to the fleet's whole
 * monthly volume, which is why the model prices fleet totals and divides afterwards.
 */
export function priceOf(item: PriceItem, quantity: number, perUnits = 1e6): number {
  if (item.tiers) {
    let cost = 0;
    let floor = 0;
    for (const tier of item.tiers) {
      const ceiling = tier.upTo ?? Number.POSITIVE_INFINITY;
      const inTier = Math.max(0, Math.min(quantity, ceiling) - floor);
      cost += (inTier / perUnits) * tier.price;
      floor = ceiling;
      if (quantity <= ceiling) break;
    }
    return cost;
  }
  if (item.price === undefined) throw new ValidationError(`price item "${item.unit}" has neither price nor tiers`);
  return (quantity / perUnits) * item.price;
}

/** Item bytes of a heartbeat flush, fitted to the measured flushes: a fixed part plus bytes per heartbeat. */
export function heartbeatBytes(counts: MeasuredCounts): { fixed: number; perHeartbeat: number } {
  const flushes = [...counts.heartbeatFlushes].sort((a, b) => a.entries - b.entries);
  const small = flushes[0];
  const large = flushes[flushes.length - 1];
  if (large.entries === small.entries) throw new ValidationError('heartbeat flushes must be measured at two sizes at least');
  const perHeartbeat = (large.bytes / large.items - small.bytes / small.items) / ((large.entries - small.entries) / large.items);
  return { fixed: small.bytes - small.entries * perHeartbeat, perHeartbeat };
}

/** Write units of one flush of `entries` heartbeats: each item rounds up to whole 1 KB units. */
export function flushWriteUnits(counts: MeasuredCounts, entries: number, itemLimitBytes = 64 * 1024): number {
  const { fixed, perHeartbeat } = heartbeatBytes(counts);
  const items = Math.max(1, Math.ceil((entries * perHeartbeat) / itemLimitBytes));
  return items * Math.ceil((fixed + (entries / items) * perHeartbeat) / 1024);
}

/** How the fleet's heartbeats are written: instances, flushes and their size. */
export interface HeartbeatPlan {
  /** Warm agent-function instances (each buffers and flushes on its own). */
  instances: number;
  /** Flushes per instance per second: one per flush interval, or one per request when requests are rarer. */
  flushesPerSecond: number;
  /** Heartbeats per flush (distinct clusters). */
  entriesPerFlush: number;
  /** Write units per flush. */
  writeUnitsPerFlush: number;
  /** The fleet's heartbeat write units per month. */
  fleetWriteUnitsPerMonth: number;
}

/**
 * The heartbeat log's monthly writes for a fleet: `clusters / pollSeconds` requests a second spread
 * over the instances needed to serve them (measured handler time / utilization); each instance
 * flushes when a request finds its last flush a flush interval old, writing every cluster it served
 * meanwhile. Flushes are counted as once per flush interval, or per request where requests are
 * rarer: an upper bound (the wait for the request after the interval only makes them rarer).
 */
export function heartbeatPlan(scenario: Pick<Scenario, 'clusters' | 'pollSeconds'>, counts: MeasuredCounts, a: Assumptions): HeartbeatPlan {
  const rate = scenario.clusters / (scenario.pollSeconds * a.meanPollFraction);
  const instances = Math.max(1, Math.ceil((rate * billedMs(counts.idlePoll, a.agentMemoryMb, a)) / 1000 / a.agentInstanceUtilization));
  const perInstance = rate / instances;
  const flushesPerSecond = Math.min(perInstance, 1 / counts.flushIntervalSeconds);
  // Older measurements knew no thinning: every poll was a heartbeat.
  const share = counts.heartbeatThinning
    ? heartbeatsPerPoll(scenario.pollSeconds, a.leaseDurationSeconds(scenario.pollSeconds), a.meanPollFraction)
    : 1;
  const entriesPerFlush = Math.min(scenario.clusters, (perInstance * share) / flushesPerSecond);
  const writeUnitsPerFlush = flushWriteUnits(counts, entriesPerFlush);
  return {
    instances,
    flushesPerSecond,
    entriesPerFlush,
    writeUnitsPerFlush,
    fleetWriteUnitsPerMonth: instances * flushesPerSecond * a.secondsPerMonth * writeUnitsPerFlush,
  };
}

/** Monthly volumes of one cluster. */
interface Volumes {
  agentRequests: number;
  invocations: number;
  gbSeconds: number;
  readUnits: number;
  writeUnits: number;
  sqsRequests: number;
  logBytes: number;
}

const noVolume = (): Volumes => ({
  agentRequests: 0,
  invocations: 0,
  gbSeconds: 0,
  readUnits: 0,
  writeUnits: 0,
  sqsRequests: 0,
  logBytes: 0,
});

/**
 * Billed milliseconds of one occurrence at `memoryMb`: the measured CPU time stretched by the
 * function's share of a vCPU, plus the measured wait, each invocation rounded up to a whole ms.
 */
export function billedMs(
  cost: RequestCost,
  memoryMb: number,
  a: Pick<Assumptions, 'lambdaMbPerVcpu' | 'lambdaVcpuSpeed'> & Partial<Pick<Assumptions, 'extraDynamoWaitMs' | 'extraMsPerInvocation'>>,
): number {
  const cpu = Math.min(cost.cpuMs ?? cost.lambdaMs, cost.lambdaMs);
  const stretch = Math.max(1, a.lambdaMbPerVcpu / memoryMb) / a.lambdaVcpuSpeed;
  const calls = Object.values(cost.ops).reduce((n, x) => n + x, 0);
  const ms = cpu * stretch + (cost.lambdaMs - cpu) + calls * (a.extraDynamoWaitMs ?? 0) + cost.invocations * (a.extraMsPerInvocation ?? 0);
  if (cost.invocations <= 0) return ms;
  return Math.ceil(ms / cost.invocations) * cost.invocations;
}

function add(into: Volumes, cost: RequestCost, times: number, memoryMb: number, platformBytes: number, a: Assumptions): void {
  into.agentRequests += cost.agentRequests * times;
  into.invocations += cost.invocations * times;
  into.gbSeconds += times * (billedMs(cost, memoryMb, a) / 1000) * (memoryMb / 1024);
  into.readUnits += cost.readUnits * times;
  into.writeUnits += cost.writeUnits * times;
  into.sqsRequests += cost.sqsRequests * times;
  into.logBytes += times * (cost.logBytes + platformBytes * cost.invocations);
}

/**
 * Computes one scenario: per-cluster volumes from the counts and assumptions, priced at fleet scale
 * (so that tiers apply to the fleet's volume), then divided by the number of clusters.
 */
export function computeScenario(
  scenario: Scenario,
  counts: MeasuredCounts,
  prices: PriceBook,
  a: Assumptions = DEFAULT_ASSUMPTIONS,
): CostBreakdown {
  const { clusters, pollSeconds, profile } = scenario;
  const p = prices.items;
  const lease = a.leaseDurationSeconds(pollSeconds);
  const polls = a.secondsPerMonth / (pollSeconds * a.meanPollFraction);
  const reports = (a.statusReportsPerDay * a.secondsPerMonth) / 86_400;
  const ticks = a.secondsPerMonth / 60;
  const agent = a.agentPlatformLogBytes;
  const background = a.backgroundPlatformLogBytes;

  const v = noVolume();
  add(v, counts.idlePoll, polls, a.agentMemoryMb, agent, a);
  add(v, counts.leaseTransition, a.leaseTransitionsPerMonth, a.agentMemoryMb, agent, a);
  // Every report is priced as a changed claim, with its placement step (a health change, measured
  // too, costs the same: availability follows health, and placements select on it).
  add(v, counts.statusReport, reports, a.agentMemoryMb, agent, a);
  // A rollout's invocations are mostly worker steps: all of them are priced with the worker's
  // platform lines (an upper bound: its two agent requests write none).
  if (counts.rolloutPerCluster) add(v, counts.rolloutPerCluster, a.rolloutsPerMonth, a.backgroundMemoryMb, background, a);
  // The scheduler runs once a minute whatever the fleet's size: its fixed part shrinks with N; the
  // sweep's reads per live cluster do not.
  add(v, counts.schedulerTick, ticks / clusters, a.backgroundMemoryMb, background, a);
  v.readUnits += ticks * counts.sweep.readUnitsPerLiveCluster * ((clusters - 1) / clusters);
  // Heartbeats: batched per agent-function instance, shared by the clusters it served.
  if (!a.withoutHeartbeats) v.writeUnits += heartbeatPlan(scenario, counts, a).fleetWriteUnitsPerMonth / clusters;

  const fleet = (k: keyof Volumes) => v[k] * clusters;
  const perCluster = (usd: number) => usd / clusters;
  const requestsPerSecond = fleet('agentRequests') / a.secondsPerMonth;
  const tracedPerSecond = a.agentTracing
    ? Math.min(requestsPerSecond, a.xrayReservoirPerSecond) + a.xraySampleRate * Math.max(0, requestsPerSecond - a.xrayReservoirPerSecond)
    : 0;
  const logGb = fleet('logBytes') / 1024 ** 3;

  const lines: Record<CostLine, number> = {
    agentEndpoint: profile === 'HttpApi' ? perCluster(priceOf(p.apiGatewayHttpApiPerMillionRequests, fleet('agentRequests'))) : 0,
    lambdaRequests: perCluster(priceOf(p.lambdaRequestsPerMillion, fleet('invocations'))),
    lambdaDuration: perCluster(priceOf(p.lambdaArm64PerGbSecond, fleet('gbSeconds'), 1)),
    dynamodbReads: perCluster(priceOf(p.dynamodbOnDemandPerMillionReadUnits, fleet('readUnits'))),
    dynamodbWrites: perCluster(priceOf(p.dynamodbOnDemandPerMillionWriteUnits, fleet('writeUnits'))),
    dynamodbStorage: priceOf(p.dynamodbStoragePerGbMonth, a.storageBytesPerCluster / 1024 ** 3, 1),
    sqs: perCluster(priceOf(p.sqsStandardPerMillionRequests, fleet('sqsRequests') + a.sqsIdlePollingRequestsPerMonth)),
    logs: perCluster(
      priceOf(p.cloudwatchLogsIngestionPerGb, logGb, 1) + priceOf(p.cloudwatchLogsStoragePerGbMonth, logGb * a.logRetentionMonths, 1),
    ),
    xray: perCluster(priceOf(p.xrayPerMillionTracesRecorded, tracedPerSecond * a.secondsPerMonth)),
    fixed: perCluster(priceOf(p.cloudwatchAlarmPerMonth, a.alarms, 1) + priceOf(p.cloudwatchCustomMetricPerMonth, a.customMetrics, 1)),
  };
  const totalPerCluster = Object.values(lines).reduce((s, x) => s + x, 0);
  return { ...scenario, leaseDurationSeconds: lease, perCluster: lines, totalPerCluster, fleetTotal: totalPerCluster * clusters };
}

/** The scenarios the issue asks for: 1k, 10k and 100k clusters at 30, 60 and 300 s, both profiles. */
export function standardScenarios(): Scenario[] {
  const out: Scenario[] = [];
  for (const profile of ['FunctionUrl', 'HttpApi'] as const) {
    for (const pollSeconds of [30, 60, 300]) {
      for (const clusters of [1_000, 10_000, 100_000]) out.push({ clusters, pollSeconds, profile });
    }
  }
  return out;
}

/** The cost goal: this much or less per cluster-month at 30 s polls with the Function URL profile. */
export const COST_GOAL_PER_CLUSTER_MONTH = 0.03;
