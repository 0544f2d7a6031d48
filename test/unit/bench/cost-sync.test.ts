import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { DEFAULT_SYNC_INVENTORY, priceEvent, syncInventoryCost } from '../../../bench/cost-sync.js';
import {
  DEFAULT_ASSUMPTIONS,
  MeasuredCountsSchema,
  PriceBookSchema,
  type EventCount,
  type MeasuredCounts,
  type PriceBook,
  type RequestCost,
} from '../../../bench/cost-model.js';
import { classifySyncWrites, syncWriteClassOf } from '../../../bench/b12-writes.js';
import { b12Figures, bumpPages } from '../../../bench/report-b12.js';
import type { SyncFleetResult } from '../../../bench/b12-sync.js';

const flat = (price: number) => ({ price, unit: 'test', source: 'test', verified: false });
/** One dollar per million of everything that matters here, nothing for the rest. */
const prices: PriceBook = {
  region: 'test-1',
  currency: 'USD',
  asOf: '2026-01',
  recordedOn: '2026-01-01',
  verification: 'test prices',
  items: {
    apiGatewayHttpApiPerMillionRequests: flat(1),
    lambdaRequestsPerMillion: flat(1),
    lambdaArm64PerGbSecond: flat(0),
    dynamodbOnDemandPerMillionReadUnits: flat(1),
    dynamodbOnDemandPerMillionWriteUnits: flat(1),
    dynamodbStoragePerGbMonth: flat(0),
    sqsStandardPerMillionRequests: flat(1),
    cloudwatchLogsIngestionPerGb: flat(0),
    cloudwatchLogsStoragePerGbMonth: flat(0),
    cloudwatchAlarmPerMonth: flat(0),
    cloudwatchCustomMetricPerMonth: flat(0),
    xrayPerMillionTracesRecorded: flat(0),
  },
};

const none: RequestCost = {
  invocations: 1,
  agentRequests: 1,
  lambdaMs: 0,
  ops: {},
  readUnits: 0,
  writeUnits: 0,
  sqsRequests: 0,
  logBytes: 0,
};
const event = (e: Partial<EventCount>): EventCount => ({
  ops: {},
  readUnits: 0,
  writeUnits: 0,
  writeItems: 0,
  writeUnitsByCall: {},
  agentRequests: 0,
  steps: {},
  ...e,
});
const counts: MeasuredCounts = {
  measuredAt: '2026-01-01T00:00:00Z',
  commit: 'test',
  capacitySource: 'dynamodb-local',
  idlePoll: none,
  leaseTransition: none,
  flushIntervalSeconds: 10,
  heartbeatFlushes: [
    { entries: 1, ops: { PutItem: 1 }, items: 1, bytes: 60, writeUnits: 1 },
    { entries: 1001, ops: { PutItem: 1 }, items: 1, bytes: 16_060, writeUnits: 16 },
  ],
  sweep: { liveClusters: 2, pollSeconds: 30, baseOps: {}, baseReadUnits: 0, ops: {}, readUnits: 0, readUnitsPerLiveCluster: 0 },
  statusReport: none,
  schedulerTick: none,
  syncInventory: {
    destinations: 5,
    // 1 agent request + 1 step = 2 invocations, 3 SQS requests, 10 RU, 4 WU.
    syncChange: event({ readUnits: 10, writeUnits: 4, agentRequests: 1, steps: { 'sync.bump-destinations': 1 } }),
    // 1 agent request, 6 RU, 2 WU.
    syncPerDestination: event({ readUnits: 6, writeUnits: 2, agentRequests: 1 }),
    members: 6,
    receivers: 5,
    inventoryMemberChange: event({ readUnits: 2, writeUnits: 1, steps: { 'inventory.member-changed': 1, 'inventory.refresh-export': 1 } }),
    inventoryPerReceiver: event({ readUnits: 8, writeUnits: 2, agentRequests: 1 }),
    inventoryRefresh: event({ readUnits: 2, writeUnits: 1 }),
  },
};

