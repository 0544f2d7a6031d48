import { describe, expect, it } from '@jest/globals';
import { DynamoDBClient, PutItemCommand, BatchWriteItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { GovernanceFleetResult } from '../../../bench/b8-governance.js';
import { classifyWrites, governancePolicy, perPoll, writeClassOf } from '../../../bench/b8-writes.js';
import type { GovernanceAgentResult, GovernanceFootprint } from '../../../bench/b9-governance-agent.js';
import { defaultSettings, commandFor } from '../../../bench/benchmarks.js';
import { eventItemBytes } from '../../../bench/compliance-cost.js';
import { readMeasuredCounts, readPrices } from '../../../bench/counts.js';
import { renderCostReport } from '../../../bench/cost-report.js';
import { DEFAULT_GOVERNANCE, governanceCost, queryReadUnits } from '../../../bench/cost-governance.js';
import type { ComplianceCounts, PriceBook } from '../../../bench/cost-model.js';
import { figuresOf, renderReport } from '../../../bench/report.js';
import { portCallLabel, WriteLedger, writeItemsOf } from '../../../bench/write-ledger.js';
import type { Ports } from '../../../lambdas/ports/index.js';
import { policyKind } from '../../../shared/resources/policy.js';
import { saved } from './saved-result.js';

const latency = (max: number) => ({ count: 200, p50: max / 2, p90: max * 0.9, p99: max, max, mean: max / 2 });

function fleetResult(over: {
  clusters?: number;
  recordSeconds?: number;
  ingestion?: number;
  changes?: number;
  idleWrites?: Record<string, number>;
}): GovernanceFleetResult {
  const clusters = over.clusters ?? 200;
  const changes = over.changes ?? clusters;
  const ingestion = over.ingestion ?? 2 * changes;
  return {
    clusters,
    pollSeconds: 30,
    pollJitterBand: '[0.96, 1)',
    workers: 0,
    policies: 30,
    objectsPerPolicy: 10,
    goalSeconds: 40,
    convergeSeconds: 70,
    newPolicy: {
      allRecordedSeconds: over.recordSeconds ?? 31,
      perCluster: latency(30),
      recorded: clusters,
      summary: { clusters, compliant: clusters, unknown: 0 },
    },
    idle: {
      seconds: 65,
      polls: 440,
      statuses: { 'desired 304': 440 },
      opsPerPoll: { GetItem: 1, PutItem: 0.01 },
      writeItems: over.idleWrites ?? { 'heartbeats.record': 7 },
      ingestionWrites: 0,
    },
    change: {
      changes,
      allReportedSeconds: 32,
      perCluster: latency(31),
      ops: { GetItem: 10, PutItem: 5 },
      writes: classifyWrites({
        'resources.replace PolicyCompliance': ingestion / 2,
        'complianceHistory.append': ingestion / 2,
        'heads.bumpRevision': clusters,
        'resources.replace Policy': 1,
        'heartbeats.record': 4,
      }),
      ingestionPerChange: ingestion / changes,
      polls: 220,
    },
  };
}

describe('B8 write classes', () => {
  it('sorts port calls into ingestion, the policy change, the background and the rest', () => {
    expect(writeClassOf('resources.replace PolicyCompliance')).toBe('ingestion');
    expect(writeClassOf('resources.create PolicyCompliance')).toBe('ingestion');
    expect(writeClassOf('complianceHistory.append')).toBe('ingestion');
    expect(writeClassOf('resources.replace Policy')).toBe('policyChange');
    expect(writeClassOf('heads.bumpRevision')).toBe('policyChange');
    expect(writeClassOf('relations.putMany')).toBe('policyChange');
    expect(writeClassOf('heartbeats.record')).toBe('background');
    expect(writeClassOf('heads.renewLease')).toBe('background');
    expect(writeClassOf('resources.replace Cluster')).toBe('other');
    expect(writeClassOf('other')).toBe('other');
  });

  it('totals each class and keeps the calls behind it', () => {
    const c = classifyWrites({
      'complianceHistory.append': 3,
      'resources.replace PolicyCompliance': 3,
      'heartbeats.record': 1,
      'resources.replace Cluster': 2,
    });
    expect(c.ingestion).toEqual({ total: 6, byCall: { 'complianceHistory.append': 3, 'resources.replace PolicyCompliance': 3 } });
    expect(c.background.total).toBe(1);
    expect(c.other).toEqual({ total: 2, byCall: { 'resources.replace Cluster': 2 } });
    expect(c.policyChange.total).toBe(0);
  });

  it('divides by polls to three decimals, and never by zero', () => {
    expect(perPoll({ GetItem: 440, PutItem: 7 }, 440)).toEqual({ GetItem: 1, PutItem: 0.016 });
    expect(perPoll({ GetItem: 3 }, 0)).toEqual({ GetItem: 3 });
  });

  it('applies policies the Policy schema accepts', () => {
    for (const type of ['musthave', 'mustnothave'] as const) {
      const policy = governancePolicy('b8-p00', 'b8', type, 10, 0) as { spec: unknown };
      const parsed = policyKind.spec.safeParse(policy.spec);
      expect(parsed.success).toBe(true);
    }
  });
});

describe('write ledger', () => {
  it('counts one item per single write, every request of a batch, and none for reads', () => {
    expect(writeItemsOf('PutItem', {})).toBe(1);
    expect(writeItemsOf('DeleteItem', {})).toBe(1);
    expect(writeItemsOf('BatchWriteItem', { RequestItems: { t: [{}, {}, {}], u: [{}] } })).toBe(4);
    expect(writeItemsOf('TransactWriteItems', { TransactItems: [{}, {}] })).toBe(2);
    expect(writeItemsOf('GetItem', {})).toBe(0);
    expect(writeItemsOf('Query', {})).toBe(0);
  });

  it('labels resource calls with the kind', () => {
    expect(portCallLabel('resources', 'replace', [{ kind: 'PolicyCompliance' }, '3'])).toBe('resources.replace PolicyCompliance');
    expect(portCallLabel('resources', 'list', ['Policy', {}])).toBe('resources.list Policy');
    expect(portCallLabel('heads', 'bumpRevision', ['c1'])).toBe('heads.bumpRevision');
  });

  it('books the write items and units a port call sends under that call', async () => {
    const client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    // Answers every command here, before anything is sent, with the capacity a server would report.
    client.middlewareStack.add(
      (() => async (args: { input: { ReturnConsumedCapacity?: string } }) => ({
        output: { $metadata: {}, ...(args.input.ReturnConsumedCapacity ? { ConsumedCapacity: { CapacityUnits: 2 } } : {}) },
        response: {},
      })) as never,
      { step: 'finalizeRequest', name: 'fakeServer' },
    );
    const resources = {
      replace: async () => client.send(new PutItemCommand({ TableName: 't', Item: {} })),
      get: async () => client.send(new GetItemCommand({ TableName: 't', Key: {} })),
    };
    const history = { append: async () => client.send(new BatchWriteItemCommand({ RequestItems: { t: [{}, {}] as never } })) };
    const ports = { resources, complianceHistory: history } as unknown as Ports;
    const ledger = new WriteLedger();
    ledger.attach(ports, client);
    await ports.resources.replace({ kind: 'PolicyCompliance' } as never, '1');
    await ports.resources.get({ kind: 'PolicyCompliance', name: 'c' });
    await ports.complianceHistory.append([], 0);
    await client.send(new PutItemCommand({ TableName: 't', Item: {} }));
    expect(ledger.snapshot()).toEqual({ 'resources.replace PolicyCompliance': 1, 'complianceHistory.append': 2, other: 1 });
    expect(ledger.writeUnits()).toEqual({ 'resources.replace PolicyCompliance': 2, 'complianceHistory.append': 2, other: 2 });
    ledger.reset();
    expect(ledger.snapshot()).toEqual({});
  });
});

describe('B8 and B9 in the report', () => {
  it('B8 meets the latency goal only within poll + 10 s and at 1,000 clusters says so', () => {
    const verdicts = (r: GovernanceFleetResult) => figuresOf(saved('B8', r)).map((f) => f.verdict);
    expect(verdicts(fleetResult({}))).toEqual(['met below goal size', 'met', 'met']);
    expect(verdicts(fleetResult({ clusters: 1000 }))).toEqual(['met', 'met', 'met']);
    expect(verdicts(fleetResult({ recordSeconds: 41 }))[0]).toBe('missed');
  });

  it('B8 misses the write goal above 2 items per change or when a cluster did not change', () => {
    expect(figuresOf(saved('B8', fleetResult({ ingestion: 600 })))[1]?.verdict).toBe('missed');
    expect(figuresOf(saved('B8', fleetResult({ changes: 199, ingestion: 398 })))[1]?.verdict).toBe('missed');
  });

  it('B8 misses the idle figure when anything but the heartbeat log writes', () => {
    const r = fleetResult({ idleWrites: { 'heartbeats.record': 7, 'resources.replace PolicyCompliance': 1 } });
    expect(figuresOf(saved('B8', r))[2]?.verdict).toBe('missed');
  });

  it('B8 details separate the ingestion from the policy change and the background', () => {
    const text = renderReport([saved('B8', fleetResult({}))], undefined, {} as PriceBook, '');
    expect(text).toContain('## B8, governance at fleet scale');
    expect(text).toContain('400 for 200 changes = **2.00 per change**');
    expect(text).toContain(
      "the policy update's own writes (part of changing the policy) | 201: 200 `heads.bumpRevision`, 1 `resources.replace Policy`",
    );
    expect(text).toContain('4: 4 `heartbeats.record`');
  });

  it('B9 judges each back end against 2 mCPU and 10 MiB and explains simulated time', () => {
    const f = (backend: 'memory' | 'kube', milliCpu: number, rss: number): GovernanceFootprint => ({
      backend,
      policies: 30,
      objectsPerPolicy: 10,
      intervalSeconds: 600,
      pollSeconds: 30,
      rounds: 6,
      cpuMs: milliCpu * 3600,
      milliCpu,
      idlePassMilliCpu: 0.01,
      rssBeforeBytes: 50 * 2 ** 20,
      rssAfterBytes: 50 * 2 ** 20 + rss,
      rssGrowthBytes: rss,
      evaluatedPerRound: 30,
      gcExposed: true,
    });
    const r: GovernanceAgentResult = { node: 'v22.0.0', results: [f('memory', 0.07, 4 * 2 ** 20), f('kube', 2.5, 11 * 2 ** 20)] };
    expect(figuresOf(saved('B9', r)).map((x) => x.verdict)).toEqual(['met', 'met', 'missed', 'missed']);
    const text = renderReport([saved('B9', r)], undefined, {} as PriceBook, '');
    expect(text).toContain('simulated time');
    expect(text).toContain('| in-memory cluster (`--simulate`) | 0.070 mCPU |');
  });

  it('B8 takes its fleet size from --b8-clusters, and the default from the size', () => {
    expect(defaultSettings('small').b8Clusters).toBe(200);
    expect(defaultSettings('large').b8Clusters).toBe(1000);
    expect(commandFor('B8', { ...defaultSettings('small'), b8Clusters: 1000 })).toBe('npx tsx bench/run.ts --only B8 --b8-clusters 1000');
    expect(commandFor('B8', { ...defaultSettings('large'), workers: 2 })).toBe('npx tsx bench/run.ts --only B8 --size large --workers 2');
  });
});

const counts: ComplianceCounts = {
  change: {
    invocations: 1,
    agentRequests: 1,
    lambdaMs: 20,
    cpuMs: 10,
    ops: { GetItem: 2, Query: 1, BatchGetItem: 2, PutItem: 1, BatchWriteItem: 1 },
    readUnits: 4,
    writeUnits: 4,
    sqsRequests: 0,
    logBytes: 0,
  },
  writeItems: 2,
  eventItemBytes: 900,
  complianceItemBytes: 2000,
};

const prices = {
  items: {
    lambdaRequestsPerMillion: { price: 0.2 },
    apiGatewayHttpApiPerMillionRequests: { price: 1 },
    lambdaArm64PerGbSecond: { price: 1.33334e-5 },
    dynamodbOnDemandPerMillionWriteUnits: { price: 0.625 },
    dynamodbOnDemandPerMillionReadUnits: { price: 0.125 },
    dynamodbStoragePerGbMonth: { price: 0.25 },
    cloudwatchLogsIngestionPerGb: { price: 0.5 },
    cloudwatchLogsStoragePerGbMonth: { price: 0.03 },
  },
} as unknown as PriceBook;

describe('governance cost line', () => {
  it('prices one change a day: writes, reads, two years of events twice (table and gsi2) and the current items', () => {
    const g = governanceCost({ clusters: 1000, profile: 'FunctionUrl' }, counts, prices);
    const changes = 730 / 24;
    expect(g.changesPerMonth).toBeCloseTo(changes, 6);
    expect(g.eventsKept).toBe(730);
    expect(g.storedBytes).toBe(730 * 2 * 1000 + 30 * 2100);
    expect(g.writeUnits).toBeCloseTo(4 * changes, 6);
    // 30 events of 900 bytes: 27,000 bytes, 7 started 4 KB pages, half a unit each.
    expect(g.readUnits).toBeCloseTo(4 * changes + 3.5, 6);
    expect(g.lines.writes).toBeCloseTo((4 * changes * 0.625) / 1e6, 12);
    expect(g.lines.storage).toBeCloseTo(((730 * 2 * 1000 + 30 * 2100) / 1024 ** 3) * 0.25, 12);
    expect(g.total).toBeCloseTo(
      Object.values(g.lines).reduce((a, b) => a + b, 0),
      12,
    );
  });

  it('adds the HTTP API request price on that profile only, and scales with the rate of change', () => {
    const url = governanceCost({ clusters: 1000, profile: 'FunctionUrl' }, counts, prices);
    const http = governanceCost({ clusters: 1000, profile: 'HttpApi' }, counts, prices);
    expect(http.lines.requests - url.lines.requests).toBeCloseTo((url.changesPerMonth * 1) / 1e6, 12);
    const twice = governanceCost({ clusters: 1000, profile: 'FunctionUrl' }, counts, prices, { ...DEFAULT_GOVERNANCE, changesPerDay: 2 });
    expect(twice.lines.writes).toBeCloseTo(url.lines.writes * 2, 12);
    expect(twice.eventsKept).toBe(1460);
  });

  it('reads half a unit per started 4 KB, half a unit at least', () => {
    expect(queryReadUnits(0)).toBe(0.5);
    expect(queryReadUnits(4096)).toBe(0.5);
    expect(queryReadUnits(4097)).toBe(1);
  });

  it('sizes an event item by its attribute names and values', () => {
    const e = {
      id: 'i',
      time: '2026-12-05T10:00:00.000Z',
      cluster: 'c',
      policy: 'p',
      compliance: 'Compliant' as const,
      message: '',
      violations: 0,
      standards: [],
      categories: [],
      controls: [],
      policyGeneration: 1,
      reportedBy: 'agent' as const,
    };
    const bytes = eventItemBytes(e, 1_900_000_000);
    expect(bytes).toBeGreaterThan(JSON.stringify(e).length + 'pk'.length + 'ttl'.length + 10);
    expect(bytes).toBeLessThan(JSON.stringify(e).length + 200);
  });
});

describe('governance in the cost report', () => {
  it('prints the governance line when the compliance change was counted, and says so when it was not', () => {
    const measured = readMeasuredCounts();
    const book = readPrices();
    const { complianceChange: _drop, ...without } = measured;
    expect(renderCostReport(without, book)).toContain('Not computed: the compliance change has not been counted yet');
    const text = renderCostReport({ ...measured, complianceChange: counts }, book);
    expect(text).toContain('### Governance');
    expect(text).toContain('**1 compliance change per cluster per day**');
    expect(text).toMatch(/\| \*\*governance per cluster-month, Function URL\*\* \| \*\*\$[0-9.e-]+\*\* \|/);
  });
});
