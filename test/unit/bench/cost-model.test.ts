import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import {
  computeScenario,
  DEFAULT_ASSUMPTIONS,
  MeasuredCountsSchema,
  PriceBookSchema,
  priceOf,
  renewalsPerPoll,
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
    apiGatewayHttpApiPerMillionRequests: { tiers: [{ upTo: 1e9, price: 2 }, { upTo: null, price: 1 }], unit: 'test', source: 'test', verified: false },
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

const none: RequestCost = { invocations: 0, agentRequests: 0, lambdaMs: 0, ops: {}, readUnits: 0, writeUnits: 0, sqsRequests: 0, logBytes: 0 };
const counts: MeasuredCounts = {
  measuredAt: '2026-01-01T00:00:00Z',
  commit: 'test',
  capacitySource: 'dynamodb-local',
  idlePoll: { ...none, invocations: 1, agentRequests: 1, lambdaMs: 4, ops: { GetItem: 1 }, readUnits: 0.5, logBytes: 100 },
  leaseRenewal: { ...none, ops: { UpdateItem: 1 }, writeUnits: 3 },
  renewalRates: [{ pollSeconds: 30, leaseDurationSeconds: 60, polls: 100, renewals: 40 }],
  statusReport: none,
  schedulerTick: none,
};
const a: Assumptions = {
  ...DEFAULT_ASSUMPTIONS,
  secondsPerMonth: 2_628_000,
  agentMemoryMb: 1024,
  leaseDurationSeconds: () => 60,
  statusReportsPerDay: 0,
  rolloutsPerMonth: 0,
  platformLogBytesPerInvocation: 300,
  agentTracing: true,
  sqsIdlePollingRequestsPerMonth: 0,
  alarms: 0,
  customMetrics: 0,
  storageBytesPerCluster: 0,
  logRetentionMonths: 0,
};
const POLLS = 2_628_000 / 30;

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
  it('prices polls, renewals, duration, logs and traces from the counts', () => {
    const r = computeScenario({ clusters: 1000, pollSeconds: 30, profile: 'HttpApi' }, counts, prices, a);
    expect(r.leaseDurationSeconds).toBe(60);
    expect(r.perCluster.lambdaRequests).toBeCloseTo(POLLS / 1e6, 8);
    expect(r.perCluster.agentEndpoint).toBeCloseTo((POLLS * 2) / 1e6, 8);
    expect(r.perCluster.dynamodbReads).toBeCloseTo((POLLS * 0.5 * 0.125) / 1e6, 8);
    // 40 renewals per 100 polls, 3 write units each.
    expect(r.perCluster.dynamodbWrites).toBeCloseTo((POLLS * 0.4 * 3 * 0.625) / 1e6, 8);
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

  it('what-ifs drop the metric lines and change the renewal units', () => {
    const base = computeScenario({ clusters: 1000, pollSeconds: 30, profile: 'FunctionUrl' }, counts, prices, a);
    const tuned = computeScenario({ clusters: 1000, pollSeconds: 30, profile: 'FunctionUrl' }, counts, prices, { ...a, withoutAgentMetricLines: true, leaseWriteUnits: 1 });
    expect(tuned.perCluster.dynamodbWrites).toBeCloseTo(base.perCluster.dynamodbWrites / 3, 10);
    expect(tuned.perCluster.logs).toBeCloseTo((base.perCluster.logs * 300) / 400, 10);
  });

  it('says which renewal rate is missing instead of guessing one', () => {
    expect(() => renewalsPerPoll(counts, 300, 300)).toThrow(/no measured lease renewal rate for 300 s polls with a 300 s lease \(measured: 30s\/60s\)/);
    expect(renewalsPerPoll(counts, 30, 60)).toBe(0.4);
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

  it('bench/measured-counts.json, when present, has every rate the standard scenarios need', () => {
    let raw: string;
    try {
      raw = readFileSync('bench/measured-counts.json', 'utf8');
    } catch {
      return;
    }
    const measured = MeasuredCountsSchema.parse(JSON.parse(raw));
    for (const s of standardScenarios()) expect(() => renewalsPerPoll(measured, s.pollSeconds, DEFAULT_ASSUMPTIONS.leaseDurationSeconds(s.pollSeconds))).not.toThrow();
  });
});

describe('standardScenarios', () => {
  it('covers 1k, 10k and 100k clusters at 30, 60 and 300 s for both profiles', () => {
    const all = standardScenarios();
    expect(all).toHaveLength(18);
    expect(new Set(all.map((s) => `${s.profile}/${s.pollSeconds}/${s.clusters}`)).size).toBe(18);
  });
});
