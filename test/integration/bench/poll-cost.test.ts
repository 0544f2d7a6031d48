/**
 * Regression guard for the poll path's cost (issue 5, B1), run by `npm test`.
 *
 * It runs the same measurement as the B1 benchmark (bench/b1-poll-cost.ts): a local hub with one
 * cluster joined by the real agent through the real routes, DynamoDB commands counted by the SDK
 * middleware on the hub's own client, time moved by the hub's injected clock. It asserts only
 * counts, never timings, so it does not depend on the speed of the machine.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { measurePollCost, type PollCostResult } from '../../../bench/b1-poll-cost.js';
import { startBenchHub, type BenchHub } from '../../../bench/hub.js';
import { heartbeatsPerPoll } from '../../../bench/cost-model.js';
import { MEAN_POLL_FRACTION } from '../../../agent/backoff.js';
import { parseImportManifest } from '../../../shared/agent-manifest.js';
import { DesiredStateSchema, HEARTBEAT_AGE_HEADER } from '../../../shared/protocol/v1.js';
import { syncDigest, syncObjectHash } from '../../../shared/protocol/sync.js';

let bench: BenchHub;
let result: PollCostResult;

beforeAll(async () => {
  bench = await startBenchHub({ backend: 'dynalite' });
  result = await measurePollCost(bench, { flushSizes: [1, 50], sweepClusters: 40, reports: 2 });
}, 90_000);

afterAll(async () => {
  await bench?.close();
}, 30_000);

describe('idle poll', () => {
  it('is exactly one eventually consistent GetItem (0.5 read units), no write, answered 304', () => {
    // The process's first heartbeat starts its flush interval: nothing is written yet.
    expect(result.idlePoll.ops).toEqual({ GetItem: 1 });
    expect(result.idlePoll.capacity).toEqual({ GetItem: 0.5 });
    expect(result.idlePoll.writes).toBe(0);
    expect(result.idlePoll.requests).toEqual({ 'desired 304': 1 });
    expect(result.idlePoll.queued).toBe(0);
  });

  it('reads a head item under 1 KB', () => {
    expect(result.headItemBytes).toBeGreaterThan(0);
    expect(result.headItemBytes).toBeLessThan(1024);
  });
});

describe('status reports', () => {
  it('a changed claim writes the record once and queues four steps (placement; governance: templates may read claims; resource sync: features are claims; inventory: ClusterProfiles show claims), run to the end', () => {
    const r = result.statusReport;
    expect(r.requests).toEqual({ 'status 204': 1 });
    expect(r.ops.PutItem).toBe(1);
    expect(r.queued).toBe(4);
  });

  it('a health change is counted through the same route, with its step', () => {
    const r = result.healthReport;
    expect(r.ops.PutItem).toBe(1);
    // Availability follows health: placements select on it, and ClusterProfiles show it (inventory).
    expect(r.queued).toBe(2);
  });
});

describe('lease and heartbeats', () => {
  it('polls of a live cluster over a whole lease period never write its head', () => {
    const w = result.leaseWindow;
    expect(w.polls).toBeGreaterThan(5);
    expect(w.ops.GetItem).toBe(w.polls);
    expect(w.ops.UpdateItem).toBeUndefined();
    // Only heartbeat batches: at most one per flush interval of the period (plus the one in progress).
    expect(w.ops.PutItem ?? 0).toBeLessThanOrEqual(Math.ceil(w.leaseDurationSeconds / result.heartbeatWindow.flushIntervalSeconds) + 1);
    expect(w.writes).toBe(w.ops.PutItem ?? 0);
    expect(w.requests).toEqual({ 'desired 304': w.polls });
    expect(w.queued).toBe(0);
  });

  it('the heartbeat log writes one small batch per flush interval, however many polls', () => {
    const h = result.heartbeatWindow;
    expect(h.polls).toBe(3 * h.flushIntervalSeconds);
    // The first poll a flush interval after the last flush writes, then one per interval: over a
    // span of a little more than 29 s, 3 batches (4 only if real time stretched it past 30 s).
    const allowed = 1 + Math.floor(h.spanSeconds / h.flushIntervalSeconds);
    expect(h.ops.GetItem).toBe(h.polls);
    expect(Object.keys(h.ops).sort()).toEqual(['GetItem', 'PutItem']);
    expect(h.ops.PutItem).toBeGreaterThanOrEqual(3);
    expect(h.ops.PutItem).toBeLessThanOrEqual(allowed);
    expect(h.capacity.PutItem).toBe(h.ops.PutItem);
    expect(h.queued).toBe(0);
  });

  it('the real agent, polling at the mean spacing of a 30 s interval, has every other poll recorded as a heartbeat', () => {
    const t = result.heartbeatThinning;
    expect(t).toMatchObject({ polls: 20, spacingSeconds: 29.4, leaseDurationSeconds: 60 });
    expect(t.recorded).toBe(10);
    // The cost model's rule gives the same share.
    expect(heartbeatsPerPoll(30, t.leaseDurationSeconds, MEAN_POLL_FRACTION)).toBe(t.recorded / t.polls);
  });

  it('the transition to live (after the sweep dropped the lease) is one UpdateItem and announces itself', () => {
    // The poll's GetItem and conditional UpdateItem of the head; the rest is the availability step.
    expect(result.renewingPoll.ops.UpdateItem).toBe(1);
    expect(result.renewingPoll.requests).toEqual({ 'desired 304': 1 });
    expect(result.renewingPoll.queued).toBeGreaterThanOrEqual(1);
  });

  it('a flush of many heartbeats is one PutItem of a few write units', () => {
    const [one, many] = result.heartbeatFlushes;
    expect(one).toMatchObject({ entries: 2, ops: { PutItem: 1 }, items: 1 });
    expect(many).toMatchObject({ entries: 51, ops: { PutItem: 1 }, items: 1 });
    // ~20 bytes per heartbeat: 50 more heartbeats add about a kilobyte, not 50 write units.
    const perHeartbeat = (many.bytes - one.bytes) / (many.entries - one.entries);
    expect(perHeartbeat).toBeGreaterThan(10);
    expect(perHeartbeat).toBeLessThan(25);
    // dynalite reports capacity of the base item (no index here): whole kilobytes.
    expect(many.writeUnits).toBe(Math.ceil(many.bytes / 1024));
  });

  it('the sweep reads in proportion to the live clusters, with a fixed number of Queries', () => {
    const s = result.sweep;
    expect(s.liveClusters).toBe(41);
    // 16 shards of the live set, then the heartbeat log's minute partitions of the 190 s window
    // (4 or 5, by where the window falls in the minute), whatever the number of live clusters; and
    // the tick's other tasks, the rollouts' list of moving deployments (1 Query), the inventory's
    // list of exports due for a refresh (1 Query) and the core's sweep of interrupted admin writes
    // (1 Query of the pending-change partition, lambdas/core/pending-changes.ts).
    for (const queries of [s.baseOps.Query, s.ops.Query]) {
      expect(queries).toBeGreaterThanOrEqual(16 + 4 + 3);
      expect(queries).toBeLessThanOrEqual(16 + 5 + 3);
    }
    expect(Object.keys(s.ops)).toEqual(['Query']);
    expect(s.readUnitsPerLiveCluster).toBeGreaterThan(0);
    // A head (< 1 KB, eventually consistent) and a few heartbeats: under half a read unit each,
    // even with 41 clusters, where each shard's Query rounds up to a whole 4 KB.
    expect(s.readUnitsPerLiveCluster).toBeLessThan(0.5);
  });

  it('a scheduler tick with nothing expired only queries', () => {
    expect(Object.keys(result.schedulerTick.ops)).toEqual(['Query']);
    expect(result.schedulerTick.writes).toBe(0);
    expect(result.schedulerTick.queued).toBe(0);
  });
});

describe('idle poll of a cluster with 30 policies (governance)', () => {
  const POLICIES = 30;
  let credential = '';
  let etag = '';

  const poll = (headers: Record<string, string> = {}) =>
    fetch(`${bench.url}/agent/v1/desired`, { headers: { authorization: `Bearer ${credential}`, ...headers } });

  beforeAll(async () => {
    const imported = await bench.admin('POST', '/v1/clusters/gov-30/import', { autoAccept: true, labels: { gov: 'thirty' } });
    expect(imported.status).toBe(200);
    const joined = await fetch(`${bench.url}/agent/v1/join`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${parseImportManifest(imported.body.manifest).bootstrapToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ cluster: 'gov-30', agentVersion: '0.1.0', claims: [{ name: 'id.k8s.io', value: 'uid-gov-30' }] }),
    });
    expect(joined.status).toBe(200);
    credential = ((await joined.json()) as { credential: string }).credential;
    // The first poll takes the lease, so that the cluster is live and the placement may choose it.
    expect((await poll()).status).toBe(200);
    await bench.hub.settle();
    const placement = { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { gov: 'thirty' } } } }] };
    expect(
      (
        await bench.admin('POST', '/v1/placements', {
          apiVersion: 'tether.dev/v1alpha1',
          kind: 'Placement',
          metadata: { name: 'gov' },
          spec: placement,
        })
      ).status,
    ).toBe(201);
    for (let i = 0; i < POLICIES; i++) {
      const objectTemplates = Array.from({ length: 10 }, (_, j) => ({
        complianceType: 'musthave',
        objectDefinition: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `cm-${j}`, namespace: 'retail' },
          data: { owner: '{{ .cluster.name }}' },
        },
      }));
      const res = await bench.admin('POST', '/v1/policies', {
        apiVersion: 'tether.dev/v1alpha1',
        kind: 'Policy',
        metadata: { name: `p-${String(i).padStart(2, '0')}` },
        spec: { placementRef: { name: 'gov' }, policyTemplates: [{ objectTemplates }] },
      });
      expect(res.status).toBe(201);
    }
    await bench.hub.settle();
    const full = await poll();
    expect(full.status).toBe(200);
    etag = full.headers.get('etag') as string;
    const state = DesiredStateSchema.parse(await full.json());
    expect(state.policies).toHaveLength(POLICIES);
    expect(state.policies[0].templates[0].objectTemplates[0].objectDefinition).toMatchObject({ data: { owner: 'gov-30' } });
    await bench.hub.settle();
  }, 90_000);

  it('is still exactly one eventually consistent GetItem and no write, answered 304', async () => {
    bench.ops.reset();
    bench.queue.reset();
    // An agent that had a heartbeat recorded a moment ago: the poll records none.
    const res = await poll({ 'if-none-match': etag, [HEARTBEAT_AGE_HEADER]: '1' });
    expect(res.status).toBe(304);
    const snap = bench.ops.snapshot();
    expect(snap.counts).toEqual({ GetItem: 1 });
    expect(snap.capacity).toEqual({ GetItem: 0.5 });
    expect(bench.queue.messages).toBe(0);
  });
});

describe('idle poll of a sync source with 100 matching, unchanged objects (resource sync)', () => {
  const OBJECTS = 100;
  let credential = '';
  let etag = '';
  const objects = Array.from({ length: OBJECTS }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `settings-${String(i).padStart(3, '0')}`, namespace: 'apps', resourceVersion: String(100 + i) },
    data: { value: String(i) },
  }));
  const inventory = objects.map((o) => ({ namespace: 'apps', name: o.metadata.name, hash: syncObjectHash(o, false) }));

  const poll = (headers: Record<string, string> = {}) =>
    fetch(`${bench.url}/agent/v1/desired`, { headers: { authorization: `Bearer ${credential}`, ...headers } });

  beforeAll(async () => {
    const imported = await bench.admin('POST', '/v1/clusters/sync-src/import', { autoAccept: true, labels: { sync: 'source' } });
    expect(imported.status).toBe(200);
    const joined = await fetch(`${bench.url}/agent/v1/join`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${parseImportManifest(imported.body.manifest).bootstrapToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ cluster: 'sync-src', agentVersion: '0.1.0', claims: [{ name: 'id.k8s.io', value: 'uid-sync-src' }] }),
    });
    expect(joined.status).toBe(200);
    credential = ((await joined.json()) as { credential: string }).credential;
    expect((await poll()).status).toBe(200);
    const rule = await bench.admin('POST', '/v1/syncrules', {
      apiVersion: 'tether.dev/v1alpha1',
      kind: 'SyncRule',
      metadata: { name: 'settings' },
      spec: {
        resource: { version: 'v1', kind: 'ConfigMap' },
        rules: [{ match: [{ namespaces: ['apps'] }] }],
        sources: { clusterSelector: { matchLabels: { sync: 'source' } } },
      },
    });
    expect(rule.status).toBe(201);
    await bench.hub.settle();
    // The source reports its objects (inventory and all objects, in batches of 100).
    const report = await fetch(`${bench.url}/agent/v1/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        rule: 'settings',
        uid: rule.body.metadata.uid,
        generation: rule.body.metadata.generation,
        state: 'Ok',
        inventory,
        objects: objects.map((o, i) => ({ resourceVersion: o.metadata.resourceVersion, hash: inventory[i].hash, object: o })),
      }),
    });
    expect(report.status).toBe(200);
    expect(((await report.json()) as { need: unknown[] }).need).toEqual([]);
    await bench.hub.settle();
    const full = await poll();
    expect(full.status).toBe(200);
    etag = full.headers.get('etag') as string;
    const state = DesiredStateSchema.parse(await full.json());
    // The hub's digest equals the one the agent computes over its unchanged objects: the agent sends nothing.
    expect(state.sync.sources).toEqual([expect.objectContaining({ rule: 'settings', digest: syncDigest(inventory) })]);
    await bench.hub.settle();
  }, 90_000);

  it('is still exactly one eventually consistent GetItem and no write, answered 304', async () => {
    bench.ops.reset();
    bench.queue.reset();
    const res = await poll({ 'if-none-match': etag, [HEARTBEAT_AGE_HEADER]: '1' });
    expect(res.status).toBe(304);
    const snap = bench.ops.snapshot();
    expect(snap.counts).toEqual({ GetItem: 1 });
    expect(snap.capacity).toEqual({ GetItem: 0.5 });
    expect(bench.queue.messages).toBe(0);
  });
});
