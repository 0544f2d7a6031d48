import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import {
  billedMs,
  computeScenario,
  DEFAULT_ASSUMPTIONS,
  MeasuredCountsSchema,
  PriceBookSchema,
  priceOf,
  flushWriteUnits,
  heartbeatBytes,
  heartbeatPlan,
  standardScenarios,
  type Assumptions,
  type MeasuredCounts,
  type PriceBook,
  type RequestCost,
} from '../../../bench/cost-model.js';
import { ValidationError } from '../../../shared/errors.js';

const flat = (price: number) => ({ price, unit: 'test', source: 'test', verified: false });
const prices: PriceBook = {
  region: 'test-1',
  currency: 'USD',
  asOf: '2026-01',
  recordedOn: '2026-01-01',
  verification: 'test prices',
  items: {
    apiGatewayHttpApiPerMillionRequests: {
      tiers: [
        { upTo: 1e9, price: 2 },
        { upTo: null, price: 1 },
      ],
      unit: 'test',
      source: 'test',
      verified: false,
    },
    lambdaRequestsPerMillion: flat(1),
    lambdaArm64PerGbSecond: flat(0.00001),
    dynamodbOnDemandPerMillionReadUnits: flat(0.125),
    dynamodbOnDemandPerMillionWriteUnits: flat(0.625),
    dynamodbStoragePerGbMonth: flat(0),
    sqsStandardPerMillionRequests: flat(0),
    cloudwatchLogsIngestionPerGb: flat(0.5),
    cloudwatchLogsStoragePerGbMonth: flat(0),
    cloudwatchAlarmPerMonth: flat(0),
    cloudwatchCustomMetricPerMonth: flat(0),
    xrayPerMillionTracesRecorded: flat(5),
  },
};

const none: RequestCost = {
  invocations: 0,
  agentRequests: 0,
  lambdaMs: 0,
  ops: {},
  readUnits: 0,
  writeUnits: 0,
  sqsRequests: 0,
  logBytes: 0,
};
const counts: MeasuredCounts = {
  measuredAt: '2026-01-01T00:00:00Z',
  commit: 'test',
  capacitySource: 'dynamodb-local',
  idlePoll: { ...none, invocations: 1, agentRequests: 1, lambdaMs: 4, ops: { GetItem: 1 }, readUnits: 0.5, logBytes: 100 },
  leaseTransition: { ...none, ops: { UpdateItem: 1 }, writeUnits: 2 },
  flushIntervalSeconds: 10,
  heartbeatFlushes: [
    { entries: 1, ops: { PutItem: 1 }, items: 1, bytes: 60, writeUnits: 1 },
    { entries: 1001, ops: { PutItem: 1 }, items: 1, bytes: 16_060, writeUnits: 16 },
  ],
  sweep: { liveClusters: 201, pollSeconds: 30, baseOps: {}, baseReadUnits: 0, ops: {}, readUnits: 20, readUnitsPerLiveCluster: 0.1 },
  statusReport: none,
  schedulerTick: none,
};
const a: Assumptions = {
  ...DEFAULT_ASSUMPTIONS,
  secondsPerMonth: 2_628_000,
  agentMemoryMb: 1024,
  // One vCPU at 1,024 MB here, so that the duration arithmetic below needs no stretch.
  lambdaMbPerVcpu: 1024,
  lambdaVcpuSpeed: 1,
  leaseDurationSeconds: () => 60,
  statusReportsPerDay: 0,
  rolloutsPerMonth: 0,
  meanPollFraction: 1,
  agentPlatformLogBytes: 300,
  backgroundPlatformLogBytes: 0,
  agentTracing: true,
  sqsIdlePollingRequestsPerMonth: 0,
  alarms: 0,
  customMetrics: 0,
  storageBytesPerCluster: 0,
  logRetentionMonths: 0,
  leaseTransitionsPerMonth: 0,
  agentInstanceUtilization: 0.5,
};
const POLLS = 2_628_000 / 30;
const TICKS = 2_628_000 / 60;

