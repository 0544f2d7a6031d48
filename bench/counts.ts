import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CountedStep, PollCostResult } from './b1-poll-cost.js';
import { MeasuredCountsSchema, PriceBookSchema, type MeasuredCounts, type PriceBook, type RequestCost } from './cost-model.js';
import type { ProbeResult, ProbeStep } from './lambda-probe.js';
import type { RolloutCost } from './rollout-cost.js';
import type { ComplianceChangeCost } from './compliance-cost.js';

/**
 * Turns what B1 counted (the in-process measurement and the Lambda-mode probe) into the cost
 * model's inputs, and reads and writes bench/measured-counts.json and bench/prices.json.
 */

/** Where the bench keeps its counted inputs for `npm run cost`. */
export const MEASURED_COUNTS_FILE = join('bench', 'measured-counts.json');
export const PRICES_FILE = join('bench', 'prices.json');

const READS = ['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems'];

/**
 * DynamoDB charges at least half a read unit for every Query, even an empty one; DynamoDB Local
 * and dynalite report 0 for an empty result, so the minimum is applied here.
 */
export const MIN_READ_UNITS_PER_QUERY = 0.5;

function units(step: CountedStep): { readUnits: number; writeUnits: number } {
  let readUnits = 0;
  let writeUnits = 0;
  for (const [op, value] of Object.entries(step.capacity)) {
    if (READS.includes(op)) readUnits += value;
    else writeUnits += value;
  }
  const queries = step.ops.Query ?? 0;
  const queryUnits = step.capacity.Query ?? 0;
  readUnits += Math.max(0, queries * MIN_READ_UNITS_PER_QUERY - queryUnits);
  return { readUnits, writeUnits };
}

/**
 * SQS requests of `queued` step messages: a send, a receive and a delete each. Batching only
 * lowers this, so it is an upper bound.
 */
function sqsRequests(step: CountedStep): number {
  return step.queued * 3;
}

function cost(
  step: CountedStep,
  probe: ProbeStep | undefined,
  shape: { invocations: number; agentRequests: number; extraMs?: number; extraCpuMs?: number },
): RequestCost {
  return {
    invocations: shape.invocations,
    agentRequests: shape.agentRequests,
    lambdaMs: probe ? probe.meanMs : (shape.extraMs ?? 0),
    cpuMs: probe ? probe.cpuMs : (shape.extraCpuMs ?? 0),
    ops: step.ops,
    ...units(step),
    sqsRequests: sqsRequests(step),
    logBytes: probe?.logBytes ?? 0,
  };
}

/**
 * Agent requests and the worker steps they queued: every step priced as one invocation (the worker
 * takes up to 10 per batch, so this is an upper bound), and every invocation as long as a status
 * report's (a few reads and writes, measured in Lambda mode). Used for a status report (one
 * request and its placement step) and for a rollout's per-cluster cost.
 */
function withStepsCost(r: CountedStep & { agentRequests: number }, probe: ProbeResult): RequestCost {
  const invocations = r.agentRequests + r.queued;
  return {
    invocations,
    agentRequests: r.agentRequests,
    lambdaMs: invocations * probe.statusReport.meanMs,
    cpuMs: invocations * probe.statusReport.cpuMs,
    ops: r.ops,
    ...units(r),
    sqsRequests: sqsRequests(r),
    logBytes: invocations * probe.statusReport.logBytes,
  };
}

/**
 * A compliance change for the cost model: one status report (an agent-function invocation as long
 * as a measured status report, an upper bound: it queues no step) with the counted reads and the
 * ingestion's write units (the event's gsi2 copy included: DynamoDB Local counts index writes).
 */
export function complianceCounts(c: ComplianceChangeCost, probe: ProbeResult): NonNullable<MeasuredCounts['complianceChange']> {
  const invocations = c.agentRequests;
  return {
    change: {
      invocations,
      agentRequests: c.agentRequests,
      lambdaMs: invocations * probe.statusReport.meanMs,
      cpuMs: invocations * probe.statusReport.cpuMs,
      ops: c.ops,
      readUnits: c.readUnits,
      writeUnits: c.writeUnits,
      sqsRequests: 0,
      logBytes: invocations * probe.statusReport.logBytes,
    },
    writeItems: c.writeItems,
    writeUnitsByCall: c.writeUnitsByCall,
    eventItemBytes: c.eventItemBytes,
    complianceItemBytes: c.complianceItemBytes,
  };
}

/**
 * The cost model's inputs from one B1 run. `counted` should come from DynamoDB Local, whose
 * capacity figures include index writes (dynalite leaves them out).
 */
export function toMeasuredCounts(
  counted: PollCostResult,
  probe: ProbeResult,
  commit: string,
  rollout?: RolloutCost,
  measuredAt = new Date().toISOString(),
  compliance?: ComplianceChangeCost,
): MeasuredCounts {
  // The transition's own write, and the availability step it queues (one worker invocation).
  const transition = {
    ...counted.renewingPoll,
    ops: { UpdateItem: counted.renewingPoll.ops.UpdateItem ?? 0 },
    capacity: { UpdateItem: counted.renewingPoll.capacity.UpdateItem ?? 0 },
  };
  return MeasuredCountsSchema.parse({
    measuredAt,
    commit,
    capacitySource: counted.backend,
    probePollWarmup: probe.pollWarmup,
    idlePoll: cost(counted.idlePoll, probe.idlePoll, { invocations: 1, agentRequests: 1 }),
    // One more DynamoDB round trip inside the same invocation: as long as the idle poll's own.
    leaseTransition: cost(transition, undefined, {
      invocations: transition.queued,
      agentRequests: 0,
      extraMs: probe.idlePoll.meanMs,
      extraCpuMs: probe.idlePoll.cpuMs,
    }),
    flushIntervalSeconds: counted.heartbeatWindow.flushIntervalSeconds,
    heartbeatFlushes: counted.heartbeatFlushes,
    sweep: counted.sweep,
    statusReport: withStepsCost({ ...counted.statusReport, agentRequests: 1 }, probe),
    healthReport: withStepsCost({ ...counted.healthReport, agentRequests: 1 }, probe),
    heartbeatThinning: counted.heartbeatThinning,
    schedulerTick: cost(counted.schedulerTick, probe.schedulerTick, { invocations: 1, agentRequests: 0 }),
    ...(rollout ? { rolloutPerCluster: withStepsCost(rollout, probe) } : {}),
    ...(compliance ? { complianceChange: complianceCounts(compliance, probe) } : {}),
  });
}

/** Reads bench/measured-counts.json (validated). */
export function readMeasuredCounts(root = process.cwd()): MeasuredCounts {
  return MeasuredCountsSchema.parse(JSON.parse(readFileSync(join(root, MEASURED_COUNTS_FILE), 'utf8')));
}

/** Writes bench/measured-counts.json. */
export function writeMeasuredCounts(counts: MeasuredCounts, root = process.cwd()): void {
  writeFileSync(join(root, MEASURED_COUNTS_FILE), `${JSON.stringify(MeasuredCountsSchema.parse(counts), null, 2)}\n`);
}

/** Reads bench/prices.json (validated). */
export function readPrices(root = process.cwd()): PriceBook {
  return PriceBookSchema.parse(JSON.parse(readFileSync(join(root, PRICES_FILE), 'utf8')));
}
