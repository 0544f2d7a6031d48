import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent } from '../../agent/agent.js';
import { KubeForbiddenError } from '../../agent/kube/errors.js';
import { MemoryCluster } from '../../agent/kube/memory-cluster.js';
import { silentLog as agentSilentLog } from '../../agent/log.js';
import { parseImportManifest } from '../../shared/agent-manifest.js';
import { startTestHub, type TestHub } from '../support/local-hub.js';

/**
 * Rollouts end to end: 60 stores, each the real agent on its own in-memory cluster, polling the
 * local hub every second. A canary-first progressive rollout; a cluster whose applies fail pauses
 * the next one at maxFailures; resume; completion; rollback, which also prunes the manifest the
 * rolled-back revision added; a drift event reported and corrected; and a maintenance window in
 * each store's zone (from a label) that holds half the fleet.
 */

const STORES = 60;
const api = 'tether.dev/v1alpha1';
let hub: TestHub;
const spokes = new Map<string, { cluster: MemoryCluster; agent: Agent; exit: Promise<unknown> }>();
const names = Array.from({ length: STORES }, (_, i) => `store-${String(i).padStart(2, '0')}`);
/** store-30's API server refuses ConfigMap "pos" while this is set. */
let store30Broken = false;

// Two fixed-offset zones six hours apart (label values cannot hold "/" or "+", hence "." and GMT-N).
const EAST_ZONE = 'Etc.GMT-6';
const WEST_ZONE = 'Etc.GMT-12';

beforeAll(async () => {
  hub = await startTestHub({ config: { pollIntervalSeconds: 1, fanOutBatchSize: 10 }, schedulerIntervalMs: 1000 });
  for (const [i, name] of names.entries()) {
    const labels = {
      fleet: 'retail',
      ring: i < 4 ? 'canary' : 'stable',
      region: i % 2 ? 'west' : 'east',
      'tether.dev/timezone': i % 2 ? WEST_ZONE : EAST_ZONE,
    };
    const imported = await hub.api(`/v1/clusters/${name}/import`, { body: { autoAccept: true, labels } });
    expect(imported.status).toBe(200);
    const conn = parseImportManifest(imported.body.manifest);
    const cluster = new MemoryCluster({ name, distribution: 'k3s' });
    if (name === 'store-30') {
      cluster.failNext(
        (c) => store30Broken && c.verb === 'apply' && c.kind === 'ConfigMap' && c.name === 'pos',
        () => new KubeForbiddenError('admission webhook "price-guard" denied the request'),
        1e9,
      );
    }
    const agent = new Agent({
      ...conn,
      api: cluster,
      namespace: 'tether-agent',
      version: '0.1.0',
      log: agentSilentLog(),
      initialPollIntervalMs: 500,
      simulate: true,
    });
    spokes.set(name, { cluster, agent, exit: agent.start() });
  }
  await until(
    'every store to join',
    async () => {
      const list = await hub.api('/v1/clusters?labelSelector=fleet%3Dretail');
      return (
        list.body.items.filter((c: any) => c.status?.conditions?.some((x: any) => x.type === 'Available' && x.status === 'True')).length ===
        STORES
      );
    },
    60_000,
  );
  const placement = await hub.api('/v1/placements', {
    body: {
      apiVersion: api,
      kind: 'Placement',
      metadata: { name: 'stores' },
      spec: {
        predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { fleet: 'retail' } } } }],
        decisionStrategy: {
          groupStrategy: {
            decisionGroups: [{ groupName: 'canary', groupClusterSelector: { labelSelector: { matchLabels: { ring: 'canary' } } } }],
            clustersPerDecisionGroup: 28,
          },
        },
      },
    },
  });
  expect(placement.status).toBe(201);
  await until(
    'the placement to decide',
    async () => (await hub.api('/v1/placements/stores')).body.status?.numberOfSelectedClusters === STORES,
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(
    [...spokes.values()].map(async (s) => {
      await s.agent.stop();
      s.cluster.close();
    }),
  );
  await hub?.stop();
}, 60_000);

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function status(name: string): Promise<any> {
  return (await hub.api(`/v1/fleetdeployments/${name}/status`)).body;
}

/** The data of ConfigMap `name` in namespace retail on a store, or undefined. */
async function configMapOn(store: string, name: string): Promise<Record<string, string> | undefined> {
  try {
    return ((await spokes.get(store)!.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'retail', name })) as any).data;
  } catch {
    return undefined;
  }
}

const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'retail' } };
// Drift is corrected by re-applying; `force` takes back fields someone else took over (server-side apply).
const manifestConfigs = [
  {
    resourceIdentifier: { resource: 'configmaps', namespace: 'retail', name: 'pos' },
    updateStrategy: { type: 'ServerSideApply', serverSideApply: { force: true } },
  },
];
const pos = (version: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'pos', namespace: 'retail' },
  data: { version, store: '{{ .cluster.name }}', region: '{{ .cluster.labels.region }}' },
});
const promo = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'promo', namespace: 'retail' }, data: { banner: 'autumn sale' } };