describe('priceEvent', () => {
  it('prices invocations (agent requests and steps), units and 3 SQS requests per step', () => {
    const p = priceEvent(counts.syncInventory!.syncChange, 1e6, counts, prices, 'FunctionUrl');
    expect(p.requests).toBeCloseTo(2);
    expect(p.reads).toBeCloseTo(10);
    expect(p.writes).toBeCloseTo(4);
    expect(p.sqs).toBeCloseTo(3);
    expect(p.duration).toBe(0);
    expect(p.total).toBeCloseTo(19);
    // The HTTP API adds its request price per agent request, not per step.
    expect(priceEvent(counts.syncInventory!.syncChange, 1e6, counts, prices, 'HttpApi').requests).toBeCloseTo(3);
  });
});

describe('syncInventoryCost', () => {
  const perMillion = (usd: number) => usd * 1e6;

  it('prices one change to every other cluster as once + per destination, and spreads the month over the fleet', () => {
    const r = syncInventoryCost({ clusters: 1_001, profile: 'FunctionUrl' }, counts, prices)!;
    expect(r.destinations).toBe(1_000);
    // once: 2 + 10 + 4 + 3 = 19; per destination: 1 + 6 + 2 = 9 (per million).
    expect(perMillion(r.oneChange.total)).toBeCloseTo(19 + 1_000 * 9);
    expect(perMillion(r.sync.total)).toBeCloseTo(((19 + 1_000 * 9) * DEFAULT_SYNC_INVENTORY.syncChangesPerMonth) / 1_001);
  });

  it('prices member changes x exports x receivers, and the refreshes shared by the fleet', () => {
    const r = syncInventoryCost({ clusters: 1_000, profile: 'FunctionUrl' }, counts, prices)!;
    const s = DEFAULT_SYNC_INVENTORY;
    const changes = (s.memberChangesPerDay * DEFAULT_ASSUMPTIONS.secondsPerMonth) / 86_400;
    // member change: 2 steps (2 invocations, 6 SQS) + 2 RU + 1 WU = 11; per receiver: 1 + 8 + 2 = 11.
    const perChange = 11 * s.exports + 11 * s.exports * s.receiversPerExport;
    const refreshes = (s.exports * DEFAULT_ASSUMPTIONS.secondsPerMonth) / (s.refreshMinutes * 60);
    expect(perMillion(r.inventoryRefresh.total)).toBeCloseTo((refreshes * 3) / 1_000);
    expect(perMillion(r.inventory.total)).toBeCloseTo(changes * perChange + (refreshes * 3) / 1_000);
  });

  it('is undefined until the events were counted', () => {
    expect(syncInventoryCost({ clusters: 10, profile: 'FunctionUrl' }, { ...counts, syncInventory: undefined }, prices)).toBeUndefined();
  });

  it('prices the counted events of bench/measured-counts.json, when present', () => {
    let raw: string;
    try {
      raw = readFileSync('bench/measured-counts.json', 'utf8');
    } catch {
      return;
    }
    const measured = MeasuredCountsSchema.parse(JSON.parse(raw));
    if (!measured.syncInventory) return;
    const book = PriceBookSchema.parse(JSON.parse(readFileSync('bench/prices.json', 'utf8')));
    const r = syncInventoryCost({ clusters: 1_000, profile: 'FunctionUrl' }, measured, book)!;
    expect(r.sync.total).toBeGreaterThan(0);
    expect(r.inventory.total).toBeGreaterThan(0);
    // A change's own part does not grow with the destinations: the bumps are per destination.
    expect(measured.syncInventory.syncChange.writeUnitsByCall['heads.bumpRevision']).toBeLessThanOrEqual(
      measured.syncInventory.syncPerDestination.writeUnitsByCall['heads.bumpRevision'],
    );
  });
});

