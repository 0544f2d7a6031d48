import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent } from '../../agent/agent.js';
import { systemClock, type AgentClock } from '../../agent/clock.js';
import { silentLog } from '../../agent/log.js';
import { MemoryCluster } from '../../agent/kube/memory-cluster.js';
import { parseImportManifest } from '../../shared/agent-manifest.js';
import type { Log } from '../../lambdas/ports/log.js';
import { TestClock } from '../integration/lifecycle/support.js';
import { startTestHub, type TestHub } from '../support/local-hub.js';

/**
 * Resource sync end to end: the local hub (dynalite, the SQS emulator, the real handlers), four
 * clusters with the real agent code on in-memory clusters. A Secret goes from one source to the
 * other clusters (never in clear in the hub's list answers or logs); opt-out by annotation and by
 * label; sources chosen by feature; conflictPolicy Abort then Overwrite; Propagate and Orphan when
 * the source object goes; two rules that would copy back and forth between two clusters settle;
 * a silent source turns Unknown and its copies stay.
 */

const API = 'tether.dev/v1alpha1';
const CLUSTERS: Record<string, Record<string, string>> = {
  vault: { role: 'source', region: 'eu' },
  'shop-a': { region: 'eu' },
  'shop-b': { region: 'us' },
  'shop-c': { region: 'us' },
};
const PASSWORD = Buffer.from('correct horse battery staple').toString('base64');
const hubClock = new TestClock();
const agentClock = new (class implements AgentClock {
  offsetMs = 0;
  now = () => Date.now() + this.offsetMs;
  sleep = (ms: number, signal?: AbortSignal) => systemClock.sleep(ms, signal);
})();
const logged: string[] = [];
const captureLog: Log = {
  debug: (m, f) => void logged.push(JSON.stringify([m, f])),
  info: (m, f) => void logged.push(JSON.stringify([m, f])),
  warn: (m, f) => void logged.push(JSON.stringify([m, f])),
  error: (m, f) => void logged.push(JSON.stringify([m, f])),
};
let hub: TestHub;
const spokes = new Map<string, MemoryCluster>();
const agents = new Map<string, { agent: Agent; exit: Promise<unknown> }>();

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const v = await probe().catch((err: unknown) => {
      last = err;
      return undefined;
    });
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function status(rule: string): Promise<any> {
  await hub.settle();
  return (await hub.api(`/v1/syncrules/${rule}`)).body.status ?? {};
}

async function applyRule(name: string, spec: Record<string, unknown>): Promise<void> {
  let res = await hub.api('/v1/syncrules', { body: { apiVersion: API, kind: 'SyncRule', metadata: { name }, spec } });
  if (res.status === 409) {
    res = await hub.api(`/v1/syncrules/${name}`, { method: 'PATCH', body: { spec }, contentType: 'application/merge-patch+json' });
  }
  expect([200, 201]).toContain(res.status);
  await hub.settle();
}

const get = (cluster: string, kind: string, namespace: string, name: string) =>
  spokes.get(cluster)!.get({ apiVersion: 'v1', kind, namespace, name }) as Promise<any>;

async function put(cluster: string, obj: Record<string, unknown>, manager = 'kubectl'): Promise<void> {
  await spokes.get(cluster)!.apply(obj as never, { fieldManager: manager, force: true });
}

const secret = (name: string, data: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'apps', ...extra },
  type: 'Opaque',
  data,
});

beforeAll(async () => {
  hub = await startTestHub({ config: { pollIntervalSeconds: 1 }, schedulerIntervalMs: 1000, log: captureLog });
  hub.ctx.ports.clock = hubClock;
  for (const [name, labels] of Object.entries(CLUSTERS)) {
    const imported = await hub.api(`/v1/clusters/${name}/import`, { body: { labels, ttlSeconds: 3600 } });
    expect(imported.status).toBe(200);
    expect((await hub.api(`/v1/clusters/${name}/accept`, { method: 'POST' })).status).toBe(200);
    const spoke = new MemoryCluster({ name });
    await spoke.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } } as never, {
      fieldManager: 'kubectl',
      force: true,
    });
    spokes.set(name, spoke);
    const agent = new Agent({
      ...parseImportManifest(imported.body.manifest),
      api: spoke,
      namespace: 'tether-agent',
      version: '0.1.0',
      log: silentLog(),
      clock: agentClock,
      initialPollIntervalMs: 200,
      simulate: true,
      syncSourceResyncMs: 500,
      syncDestinationRecheckMs: 2000,
    });
    agents.set(name, { agent, exit: agent.start() });
  }
  await until('every cluster to be Available', async () => {
    await hub.settle();
    const list = (await hub.api('/v1/clusters')).body.items;
    return list.filter((c: any) => c.status?.conditions?.some((x: any) => x.type === 'Available' && x.status === 'True')).length === 4;
  });
}, 120_000);