describe('rollouts across 60 simulated stores', () => {
  it('rolls out canary first, pauses on a failing store, resumes, completes, rolls back and prunes', async () => {
    const created = await hub.api('/v1/fleetdeployments', {
      body: {
        apiVersion: api,
        kind: 'FleetDeployment',
        metadata: { name: 'pos' },
        spec: {
          template: { workload: { manifests: [namespace, pos('v1')] }, manifestConfigs },
          placementRef: { name: 'stores' },
          rolloutStrategy: {
            type: 'ProgressivePerGroup',
            mandatoryDecisionGroups: [{ groupName: 'canary' }],
            maxFailures: 0,
            minSuccessTime: '1s',
          },
        },
      },
    });
    expect(created.status).toBe(201);
    // The canary group goes first: while it is in flight, nobody else has the work.
    const first = await until('the canary wave', async () => {
      const s = await status('pos');
      return s.groups?.[0]?.name === 'canary' && s.groups[0].state === 'Progressing' && s;
    });
    expect(first.groups.map((g: any) => [g.name, g.total])).toEqual([
      ['canary', 4],
      ['group-1', 28],
      ['group-2', 28],
    ]);
    expect((await hub.api('/v1/clusters/store-59/works/pos')).status).toBe(404);
    await until('v1 everywhere', async () => (await status('pos')).state === 'Complete');
    expect(await configMapOn('store-07', 'pos')).toEqual({ version: 'v1', store: 'store-07', region: 'west' });

    // v2 adds a manifest; store-30 (in group-2) now refuses the pos ConfigMap: the rollout pauses there.
    store30Broken = true;
    const v2 = await hub.api('/v1/fleetdeployments/pos', {
      method: 'PATCH',
      body: { spec: { template: { workload: { manifests: [namespace, pos('v2'), promo] }, manifestConfigs } } },
    });
    expect(v2.status).toBe(200);
    const paused = await until('the failure pause', async () => {
      const s = await status('pos');
      return s.state === 'Failed' && s;
    });
    expect(paused.pausedReason).toBe('MaxFailuresExceeded');
    expect(paused.clusters).toEqual([
      {
        cluster: 'store-30',
        reason: 'ApplyFailed',
        message: expect.stringContaining('admission webhook "price-guard" denied the request'),
      },
    ]);
    expect(paused.summary.failed).toBe(1);

    expect((await hub.api('/v1/fleetdeployments/pos/resume', { method: 'POST' })).status).toBe(200);
    // Done, with store-30 still failed: complete with failures, never a plain Complete.
    const done = await until('v2 complete (with failures) after resume', async () => {
      const s = await status('pos');
      return s.state === 'CompleteWithFailures' && s;
    });
    expect(done.summary).toMatchObject({ total: 60, updated: 60, available: 59, failed: 1 });
    expect(await configMapOn('store-41', 'promo')).toEqual({ banner: 'autumn sale' });

    // The store is repaired; then roll back to v1: promo is pruned everywhere, pos is v1 again.
    store30Broken = false;
    await until('store-30 to recover', async () => (await status('pos')).summary.failed === 0);
    const rolled = await hub.api('/v1/fleetdeployments/pos/rollback', { method: 'POST' });
    expect(rolled.status).toBe(200);
    await until(
      'the rollback to complete',
      async () => {
        const s = await status('pos');
        return s.revision === 3 && s.state === 'Complete' && s.summary.updated === STORES;
      },
      60_000,
    );
    const leftovers = [];
    for (const n of names) {
      if ((await configMapOn(n, 'promo')) !== undefined) leftovers.push(n);
      expect((await configMapOn(n, 'pos'))?.version).toBe('v1');
    }
    expect(leftovers).toEqual([]);
  }, 150_000);

  it('reports a drift event when someone edits an applied object, and corrects it', async () => {
    spokes.get('store-05')!.cluster.mutate({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'retail', name: 'pos' }, (o: any) => {
      o.data.version = 'hacked';
    });
    const work = await until('the drift event on the hub', async () => {
      const w = (await hub.api('/v1/clusters/store-05/works/pos')).body;
      return w.status?.driftEvents?.some((d: any) => d.name === 'pos' && d.change === 'Modified') && w;
    });
    expect(work.status.driftEvents.find((d: any) => d.name === 'pos')).toMatchObject({
      kind: 'ConfigMap',
      namespace: 'retail',
      corrected: true,
      fields: expect.arrayContaining(['data.version']),
    });
    expect((await configMapOn('store-05', 'pos'))?.version).toBe('v1');
  }, 60_000);

  it('holds the stores outside their local maintenance window as pending-window', async () => {
    // Opens at the top of the current hour in the east zone (UTC+6), for two hours; in the west
    // zone (UTC+12) the same local hour was six hours ago.
    const eastHour = (new Date().getUTCHours() + 6) % 24;
    const created = await hub.api('/v1/fleetdeployments', {
      body: {
        apiVersion: api,
        kind: 'FleetDeployment',
        metadata: { name: 'night' },
        spec: {
          template: {
            workload: {
              manifests: [
                namespace,
                { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'night', namespace: 'retail' }, data: { job: 'reindex' } },
              ],
            },
          },
          placementRef: { name: 'stores' },
          maintenanceWindows: [{ schedule: `0 ${eastHour} * * *`, duration: '2h', timeZoneLabel: 'tether.dev/timezone' }],
        },
      },
    });
    expect(created.status).toBe(201);
    const s = await until('the east half to update', async () => {
      const v = await status('night');
      return v.summary?.available === STORES / 2 && v;
    });
    expect(s).toMatchObject({ state: 'WaitingForWindow', summary: { total: 60, updated: 30, pendingWindow: 30, failed: 0 } });
    const held = [];
    for (const n of names) if ((await configMapOn(n, 'night')) === undefined) held.push(n);
    expect(held).toEqual(names.filter((_, i) => i % 2 === 1));
  }, 60_000);
});