describe('B12 write classes', () => {
  it('sorts port calls into the report, the bumps, destination status, background and the rest', () => {
    expect(syncWriteClassOf('resources.replace SyncObject')).toBe('report');
    expect(syncWriteClassOf('resources.create SyncSourceState')).toBe('report');
    expect(syncWriteClassOf('relations.putMany')).toBe('report');
    expect(syncWriteClassOf('heads.bumpRevision')).toBe('bumps');
    expect(syncWriteClassOf('resources.replace SyncDestinationState')).toBe('destinationStatus');
    expect(syncWriteClassOf('heartbeats.record')).toBe('background');
    expect(syncWriteClassOf('heads.renewLease')).toBe('background');
    expect(syncWriteClassOf('pendingChanges.open')).toBe('other');
    const c = classifySyncWrites({ 'heads.bumpRevision': 1_001, 'resources.replace SyncObject': 1, 'heartbeats.record': 4 });
    expect(c.bumps.total).toBe(1_001);
    expect(c.report).toEqual({ total: 1, byCall: { 'resources.replace SyncObject': 1 } });
    expect(c.other.total).toBe(0);
  });
});

describe('B12 figures', () => {
  const latency = { count: 1_000, p50: 30, p90: 40, p99: 45, max: 50, mean: 30 };
  const w = (byCall: Record<string, number>) => ({ total: Object.values(byCall).reduce((a, b) => a + b, 0), byCall });
  const result = (over: Partial<SyncFleetResult['change']> = {}): SyncFleetResult => ({
    clusters: 1_000,
    pollSeconds: 30,
    pollJitterBand: '[0.96, 1)',
    workers: 0,
    bulkObjects: 100,
    bulkDestinations: 10,
    goalSeconds: 70,
    convergeSeconds: 90,
    idle: {
      seconds: 65,
      polls: 2_000,
      statuses: { 'desired 304': 2_000 },
      sourceStatuses: { 'desired 304': 2 },
      sourceReports: 0,
      opsPerPoll: { GetItem: 1 },
      writeItems: { 'heartbeats.record': 6 },
      writes: classifySyncWrites({ 'heartbeats.record': 6 }),
    },
    change: {
      allAppliedSeconds: 55,
      sourceReportedSeconds: 20,
      perCluster: latency,
      applied: 1_000,
      sourceReports: 1,
      ops: {},
      writeItems: {},
      writes: {
        report: w({ 'resources.replace SyncObject': 1, 'relations.putMany': 1, 'resources.replace SyncSourceState': 1 }),
        bumps: w({ 'heads.bumpRevision': 1_001 }),
        destinationStatus: w({}),
        background: w({}),
        other: w({}),
      },
      // 1,000 destinations and the source on the rule's destination list: 11 pages of 100.
      queuedByType: { 'sync.bump-destinations': bumpPages(1_001) },
      statuses: {},
      ...over,
    },
  });

  it('meets the goals with O(1) report writes, one bump per destination in pages of 100, and a quiet idle', () => {
    expect(bumpPages(1_000)).toBe(10);
    expect(bumpPages(1_001)).toBe(11);
    expect(b12Figures(result()).map((f) => f.verdict)).toEqual(['met', 'met', 'met']);
  });

  it('misses when the change is late, when a destination is missing, or when writes grow with the fleet', () => {
    expect(b12Figures(result({ allAppliedSeconds: 71 }))[0].verdict).toBe('missed');
    expect(b12Figures(result({ applied: 999 }))[0].verdict).toBe('missed');
    const heavy = result();
    heavy.change.writes.report = w({ 'resources.replace SyncObject': 1_000 });
    expect(b12Figures(heavy)[1].verdict).toBe('missed');
    const unpaged = result({ queuedByType: { 'sync.bump-destinations': 1 } });
    expect(b12Figures(unpaged)[1].verdict).toBe('missed');
  });

  it('misses the idle figure when the source reports while nothing changed', () => {
    const r = result();
    r.idle.sourceReports = 1;
    expect(b12Figures(r)[2].verdict).toBe('missed');
  });
});