describe('priceOf', () => {
  it('prices flat items per unit of quantity', () => {
    expect(priceOf(flat(0.2), 5e6)).toBeCloseTo(1);
    expect(priceOf(flat(0.5), 3, 1)).toBeCloseTo(1.5);
  });

  it('applies tiers to the volume above each limit', () => {
    const item = prices.items.apiGatewayHttpApiPerMillionRequests;
    expect(priceOf(item, 5e8)).toBeCloseTo(1000);
    expect(priceOf(item, 3e9)).toBeCloseTo(2 * 1000 + 1 * 2000);
  });

  it('refuses an item with neither price nor tiers', () => {
    expect(() => priceOf({ unit: 'x', source: 'x', verified: false }, 1)).toThrow(ValidationError);
  });
});

describe('computeScenario', () => {
  it('prices polls, heartbeats, the sweep, duration, logs and traces from the counts', () => {
    const r = computeScenario({ clusters: 1000, pollSeconds: 30, profile: 'HttpApi' }, counts, prices, a);
    expect(r.leaseDurationSeconds).toBe(60);
    expect(r.perCluster.lambdaRequests).toBeCloseTo(POLLS / 1e6, 8);
    expect(r.perCluster.agentEndpoint).toBeCloseTo((POLLS * 2) / 1e6, 8);
    // One read per poll, and the sweep's 0.1 read units per other live cluster each minute.
    expect(r.perCluster.dynamodbReads).toBeCloseTo(((POLLS * 0.5 + TICKS * 0.1 * (999 / 1000)) * 0.125) / 1e6, 8);
    // 33.3 polls/s x 4 ms = 0.13 busy instances, at 50% utilization one instance: it flushes every
    // 10 s, ~333 heartbeats of 16 bytes + 44 fixed = 6 write units a flush.
    const wcu = 0.1 * 2_628_000 * 6;
    expect(r.perCluster.dynamodbWrites).toBeCloseTo(((wcu / 1000) * 0.625) / 1e6, 10);
    // 4 billed ms at 1 GB.
    expect(r.perCluster.lambdaDuration).toBeCloseTo(POLLS * 0.004 * 0.00001, 8);
    expect(r.perCluster.logs).toBeCloseTo(((POLLS * 400) / 1024 ** 3) * 0.5, 8);
    // 33.3 requests/s fleet-wide: 1 traced per second plus 5% of the rest.
    const traced = (1 + 0.05 * (1000 / 30 - 1)) * 2_628_000;
    expect(r.perCluster.xray).toBeCloseTo((traced * 5) / 1e6 / 1000, 8);
    const sum = Object.values(r.perCluster).reduce((s, x) => s + x, 0);
    expect(r.totalPerCluster).toBeCloseTo(sum, 12);
    expect(r.fleetTotal).toBeCloseTo(sum * 1000, 8);
  });

  it('the Function URL profile pays no API Gateway and is otherwise the same', () => {
    const http = computeScenario({ clusters: 1000, pollSeconds: 30, profile: 'HttpApi' }, counts, prices, a);
    const url = computeScenario({ clusters: 1000, pollSeconds: 30, profile: 'FunctionUrl' }, counts, prices, a);
    expect(url.perCluster.agentEndpoint).toBe(0);
    expect(http.totalPerCluster - url.totalPerCluster).toBeCloseTo(http.perCluster.agentEndpoint, 12);
  });

  it('prices tiers on the fleet volume, so large fleets pay less per cluster', () => {
    const big = computeScenario({ clusters: 100_000, pollSeconds: 30, profile: 'HttpApi' }, counts, prices, a);
    const fleet = POLLS * 100_000;
    expect(big.perCluster.agentEndpoint).toBeCloseTo((2 * 1000 + (fleet - 1e9) / 1e6) / 100_000, 8);
  });

  it('the what-if without heartbeats drops exactly the heartbeat writes', () => {
    const base = computeScenario({ clusters: 1000, pollSeconds: 30, profile: 'FunctionUrl' }, counts, prices, a);
    const tuned = computeScenario({ clusters: 1000, pollSeconds: 30, profile: 'FunctionUrl' }, counts, prices, {
      ...a,
      withoutHeartbeats: true,
    });
    expect(base.perCluster.dynamodbWrites).toBeGreaterThan(0);
    expect(tuned.perCluster.dynamodbWrites).toBe(0);
    expect(tuned.totalPerCluster).toBeCloseTo(base.totalPerCluster - base.perCluster.dynamodbWrites, 12);
  });

  it("polls more often than the nominal interval by the jitter's mean, and prices agent and background platform lines apart", () => {
    const nominal = computeScenario({ clusters: 1000, pollSeconds: 30, profile: 'FunctionUrl' }, counts, prices, a);
    const jittered = computeScenario({ clusters: 1000, pollSeconds: 30, profile: 'FunctionUrl' }, counts, prices, {
      ...a,
      meanPollFraction: 0.95,
    });
    expect(jittered.perCluster.lambdaRequests).toBeCloseTo(nominal.perCluster.lambdaRequests / 0.95, 12);
    const quietAgent = computeScenario({ clusters: 1000, pollSeconds: 30, profile: 'FunctionUrl' }, counts, prices, {
      ...a,
      agentPlatformLogBytes: 0,
    });
    expect(quietAgent.perCluster.logs).toBeCloseTo((nominal.perCluster.logs * 100) / 400, 10);
    // Background lines apply to the scheduler's invocations, not to the polls.
    const loudWorker = computeScenario(
      { clusters: 1000, pollSeconds: 30, profile: 'FunctionUrl' },
      { ...counts, schedulerTick: { ...none, invocations: 1 } },
      prices,
      { ...a, backgroundPlatformLogBytes: 1000 },
    );
    expect(loudWorker.perCluster.logs - nominal.perCluster.logs).toBeCloseTo((((TICKS / 1000) * 1000) / 1024 ** 3) * 0.5, 12);
  });

  it('prices a lease transition per assumed transition', () => {
    const one = computeScenario({ clusters: 1000, pollSeconds: 30, profile: 'FunctionUrl' }, counts, prices, {
      ...a,
      withoutHeartbeats: true,
      leaseTransitionsPerMonth: 1,
    });
    expect(one.perCluster.dynamodbWrites).toBeCloseTo((2 * 0.625) / 1e6, 12);
  });
});

