import { describe, expect, it } from '@jest/globals';
import { figuresOf, renderReport } from '../../../bench/report.js';
import { saved } from './saved-result.js';

const footprint = (rss: number, milliCpu: number, bundleBytes: number) =>
  saved('B5', {
    bundleBytes,
    resources: 100,
    pollSeconds: 30,
    node: 'v20.20.2',
    nodeFlags: [],
    joined: { cpuMs: 200, rssBytes: rss, peakRssBytes: rss },
    apply: { seconds: 20, cpuMs: 100, peakRssBytes: rss },
    idle: { seconds: 120, cpuMs: milliCpu * 120, milliCpu, rssBytes: rss, peakRssBytes: rss },
  });

describe('figuresOf', () => {
  it('B5 meets each goal only inside its limit', () => {
    expect(figuresOf(footprint(60 * 2 ** 20, 1, 2e6)).map((f) => f.verdict)).toEqual(['met', 'met', 'met']);
    expect(figuresOf(footprint(70 * 2 ** 20, 2.5, 6e6)).map((f) => f.verdict)).toEqual(['missed', 'missed', 'missed']);
  });

  it('B5 with the Kubernetes-adapter agent judges each agent on its own, and splits the bundle', () => {
    const base = footprint(60 * 2 ** 20, 1, 2e6);
    const phases = (rss: number) => ({
      joined: { cpuMs: 300, rssBytes: rss, peakRssBytes: rss },
      apply: { seconds: 20, cpuMs: 400, peakRssBytes: rss },
      idle: { seconds: 120, cpuMs: 240, milliCpu: 2, rssBytes: rss, peakRssBytes: rss },
    });
    const both = {
      ...base,
      result: { ...base.result, entryBytes: 3e5, kubeChunkBytes: 1e6, kube: { ...phases(80 * 2 ** 20), apiRequests: 315 } },
    };
    const figures = figuresOf(both);
    expect(figures.map((f) => [f.figure, f.verdict])).toEqual([
      ['B5 agent RSS, --simulate, 100 resources applied', 'met'],
      ['B5 agent RSS, Kubernetes adapter (stub API server), 100 resources applied', 'missed'],
      ['B5 agent idle CPU, --simulate, at a 30 s poll', 'met'],
      ['B5 agent idle CPU, Kubernetes adapter (stub API server), at a 30 s poll', 'met'],
      ['B5 agent bundle', 'met'],
    ]);
    expect(figures[4].measured).toBe('2.00 MB (entry 0.30 MB, Kubernetes chunk 1.00 MB)');
  });

  it('B2 below 10,000 clusters is judged on the rate projected to 10,000', () => {
    const b2 = (clusters: number, seconds: number) =>
      saved('B2', {
        clusters,
        joinSeconds: 1,
        placementSeconds: 1,
        fanOutSeconds: seconds,
        clustersPerSecond: clusters / seconds,
        ops: {},
        opsPerCluster: {},
        queued: 0,
        cpuSeconds: 1,
        verified: clusters,
      });
    const fast = figuresOf(b2(1000, 2))[0];
    expect(fast.verdict).toBe('met');
    expect(fast.measured).toContain('20.0 s projected for 10,000');
    expect(figuresOf(b2(1000, 10))[0].verdict).toBe('missed');
    expect(figuresOf(b2(10_000, 29))[0]).toMatchObject({ verdict: 'met', measured: '29.0 s (345 clusters/s)' });
  });

  it("B4 is met when every agent applied in time, and says so when the fleet is smaller than the goal's", () => {
    const b4 = (clusters: number, max: number, applied = clusters) =>
      saved('B4', {
        clusters,
        pollSeconds: 30,
        goalSeconds: 35,
        rounds: [
          { what: 'change', latency: { count: applied, p50: 15, p90: 30, p99: max, max, mean: 15 }, allAppliedSeconds: max, applied },
        ],
      });
    expect(figuresOf(b4(1000, 34))[0].verdict).toBe('met');
    expect(figuresOf(b4(1000, 36))[0].verdict).toBe('missed');
    expect(figuresOf(b4(1000, 20, 999))[0].verdict).toBe('missed');
    expect(figuresOf(b4(200, 20))[0].verdict).toBe('met below goal size');
    expect(figuresOf(b4(200, 36))[0].verdict).toBe('missed');
  });

  it('B10 is met when the p99 during the flood stays near the calm one with the limit, without errors', () => {
    const lat = (p99: number) => ({ count: 1000, p50: 4, p90: 8, p99, max: p99 * 2, mean: 5 });
    const run = (base: number, during: number, goodErrors: Record<string, number> = {}) => ({
      limit: { requestsPerSecond: 2, burst: 120, maxCredentials: 20_000 },
      baseline: lat(base),
      during: lat(during),
      goodErrors,
      flood: { requests: 8000, perSecond: 400, statuses: { '200': 160, '429': 7840 } },
      ops: { GetItem: 1500 },
      serverLatency: lat(1),
      hubCpuPercent: 30,
    });
    const b10 = (on: ReturnType<typeof run>) =>
      saved('B10', { agents: 100, pollSeconds: 2, baselineSeconds: 10, floodSeconds: 20, floodConcurrency: 32, off: run(30, 400), on });
    expect(figuresOf(b10(run(30, 40))).map((f) => f.verdict)).toEqual(['met', 'met']);
    expect(figuresOf(b10(run(30, 100)))[0].verdict).toBe('missed');
    expect(figuresOf(b10(run(30, 40, { '429': 1 })))[0].verdict).toBe('missed');
    expect(figuresOf(b10(run(30, 40)))[1].measured).toBe('8,000 requests (400/s): 160 x 200, 7,840 x 429');
  });
});

describe('renderReport', () => {
  it('lists every figure with its goal, verdict and command, and the machine of each run', () => {
    const md = renderReport([footprint(60 * 2 ** 20, 1, 2e6)], undefined, JSON.parse('{}'), '## Findings\n\nSomething we found.');
    expect(md).toContain('| B5 agent bundle | at most 5 MB | 2.00 MB | **met** | `npx tsx bench/run.ts --only B5` |');
    expect(md).toContain('- B5: Test CPU, 2 cores, 8 GiB; Linux test; Node v20.20.2; commit abc1234');
    expect(md).toContain('## Findings\n\nSomething we found.');
    expect(md).toContain('Not computed: run B1 first.');
  });
});

describe('tether sim worker processes', () => {
  it('keeps small fleets in process and gives large ones processes of their own', async () => {
    const { defaultWorkers } = await import('../../../cli/commands/sim.js');
    expect(defaultWorkers(1_000, true)).toBe(0);
    expect(defaultWorkers(1_001, true)).toBe(1);
    expect(defaultWorkers(10_000, false)).toBe(0);
    expect(defaultWorkers(20_001, false)).toBe(2);
    expect(defaultWorkers(50_000, true)).toBe(3);
  });
});
