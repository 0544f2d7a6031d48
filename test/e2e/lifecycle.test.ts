import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent } from '../../agent/agent.js';
import { silentLog as agentSilentLog } from '../../agent/log.js';
import { MemoryCluster } from '../../agent/kube/memory-cluster.js';
import { parseImportManifest } from '../../shared/agent-manifest.js';
import { TestClock } from '../integration/lifecycle/support.js';
import { startTestHub, type TestHub } from '../support/local-hub.js';

/**
 * The whole life of a managed cluster on the local hub, with the real agent code on an in-memory
 * cluster: import, pending until accept, join, Available, silence -> Unknown (+ taint), back to
 * Available, upgrade, detach, and the record is gone.
 */
let hub: TestHub;
const clock = new TestClock();

beforeAll(async () => {
  hub = await startTestHub({ config: { pollIntervalSeconds: 1, upgradeDeadlineSeconds: 30 } });
  hub.ctx.ports.clock = clock;
}, 60_000);
afterAll(async () => {
  await hub?.stop();
});

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function condition(cluster: any, type: string): string | undefined {
  return cluster?.status?.conditions?.find((c: any) => c.type === type)?.status;
}

function startAgent(api: MemoryCluster, conn: { hubUrl: string; cluster: string; bootstrapToken: string }, version = '0.1.0') {
  const agent = new Agent({
    ...conn,
    api,
    namespace: 'tether-agent',
    version,
    log: agentSilentLog(),
    initialPollIntervalMs: 200,
    simulate: true,
  });
  const exit = agent.start();
  return { agent, exit };
}

describe('cluster lifecycle end to end', () => {
  it('imports, accepts, joins, goes Unknown when silent, recovers, upgrades and detaches', async () => {
    const imported = await hub.api('/v1/clusters/store-0042/import', { body: { labels: { region: 'us-east' }, ttlSeconds: 3600 } });
    expect(imported.status).toBe(200);
    expect(imported.body.command).toMatch(/kubectl apply/);
    const conn = parseImportManifest(imported.body.manifest);
    expect(conn.cluster).toBe('store-0042');

    const spoke = new MemoryCluster({ name: 'store-0042', distribution: 'k3s' });
    let run = startAgent(spoke, conn);
    // Not accepted yet: the agent waits (202 Pending) and nothing joins.
    await until('the agent to be pending', async () => run.agent.phase === 'pending');
    expect(condition((await hub.api('/v1/clusters/store-0042')).body, 'Joined')).toBe('False');

    expect((await hub.api('/v1/clusters/store-0042/accept', { method: 'POST' })).status).toBe(200);
    const joined = await until('Joined and Available', async () => {
      await hub.settle();
      const c = (await hub.api('/v1/clusters/store-0042')).body;
      return condition(c, 'Joined') === 'True' && condition(c, 'Available') === 'True' && c;
    });
    const claims = Object.fromEntries(joined.status.claims.map((c: any) => [c.name, c.value]));
    expect(claims['id.k8s.io']).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims['platform.tether.dev']).toBe('k3s');
    expect(joined.status.agentVersion).toBe('0.1.0');

    // The agent goes silent: after 3 x leaseDurationSeconds plus the heartbeat log's flush interval
    // without a heartbeat, the scheduler marks it Unknown and taints it.
    await run.agent.stop();
    expect(await run.exit).toBe('stopped');
    clock.advance(3 * 60 + hub.ctx.ports.heartbeats.lagMs / 1000 + 1);
    await hub.tick();
    await hub.settle();
    const silent = (await hub.api('/v1/clusters/store-0042')).body;
    expect(condition(silent, 'Available')).toBe('Unknown');
    expect(silent.spec.taints.map((t: any) => t.key)).toContain('tether.dev/unreachable');

    // Restarted on the same cluster, it finds its stored credential (no bootstrap needed) and recovers.
    run = startAgent(spoke, { ...conn, bootstrapToken: 'thb_spent' });
    await until('Available again', async () => {
      await hub.settle();
      const c = (await hub.api('/v1/clusters/store-0042')).body;
      return condition(c, 'Available') === 'True' && !c.spec.taints.some((t: any) => t.key === 'tether.dev/unreachable');
    });

    // Upgrade: the hub shows Upgrading until the agent reports the new version.
    const up = await hub.api('/v1/clusters/store-0042/upgrade', { method: 'POST', body: { version: '0.2.0' } });
    expect(up.status).toBe(200);
    expect(up.body.status.conditions.find((c: any) => c.type === 'AgentUpgraded')).toMatchObject({ status: 'False', reason: 'Upgrading' });
    await until('the upgrade to complete', async () => {
      const c = (await hub.api('/v1/clusters/store-0042')).body;
      return c.status.agentVersion === '0.2.0' && condition(c, 'AgentUpgraded') === 'True';
    });
    const deployment = await spoke.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'tether-agent', name: 'tether-agent' });
    expect((deployment as any).spec.template.spec.containers[0].image).toMatch(/:0\.2\.0$/);

    // Detach in ACM's order: the agent cleans up and acknowledges, then the hub deletes the record.
    const detach = await hub.api('/v1/clusters/store-0042/detach', { method: 'POST', body: {} });
    expect(detach.status).toBe(202);
    expect(await run.exit).toBe('detached');
    await until('the record to be gone', async () => {
      await hub.settle();
      return (await hub.api('/v1/clusters/store-0042')).status === 404;
    });
    expect(await hub.ctx.ports.heads.get('store-0042', { consistent: true })).toBeUndefined();
    expect(hub.audit.filter((e) => e.outcome === 'denied')).toEqual([]);
  }, 120_000);
});