describe('billedMs', () => {
  const at = { lambdaMbPerVcpu: 1769, lambdaVcpuSpeed: 1 };
  it('stretches the measured CPU time by the share of a vCPU the memory buys, not the wait', () => {
    // 2 ms of CPU and 1 ms of waiting: at 1,769 MB and above as measured; at 442 MB the CPU part takes 4 × as long.
    const c: RequestCost = { ...none, invocations: 1, lambdaMs: 3, cpuMs: 2 };
    expect(billedMs(c, 1769, at)).toBe(3);
    expect(billedMs(c, 3538, at)).toBe(3);
    expect(billedMs(c, 442.25, at)).toBe(9);
    // A slower vCPU stretches the CPU part further.
    expect(billedMs(c, 1769, { ...at, lambdaVcpuSpeed: 0.5 })).toBe(5);
  });

  it('rounds each invocation up to a whole millisecond, and counts all of an older measurement as CPU', () => {
    expect(billedMs({ ...none, invocations: 2, lambdaMs: 3, cpuMs: 0 }, 512, at)).toBe(4);
    expect(billedMs({ ...none, invocations: 1, lambdaMs: 2 }, 884.5, at)).toBe(4);
    expect(billedMs({ ...none, invocations: 0, lambdaMs: 1.5, cpuMs: 0 }, 512, at)).toBe(1.5);
  });

  it('adds the what-if milliseconds per DynamoDB call and per invocation before rounding', () => {
    const c: RequestCost = { ...none, invocations: 2, lambdaMs: 3, cpuMs: 0, ops: { GetItem: 2, PutItem: 1 } };
    expect(billedMs(c, 1769, at)).toBe(4);
    // 3 ms + 3 calls × 4 ms = 15 ms over 2 invocations: 7.5 each, billed 8.
    expect(billedMs(c, 1769, { ...at, extraDynamoWaitMs: 4 })).toBe(16);
    // 3 ms + 2 invocations × 0.6 ms = 4.2 ms: 2.1 each, billed 3.
    expect(billedMs(c, 1769, { ...at, extraMsPerInvocation: 0.6 })).toBe(6);
  });
});

