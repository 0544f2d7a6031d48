import { CREDENTIAL_SECRET, DESIRED_STATE_SECRET } from '../../../agent/state-store.js';
import type { KubeObject } from '../../../agent/kube/types.js';
import { configMap, deployment, namespace, rig, until, work, type Rig } from './support/harness.js';

const web = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' };

describe('Agent: status, drift, rotation, detach and upgrade', () => {
  let r: Rig;
  afterEach(async () => {
    await r?.close();
  });

  test('reports status only when it changed', async () => {
    r = await rig();
    r.hub.setWorks([work('web', [namespace('shop'), deployment('web', 'shop')])]);
    await r.agent.runOnce();
    await r.agent.runOnce();
    await r.agent.runOnce();
    expect(r.hub.reports).toHaveLength(1);
    const [first] = r.hub.reports;
    expect(first.observedRevision).toBe(r.hub.desired.revision);
    expect(first.healthy).toBe(true);
    expect(first.works?.[0]).toMatchObject({ name: 'web', observedGeneration: 1 });
    expect(first.works?.[0].conditions.map((c) => [c.type, c.status])).toEqual([
      ['Applied', 'True'],
      ['Available', 'True'],
      ['Degraded', 'False'],
    ]);

    r.hub.setWorks([work('web', [namespace('shop'), deployment('web', 'shop', { replicas: 4 })], { generation: 2 })]);
    await r.agent.runOnce();
    expect(r.hub.reports).toHaveLength(2);
    expect(r.hub.reports[1].works?.[0].observedGeneration).toBe(2);
    // Condition times do not move when the status stays the same.
    const applied = (n: number) => r.hub.reports[n].works![0].conditions.find((c) => c.type === 'Applied')!.lastTransitionTime;
    expect(applied(1)).toBe(applied(0));
  });

  test('reports drift events to the hub once, with the correction', async () => {
    r = await rig();
    r.hub.setWorks([work('cfg', [configMap('settings', 'default', { mode: 'fast' })])]);
    await r.agent.runOnce();
    r.cluster.remove({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'settings' });
    await r.agent.runOnce();
    await r.agent.runOnce();
    const withDrift = r.hub.reports.filter((x) => x.driftEvents?.length);
    expect(withDrift).toHaveLength(1);
    expect(withDrift[0].driftEvents).toEqual([
      {
        work: 'cfg',
        kind: 'ConfigMap',
        namespace: 'default',
        name: 'settings',
        change: 'Deleted',
        fields: [],
        corrected: true,
        time: new Date(r.clock.now()).toISOString(),
      },
    ]);
    expect(r.agent.metrics.driftEvents).toBe(1);
    expect(await r.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'settings' })).toBeDefined();
  });

  test('resyncs on 304 to find drift, at the resync interval', async () => {
    r = await rig({ resyncIntervalMs: 120_000 });
    r.hub.setWorks([work('cfg', [configMap('settings', 'default', { mode: 'fast' })])]);
    // Right after the first pass (at 0 s), someone deletes the ConfigMap.
    r.clock.onSleep = (n) => {
      if (n === 1) r.cluster.remove({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'settings' });
    };
    const run = r.agent.start();
    await until(() => r.hub.reports.some((x) => x.driftEvents?.length));
    await r.agent.stop();
    await run;
    // After the start's random phase (15 s with random=0.5), polls every 29.4 s (30 s jittered with
    // random=0.5) answer 304; the resync comes with the first poll at or after 120 s: 132.6 s.
    const drifted = r.hub.reports.find((x) => x.driftEvents?.length)!;
    expect(Date.parse(drifted.driftEvents![0].time) - Date.parse('2026-11-02T10:00:00Z')).toBe(132_600);
    expect(r.agent.metrics.polls.not_modified).toBeGreaterThanOrEqual(4);
  });

  test('rotates its credential when the hub asks, and stores the new one', async () => {
    r = await rig();
    await r.agent.runOnce();
    const before = [...r.hub.credentials][0];
    r.hub.setDesired({ rotateCredential: true });
    await r.agent.runOnce();
    expect(r.hub.count('/agent/v1/rotate')).toBe(1);
    const secret = await r.cluster.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'tether-agent', name: CREDENTIAL_SECRET });
    const stored = Buffer.from((secret!.data as Record<string, string>).credential, 'base64').toString('utf8');
    expect(stored).not.toBe(before);
    expect(r.hub.credentials.has(stored)).toBe(true);
    await r.agent.runOnce();
    await r.agent.runOnce();
    const last = r.hub.requests.filter((q) => q.path === '/agent/v1/desired').at(-1)!;
    expect(last.authorization).toBe(`Bearer ${stored}`);
    // The cached state still says rotateCredential, but 304s do not rotate again.
    expect(r.agent.metrics.polls.not_modified).toBe(2);
    expect(r.hub.count('/agent/v1/rotate')).toBe(1);
  });

  test('detach removes everything it applied, acknowledges, removes itself and stops', async () => {
    r = await rig();
    // A bystander the agent did not create survives.
    await r.cluster.apply(configMap('bystander', 'default', { a: '1' }) as KubeObject, { fieldManager: 'kubectl', force: false });
    r.hub.setWorks([
      work('web', [namespace('shop'), deployment('web', 'shop'), configMap('cfg', 'shop', { a: '1' })]),
      work('kept', [configMap('kept', 'default', { a: '1' })], { deleteOption: { propagationPolicy: 'Orphan' } }),
    ]);
    await r.agent.runOnce();
    r.hub.setDesired({ detach: true });
    const exit = await r.agent.start();
    expect(exit).toBe('detached');
    const ack = r.hub.reports.at(-1)!;
    expect(ack).toMatchObject({ detached: true, works: [] });
    expect(await r.cluster.get(web)).toBeUndefined();
    expect(await r.cluster.get({ apiVersion: 'v1', kind: 'Namespace', name: 'shop' })).toBeUndefined();
    expect(await r.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'kept' })).toBeDefined();
    expect(await r.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'bystander' })).toBeDefined();
    // Its own objects are gone: credential, desired state, inventories, namespace.
    expect(await r.cluster.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'tether-agent', name: CREDENTIAL_SECRET })).toBeUndefined();
    expect(
      await r.cluster.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'tether-agent', name: DESIRED_STATE_SECRET }),
    ).toBeUndefined();
    expect(await r.cluster.get({ apiVersion: 'v1', kind: 'Namespace', name: 'tether-agent' })).toBeUndefined();
    expect(r.agent.phase).toBe('detached');
  });

  test('upgrades itself: applies its Deployment with the new version, and a simulated agent reports it', async () => {
    r = await rig({ simulate: true });
    await r.agent.runOnce();
    r.hub.setDesired({ agent: { version: '0.2.0', image: 'ghcr.io/tether-dev/tether-agent' } });
    await r.agent.runOnce();
    const deploy = await r.cluster.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'tether-agent', name: 'tether-agent' });
    const container = ((deploy!.spec as any).template.spec.containers as { image: string; args: string[] }[])[0];
    expect(container.image).toBe('ghcr.io/tether-dev/tether-agent:0.2.0');
    expect(container.args).toEqual(['agent', '--in-cluster']);
    expect(r.agent.version).toBe('0.2.0');
    expect(r.hub.reports.at(-1)!.agentVersion).toBe('0.2.0');
    const rv = deploy!.metadata.resourceVersion;
    await r.agent.runOnce();
    expect(
      (await r.cluster.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'tether-agent', name: 'tether-agent' }))!.metadata
        .resourceVersion,
    ).toBe(rv);
  });

  test('an in-cluster agent applies the upgrade once and keeps reporting its own version until replaced', async () => {
    r = await rig();
    await r.agent.runOnce();
    r.hub.setDesired({ agent: { version: '0.3.0', image: 'registry.example.com/tether-agent:0.1.0' } });
    await r.agent.runOnce();
    await r.agent.runOnce();
    const deploy = await r.cluster.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'tether-agent', name: 'tether-agent' });
    expect(((deploy!.spec as any).template.spec.containers as { image: string }[])[0].image).toBe(
      'registry.example.com/tether-agent:0.3.0',
    );
    expect(r.agent.version).toBe('0.1.0');
    expect(r.logs.messages().filter((m) => m === 'self-upgrade applied')).toHaveLength(1);
  });
});
