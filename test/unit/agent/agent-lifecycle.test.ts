import { CREDENTIAL_SECRET } from '../../../agent/state-store.js';
import { deployment, namespace, rig, until, work, type Rig } from './support/harness.js';

describe('Agent: join, credential, revocation', () => {
  let r: Rig;
  afterEach(async () => {
    await r?.close();
  });

  test('waits while acceptance is pending, then joins and stores its credential in a Secret', async () => {
    r = await rig({}, (hub) => {
      hub.accepted = false;
      hub.pendingRetryAfterSeconds = 7;
    });
    const run = r.agent.start();
    await until(() => r.clock.sleeps.length >= 2);
    expect(r.agent.phase).toBe('pending');
    // Pending answers are retried no sooner than the hub's Retry-After (7 s), jittered upwards by up
    // to 10% (random=0.5: 7.35 s).
    expect(r.clock.sleeps.slice(0, 2)).toEqual([7350, 7350]);
    r.hub.accepted = true;
    await until(() => r.hub.count('/agent/v1/desired') >= 1);
    await r.agent.stop();
    expect(await run).toBe('stopped');

    const secret = await r.cluster.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'tether-agent', name: CREDENTIAL_SECRET });
    const stored = Buffer.from((secret!.data as Record<string, string>).credential, 'base64').toString('utf8');
    expect(r.hub.credentials.has(stored)).toBe(true);
    // The join carried the measured claims.
    const claimNames = r.hub.joins.at(-1)!.claims.map((c) => c.name);
    expect(claimNames).toEqual(
      expect.arrayContaining(['id.k8s.io', 'kubeversion.tether.dev', 'platform.tether.dev', 'agentversion.tether.dev']),
    );
  });

  test('a restarted agent reuses the stored credential and does not join again', async () => {
    r = await rig();
    expect(await r.agent.runOnce()).toBe(true);
    expect(r.hub.joins).toHaveLength(1);
    // The bootstrap token is single-use: a second join would fail, so the restart must not need it.
    const again = r.restart({ bootstrapToken: undefined });
    expect(await again.runOnce()).toBe(true);
    expect(r.hub.joins).toHaveLength(1);
    const desiredAuth = r.hub.requests.filter((q) => q.path === '/agent/v1/desired').map((q) => q.authorization);
    expect(new Set(desiredAuth).size).toBe(1);
  });

  test('a revoked credential stops polling without deleting anything, and without spinning', async () => {
    r = await rig();
    r.hub.setWorks([work('web', [namespace('shop'), deployment('web', 'shop')])]);
    expect(await r.agent.runOnce()).toBe(true);
    expect(await r.cluster.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' })).toBeDefined();

    r.hub.revokeAll();
    const exit = await r.agent.start();
    expect(exit).toBe('revoked');
    // One rejected poll, one re-join attempt with the (now used) bootstrap token, then nothing more.
    expect(r.hub.count('/agent/v1/join')).toBe(2);
    const pollsBefore = r.hub.count('/agent/v1/desired');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(r.hub.count('/agent/v1/desired')).toBe(pollsBefore);
    expect(await r.cluster.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' })).toBeDefined();
    expect(await r.cluster.get({ apiVersion: 'v1', kind: 'Namespace', name: 'shop' })).toBeDefined();
    expect(
      r.logs.messages().some((m) => m.includes('polling stopped') && m.includes('Workloads on this cluster are left as they are')),
    ).toBe(true);
    expect(r.agent.phase).toBe('revoked');
    expect(r.agent.healthSource().joined()).toBe(false);
  });

  test('re-joins when the credential is rejected and the hub accepts a new bootstrap token', async () => {
    r = await rig();
    expect(await r.agent.runOnce()).toBe(true);
    r.hub.revokeAll();
    const fresh = r.hub.issueBootstrapToken();
    const again = r.restart({ bootstrapToken: fresh });
    expect(await again.runOnce()).toBe(true);
    expect(r.hub.joins).toHaveLength(2);
    expect(r.hub.credentials.size).toBe(1);
  });

  test('an unusable bootstrap token stops the agent with a clear message', async () => {
    r = await rig({ bootstrapToken: 'thb_store-0042.not-a-real-token-at-all' });
    expect(await r.agent.start()).toBe('revoked');
    expect(r.hub.count('/agent/v1/join')).toBe(1);
    expect(r.logs.messages().join('\n')).toMatch(/rejected the bootstrap token .*Import the cluster again/);
  });

  test('secrets never appear in the logs', async () => {
    r = await rig();
    r.hub.setWorks([
      work('creds', [
        namespace('shop'),
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'db', namespace: 'shop' },
          stringData: { password: 'hunter2-very-secret-pw' },
        },
      ]),
    ]);
    r.hub.setDesired({ rotateCredential: true });
    expect(await r.agent.runOnce()).toBe(true);
    r.hub.revokeAll();
    await r.agent.start();
    const text = r.logs.text;
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toContain(r.bootstrapToken);
    expect(text).not.toContain(r.bootstrapToken.split('.')[1]);
    for (const credential of r.hub.credentials) expect(text).not.toContain(credential);
    expect(text).not.toContain('hunter2-very-secret-pw');
    expect(text).not.toContain('thc_');
  });
});