describe('heartbeat plan', () => {
  it('fits bytes per heartbeat to the measured flushes and rounds each item to whole write units', () => {
    expect(heartbeatBytes(counts)).toEqual({ fixed: 44, perHeartbeat: 16 });
    expect(flushWriteUnits(counts, 1)).toBe(1);
    expect(flushWriteUnits(counts, 61)).toBe(1);
    expect(flushWriteUnits(counts, 62)).toBe(2);
    // Past the item limit the flush splits into items, each rounded up.
    expect(flushWriteUnits(counts, 8192, 64 * 1024)).toBe(2 * Math.ceil((44 + 4096 * 16) / 1024));
    expect(() => heartbeatBytes({ ...counts, heartbeatFlushes: [counts.heartbeatFlushes[0], counts.heartbeatFlushes[0]] })).toThrow(
      ValidationError,
    );
  });

  it('spreads a large fleet over the instances its request rate needs, each flushing on its own', () => {
    const plan = heartbeatPlan({ clusters: 100_000, pollSeconds: 30 }, counts, a);
    // 3,333 polls/s x 4 ms = 13.3 busy instances at 50% utilization: 27.
    expect(plan.instances).toBe(27);
    expect(plan.entriesPerFlush).toBeCloseTo((100_000 / 30 / 27) * 10, 6);
    expect(plan.writeUnitsPerFlush).toBe(Math.ceil((44 + plan.entriesPerFlush * 16) / 1024));
    // A tiny fleet: one instance, every poll a flush of one heartbeat.
    const tiny = heartbeatPlan({ clusters: 1, pollSeconds: 30 }, counts, a);
    expect(tiny).toMatchObject({ instances: 1, entriesPerFlush: 1, writeUnitsPerFlush: 1 });
    expect(tiny.flushesPerSecond).toBeCloseTo(1 / 30, 10);
  });
});

describe('data files', () => {
  it('bench/prices.json parses, names a source for every price and says it is unverified', () => {
    const book = PriceBookSchema.parse(JSON.parse(readFileSync('bench/prices.json', 'utf8')));
    for (const item of Object.values(book.items)) {
      expect(item.source).toMatch(/^https:\/\/aws\.amazon\.com\//);
      expect(item.price !== undefined || item.tiers !== undefined).toBe(true);
    }
    expect(book.verification).toMatch(/NOT VERIFIED/);
  });

  it('bench/measured-counts.json, when present, prices every standard scenario', () => {
    let raw: string;
    try {
      raw = readFileSync('bench/measured-counts.json', 'utf8');
    } catch {
      return;
    }
    const measured = MeasuredCountsSchema.parse(JSON.parse(raw));
    for (const s of standardScenarios()) expect(computeScenario(s, measured, prices).totalPerCluster).toBeGreaterThan(0);
  });
});

describe('standardScenarios', () => {
  it('covers 1k, 10k and 100k clusters at 30, 60 and 300 s for both profiles', () => {
    const all = standardScenarios();
    expect(all).toHaveLength(18);
    expect(new Set(all.map((s) => `${s.profile}/${s.pollSeconds}/${s.clusters}`)).size).toBe(18);
  });
});