afterAll(async () => {
  for (const { agent } of agents.values()) await agent.stop();
  await hub?.stop();
}, 60_000);

describe('resource sync end to end', () => {
  it('copies a Secret from one source to every other cluster, stamped, and never shows its data', async () => {
    await put('vault', secret('db', { password: PASSWORD }));
    // shop-c holds an object of the same name that must never be written (opt-out annotation).
    await put('shop-c', secret('db', { password: 'bG9jYWw=' }, { annotations: { 'sync.tether.dev/disabled': 'true' } }));
    await applyRule('db-creds', {
      resource: { version: 'v1', kind: 'Secret' },
      rules: [{ match: [{ namespaces: ['apps'] }], mutations: { labels: { add: { 'synced-by': 'tether' } } } }],
      sources: { clusterSelector: { matchLabels: { role: 'source' } } },
    });
    const s = await until('the copies', async () => {
      const st = await status('db-creds');
      // Synced with the object itself (a destination that got the rule before the source's report is Synced with 0 objects).
      const copied = ['shop-a', 'shop-b'].every((c) => st.destinations?.find((d: any) => d.cluster === c)?.synced === 1);
      return st.summary?.synced === 3 && st.summary?.destinations === 4 && copied && st;
    });
    const vaultUid = ((await spokes.get('vault')!.get({ apiVersion: 'v1', kind: 'Namespace', name: 'kube-system' })) as any).metadata.uid;
    for (const shop of ['shop-a', 'shop-b']) {
      const copy = await get(shop, 'Secret', 'apps', 'db');
      expect(copy.data).toEqual({ password: PASSWORD });
      expect(copy.metadata.labels).toEqual({ 'synced-by': 'tether' });
      expect(copy.metadata.annotations).toMatchObject({
        'sync.tether.dev/origin-cluster': vaultUid,
        'sync.tether.dev/rule': 'db-creds',
        'sync.tether.dev/source-resource-version': expect.any(String),
      });
      expect(copy.metadata.managedFields.map((f: any) => f.manager)).toContain('tether-sync');
    }
    expect((await get('shop-c', 'Secret', 'apps', 'db')).data).toEqual({ password: 'bG9jYWw=' });
    expect(s.destinations.find((d: any) => d.cluster === 'shop-c').state).toBe('OptedOut');
    expect(s.sources).toEqual([expect.objectContaining({ cluster: 'vault', state: 'Ok', objects: 1 })]);

    // Neither the hub's answers nor its logs show the value.
    const list = await hub.api('/v1/syncrules');
    const one = await hub.api('/v1/syncrules/db-creds');
    for (const text of [list.text, one.text, logged.join('\n')]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain('correct horse');
    }
  }, 120_000);

  it('keeps a rule off a cluster labelled sync.tether.dev/disabled, and shows it OptedOut', async () => {
    const res = await hub.api('/v1/clusters/shop-b', {
      method: 'PATCH',
      body: { metadata: { labels: { 'sync.tether.dev/disabled': 'db-creds' } } },
      contentType: 'application/merge-patch+json',
    });
    expect(res.status).toBe(200);
    await until('shop-b opted out and its copy gone (Propagate)', async () => {
      const st = await status('db-creds');
      return (
        st.destinations?.find((d: any) => d.cluster === 'shop-b')?.state === 'OptedOut' && !(await get('shop-b', 'Secret', 'apps', 'db'))
      );
    });
  }, 60_000);

  it('Abort leaves an object sync did not create; Overwrite takes it over', async () => {
    await put('vault', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'apps' },
      data: { colour: 'blue' },
    });
    await put('shop-a', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'apps' },
      data: { colour: 'red' },
    });
    const spec = {
      resource: { version: 'v1', kind: 'ConfigMap' },
      rules: [{ match: [{ objectKey: { name: 'settings', namespace: 'apps' } }] }],
      sources: { clusterSelector: { matchLabels: { role: 'source' } } },
    };
    await applyRule('settings', spec);
    await until(
      'shop-a in Conflict',
      async () => (await status('settings')).destinations?.find((d: any) => d.cluster === 'shop-a')?.state === 'Conflict',
    );
    expect((await get('shop-a', 'ConfigMap', 'apps', 'settings')).data).toEqual({ colour: 'red' });
    await applyRule('settings', { ...spec, conflictPolicy: 'Overwrite' });
    await until('shop-a overwritten', async () => (await get('shop-a', 'ConfigMap', 'apps', 'settings'))?.data?.colour === 'blue');
  }, 60_000);

  it('Propagate deletes the copies when the source object goes; Orphan keeps them', async () => {
    await spokes.get('vault')!.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps', name: 'settings' });
    await until(
      'the settings copies deleted',
      async () => !(await get('shop-b', 'ConfigMap', 'apps', 'settings')) && !(await get('shop-c', 'ConfigMap', 'apps', 'settings')),
    );

    // (A ConfigMap no other rule matches: db-creds, with Propagate, takes every Secret in apps.)
    await put('vault', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'flags', namespace: 'apps' }, data: { beta: 'on' } });
    await applyRule('orphans', {
      resource: { version: 'v1', kind: 'ConfigMap' },
      rules: [{ match: [{ objectKey: { name: 'flags' } }] }],
      sources: { clusterSelector: { matchLabels: { role: 'source' } } },
      deletePolicy: 'Orphan',
    });
    await until('the flags copy', async () => Boolean(await get('shop-a', 'ConfigMap', 'apps', 'flags')));
    await spokes.get('vault')!.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps', name: 'flags' });
    await until('the hub to drop the object', async () => (await status('orphans')).summary?.objects === 0);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await get('shop-a', 'ConfigMap', 'apps', 'flags'))?.data).toEqual({ beta: 'on' });
  }, 60_000);

  it('syncs only from clusters with a feature (a hub feature label)', async () => {
    await put('shop-b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ca-bundle', namespace: 'apps' }, data: { ca: 'pem' } });
    await applyRule('ca', {
      resource: { version: 'v1', kind: 'ConfigMap' },
      rules: [{ match: [{ objectKey: { name: 'ca-bundle' } }] }],
      sources: { clusterFeatureMatch: [{ featureName: 'pki' }] },
    });
    expect((await status('ca')).summary?.sources ?? 0).toBe(0);
    const res = await hub.api('/v1/clusters/shop-b', {
      method: 'PATCH',
      body: { metadata: { labels: { 'feature.tether.dev/pki': 'true' } } },
      contentType: 'application/merge-patch+json',
    });
    expect(res.status).toBe(200);
    await until(
      'the ca-bundle copies',
      async () =>
        Boolean(await get('shop-a', 'ConfigMap', 'apps', 'ca-bundle')) && Boolean(await get('vault', 'ConfigMap', 'apps', 'ca-bundle')),
    );
    expect((await status('ca')).sources).toEqual([expect.objectContaining({ cluster: 'shop-b', state: 'Ok' })]);
  }, 60_000);

  it('two rules that would copy back and forth between two clusters settle', async () => {
    await put('shop-a', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'from-a', namespace: 'apps', labels: { mesh: 'yes' } },
      data: { v: 'a' },
    });
    await put('shop-c', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'from-c', namespace: 'apps', labels: { mesh: 'yes' } },
      data: { v: 'c' },
    });
    const rule = (region: string) => ({
      resource: { version: 'v1', kind: 'ConfigMap' },
      rules: [{ match: [{ labels: [{ matchLabels: { mesh: 'yes' } }] }] }],
      sources: { clusterSelector: { matchLabels: { region } } },
    });
    await applyRule('mesh-eu', rule('eu'));
    await applyRule('mesh-us', rule('us'));
    await until(
      'both copies',
      async () =>
        Boolean(await get('shop-c', 'ConfigMap', 'apps', 'from-a')) && Boolean(await get('shop-a', 'ConfigMap', 'apps', 'from-c')),
    );
    const revisions = async () =>
      Promise.all(Object.keys(CLUSTERS).map(async (c) => (await hub.ctx.ports.heads.get(c, { consistent: true }))!.desiredRevision));
    const objects = async () => [(await status('mesh-eu')).summary?.objects, (await status('mesh-us')).summary?.objects];
    // What the hub stores from each source's reports: a report that changed anything rewrites it.
    const stored = async () =>
      Promise.all(
        ['mesh-eu', 'mesh-us'].map(async (rule) =>
          (await hub.ctx.ports.resources.list('SyncSourceState', { namespace: rule, limit: 10, consistent: true })).items.map(
            (i) => `${i.metadata.name}@${i.metadata.resourceVersion}`,
          ),
        ),
      );
    await new Promise((r) => setTimeout(r, 2000));
    const before = [await revisions(), await objects(), await stored()];
    await new Promise((r) => setTimeout(r, 4000));
    // Many polls and resyncs later: no report changed anything, no revision moved, no write.
    expect([await revisions(), await objects(), await stored()]).toEqual(before);
    // A copy is never reported back: each rule holds its own sources' objects only (shop-a's copy of from-c is not a source object of mesh-eu).
    expect(before[1]).toEqual([1, 1]);
  }, 60_000);

  it('a silent source turns Unknown and its copies stay', async () => {
    await agents.get('vault')!.agent.stop();
    hubClock.advance(3 * 60 + hub.ctx.ports.heartbeats.lagMs / 1000 + 1);
    await until('vault Unknown', async () => {
      await hub.tick();
      return (await status('db-creds')).sources?.[0]?.state === 'Unknown';
    });
    expect((await get('shop-a', 'Secret', 'apps', 'db')).data).toEqual({ password: PASSWORD });
  }, 60_000);
});
