import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { claimsOf, importCluster, joinedCluster, report, startTestHub, type TestHub } from './support.js';

/**
 * Re-joins and their edges: a reinstalled agent replaces the old one's credential, a different
 * cluster behind the same name is flagged and audited, a re-accepted cluster needs a new token,
 * and a cluster whose agent never joined detaches at once.
 */

let t: TestHub;

const condition = (c: { status: { conditions: { type: string }[] } }, type: string) =>
  c.status.conditions.find((x) => x.type === type) as { status: string; reason: string; message: string } | undefined;

beforeAll(async () => {
  t = await startTestHub();
}, 60_000);

afterAll(async () => {
  await t?.close();
}, 30_000);

describe('re-joining', () => {
  it('a reinstalled agent (new import, new join) replaces the earlier credential', async () => {
    const name = 'rj-replace';
    const old = await joinedCluster(t, name, 'kube-1');
    const { token } = await importCluster(t, name);
    const res = await t.agent('POST', '/agent/v1/join', {
      token,
      body: { cluster: name, agentVersion: '0.1.0', claims: claimsOf('kube-1') },
    });
    expect(res.status).toBe(200);
    expect((await t.agent('GET', '/agent/v1/desired', { token: old })).status).toBe(403);
    expect((await t.agent('GET', '/agent/v1/desired', { token: res.body.credential })).status).toBe(200);
  });

  it('flags and audits a claimed cluster ID that differs from the recorded one, keeping the recorded ID', async () => {
    const name = 'rj-conflict';
    await joinedCluster(t, name, 'kube-original');
    const { token } = await importCluster(t, name);
    const mark = t.hub.audit.length;
    const res = await t.agent('POST', '/agent/v1/join', {
      token,
      body: { cluster: name, agentVersion: '0.1.0', claims: claimsOf('kube-impostor') },
    });
    expect(res.status).toBe(200);
    const cluster = (await t.admin('GET', `/v1/clusters/${name}`)).body;
    expect(cluster.status.claims).toContainEqual({ name: 'id.k8s.io', value: 'kube-original' });
    expect(condition(cluster, 'ClusterIdConflict')).toMatchObject({ status: 'True', reason: 'ClusterIdChanged' });
    expect(condition(cluster, 'ClusterIdConflict')?.message).toMatch(/kube-impostor.*kube-original/);
    const events = t.hub.audit.slice(mark).filter((e) => e.action === 'cluster.claim-id');
    expect(events).toEqual([
      expect.objectContaining({ outcome: 'denied', cluster: name, recordedId: 'kube-original', claimedId: 'kube-impostor' }),
    ]);
    // Repeating the claim in a report does not audit it again; claiming the recorded ID clears the flag.
    const cred = res.body.credential as string;
    await t.agent('POST', '/agent/v1/status', { token: cred, body: report({ claims: claimsOf('kube-impostor') }) });
    expect(t.hub.audit.slice(mark).filter((e) => e.action === 'cluster.claim-id')).toHaveLength(1);
    await t.agent('POST', '/agent/v1/status', { token: cred, body: report({ claims: claimsOf('kube-original') }) });
    const healed = (await t.admin('GET', `/v1/clusters/${name}`)).body;
    expect(condition(healed, 'ClusterIdConflict')).toMatchObject({ status: 'False' });
  });

  it('a denied cluster refuses its join; once accepted again it needs a new import', async () => {
    const name = 'rj-denied';
    const { token } = await importCluster(t, name);
    await t.admin('POST', `/v1/clusters/${name}/deny`);
    const refused = await t.agent('POST', '/agent/v1/join', { token, body: { cluster: name, agentVersion: '0.1.0', claims: [] } });
    expect(refused.status).toBe(403);
    const accepted = await t.admin('POST', `/v1/clusters/${name}/accept`);
    expect(accepted.body.status.phase).toBe('Accepted');
    // The deny revoked the token for good.
    expect((await t.agent('POST', '/agent/v1/join', { token, body: { cluster: name, agentVersion: '0.1.0', claims: [] } })).status).toBe(
      403,
    );
    const { token: fresh } = await importCluster(t, name);
    expect(
      (await t.agent('POST', '/agent/v1/join', { token: fresh, body: { cluster: name, agentVersion: '0.1.0', claims: [] } })).status,
    ).toBe(200);
  });

  it('turning the gate off with a PATCH is a deny: the agent is cut off', async () => {
    const name = 'rj-patch';
    const cred = await joinedCluster(t, name);
    const res = await t.admin(
      'PATCH',
      `/v1/clusters/${name}`,
      { spec: { hubAcceptsClient: false } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(res.status).toBe(200);
    expect((await t.agent('GET', '/agent/v1/desired', { token: cred })).status).toBe(403);
    expect((await t.admin('GET', `/v1/clusters/${name}`)).body.status.phase).toBe('Denied');
    expect(t.hub.audit.some((e) => e.action === 'cluster.credentials-revoked' && e.cluster === name)).toBe(true);
  });
});

describe('detach without an agent', () => {
  it('removes a cluster whose agent never joined at once', async () => {
    const name = 'rj-never';
    await importCluster(t, name);
    const res = await t.admin('POST', `/v1/clusters/${name}/detach`, {});
    expect(res.status).toBe(202);
    expect(res.body.mode).toBe('removed');
    expect(res.body.message).toMatch(/no agent had joined/);
    await t.hub.settle();
    expect((await t.admin('GET', `/v1/clusters/${name}`)).status).toBe(404);
  });
});
