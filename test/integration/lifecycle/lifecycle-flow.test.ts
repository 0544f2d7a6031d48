import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { parseImportManifest } from '../../../shared/agent-manifest.js';
import { DesiredStateSchema, JoinResponseSchema, RotateResponseSchema } from '../../../shared/protocol/v1.js';
import { claimsOf, report, startTestHub, type TestHub } from './support.js';

/**
 * The whole lifecycle against a real local hub, with plain fetch as the agent: import, pending
 * join, accept, join, poll (200 then 304), status, lease expiry and return, upgrade (reached and
 * failed), rotation, detach through the agent.
 */

let t: TestHub;
const NAME = 'store-0001';
let credential = '';
let etag = '';

const condition = (cluster: { status: { conditions: { type: string }[] } }, type: string) =>
  cluster.status.conditions.find((c) => c.type === type) as { status: string; reason: string; message: string } | undefined;

async function cluster() {
  const res = await t.admin('GET', `/v1/clusters/${NAME}`);
  expect(res.status).toBe(200);
  return res.body;
}

beforeAll(async () => {
  t = await startTestHub({ upgradeDeadlineSeconds: 1, pollIntervalSeconds: 20, agentVersion: '0.1.0' });
}, 60_000);

afterAll(async () => {
  await t?.close();
}, 30_000);

describe('cluster lifecycle', () => {
  let bootstrap = '';

  it('imports a cluster: manifest, one-line command and expiry; the cluster waits for acceptance', async () => {
    const res = await t.admin('POST', `/v1/clusters/${NAME}/import`, { labels: { tier: 'store' }, ttlSeconds: 3600 });
    expect(res.status).toBe(200);
    expect(res.body.cluster.metadata).toMatchObject({ name: NAME, labels: { tier: 'store' } });
    expect(res.body.cluster.spec.hubAcceptsClient).toBe(false);
    expect(res.body.cluster.status.phase).toBe('Pending');
    const info = parseImportManifest(res.body.manifest);
    expect(info).toMatchObject({ cluster: NAME, hubUrl: t.hub.url, namespace: 'tether-agent' });
    expect(info.bootstrapToken).toMatch(new RegExp(`^thb_${NAME}\\.[A-Za-z0-9_-]{43}$`));
    bootstrap = info.bootstrapToken;
    expect(parseAllDocuments(res.body.manifest)).toHaveLength(11);
    // The command carries the manifest itself, so it works on any machine with kubectl.
    const m = /^echo '([A-Za-z0-9+/=]+)' \| base64 --decode \| kubectl apply -f -$/.exec(res.body.command);
    expect(m).not.toBeNull();
    expect(Buffer.from(m![1], 'base64').toString('utf8')).toBe(res.body.manifest);
    const expires = Date.parse(res.body.bootstrapTokenExpiresAt);
    expect(Math.abs(expires - (t.clock.now() + 3600_000))).toBeLessThan(5_000);
    expect(t.hub.audit.some((e) => e.action === 'cluster.import' && e.cluster === NAME && e.outcome === 'allowed')).toBe(true);
  });

  it('answers a join before acceptance with 202 Pending and Retry-After', async () => {
    const res = await t.agent('POST', '/agent/v1/join', {
      token: bootstrap,
      body: { cluster: NAME, agentVersion: '0.1.0', claims: claimsOf('kube-uid-1') },
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('retry-after')).toBe('20');
    expect(JoinResponseSchema.parse(res.body)).toMatchObject({ status: 'Pending', retryAfterSeconds: 20 });
  });

  it('accepts the cluster', async () => {
    const res = await t.admin('POST', `/v1/clusters/${NAME}/accept`);
    expect(res.status).toBe(200);
    expect(res.body.spec.hubAcceptsClient).toBe(true);
    expect(res.body.status.phase).toBe('Accepted');
    expect(condition(res.body, 'HubAccepted')).toMatchObject({ status: 'True' });
    expect((await t.hub.ctx.ports.heads.get(NAME, { consistent: true }))?.state).toBe('Accepted');
  });

  it('joins once accepted: credential issued, claims and Joined recorded, bootstrap spent', async () => {
    const res = await t.agent('POST', '/agent/v1/join', {
      token: bootstrap,
      body: { cluster: NAME, agentVersion: '0.1.0', claims: claimsOf('kube-uid-1') },
    });
    expect(res.status).toBe(200);
    const body = JoinResponseSchema.parse(res.body);
    if (body.status !== 'Joined') throw new Error('expected Joined');
    expect(body).toMatchObject({ cluster: NAME, pollIntervalSeconds: 20 });
    expect(body.credential).toMatch(new RegExp(`^thc_${NAME}\\.`));
    credential = body.credential;
    const c = await cluster();
    expect(c.status.phase).toBe('Joined');
    expect(condition(c, 'Joined')).toMatchObject({ status: 'True', reason: 'AgentJoined' });
    expect(c.status.claims).toEqual(expect.arrayContaining([{ name: 'id.k8s.io', value: 'kube-uid-1' }]));
    expect(c.status.version.kubernetes).toBe('v1.31.2');
    expect(c.status.agentVersion).toBe('0.1.0');
    const head = await t.hub.ctx.ports.heads.get(NAME, { consistent: true });
    expect(head?.bootstrap?.spent).toBe(true);
    expect(head?.credentials).toHaveLength(1);
    // Only the hash is stored.
    expect(JSON.stringify(head)).not.toContain(credential);
  });

  it('serves the desired state, then 304 for the same revision; the first poll makes the cluster Available', async () => {
    const first = await t.agent('GET', '/agent/v1/desired', { token: credential });
    expect(first.status).toBe(200);
    const state = DesiredStateSchema.parse(first.body);
    expect(state).toMatchObject({
      cluster: NAME,
      works: [],
      detach: false,
      rotateCredential: false,
      pollIntervalSeconds: 20,
      leaseDurationSeconds: 60,
    });
    expect(state.agent).toEqual({ version: '0.1.0', image: t.hub.ctx.config.agentImage });
    etag = first.headers.get('etag') ?? '';
    expect(etag).toBe(`"${state.revision}"`);
    const second = await t.agent('GET', '/agent/v1/desired', { token: credential, headers: { 'if-none-match': etag } });
    expect(second.status).toBe(304);
    expect(second.text).toBe('');
    await t.hub.settle();
    const c = await cluster();
    expect(condition(c, 'Available')).toMatchObject({ status: 'True', reason: 'AgentAvailable' });
    expect(c.spec.taints ?? []).toEqual([]);
  });

  it('records a heartbeat by the age the agent sends: none or half a lease answers "recorded"; a malformed age is a 422 problem', async () => {
    const poll = (age?: string) =>
      t.agent('GET', '/agent/v1/desired', {
        token: credential,
        headers: { 'if-none-match': etag, ...(age === undefined ? {} : { 'tether-heartbeat-age': age }) },
      });
    const none = await poll();
    expect(none.status).toBe(304);
    expect(none.headers.get('tether-heartbeat')).toBe('recorded');
    const young = await poll('29');
    expect(young.status).toBe(304);
    expect(young.headers.get('tether-heartbeat')).toBeNull();
    expect((await poll('30')).headers.get('tether-heartbeat')).toBe('recorded');
    const bad = await poll('soon');
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect((bad.body as { detail: string }).detail).toContain('tether-heartbeat-age must be whole seconds');
    // Without a valid credential the header is never looked at: the answer is the credential's.
    const stranger = await t.agent('GET', '/agent/v1/desired', {
      token: 'tcr_not-a-credential',
      headers: { 'tether-heartbeat-age': 'soon' },
    });
    expect([401, 403]).toContain(stranger.status);
  });

  it('records a status report, and writes nothing when the same report comes again', async () => {
    const claims = [...claimsOf('kube-uid-1', 'v1.32.0'), { name: 'region.example.com', value: 'eu-west' }];
    const res = await t.agent('POST', '/agent/v1/status', { token: credential, body: report({ claims }) });
    expect(res.status).toBe(204);
    const after = await cluster();
    expect(after.status.version.kubernetes).toBe('v1.32.0');
    expect(after.status.claims).toContainEqual({ name: 'region.example.com', value: 'eu-west' });
    expect(typeof after.status.lastSeen).toBe('string');
    const again = await t.agent('POST', '/agent/v1/status', { token: credential, body: report({ claims }) });
    expect(again.status).toBe(204);
    expect((await cluster()).metadata.resourceVersion).toBe(after.metadata.resourceVersion);
  });

  it('marks an unhealthy agent Available=False with the unavailable taint, and clears both when healthy', async () => {
    await t.agent('POST', '/agent/v1/status', { token: credential, body: report({ healthy: false, message: 'apiserver unreachable' }) });
    let c = await cluster();
    expect(condition(c, 'Available')).toMatchObject({ status: 'False', reason: 'AgentUnhealthy', message: 'apiserver unreachable' });
    expect(c.spec.taints).toEqual([expect.objectContaining({ key: 'tether.dev/unavailable', effect: 'NoSelect' })]);
    await t.agent('POST', '/agent/v1/status', { token: credential, body: report({ healthy: true }) });
    c = await cluster();
    expect(condition(c, 'Available')).toMatchObject({ status: 'True' });
    expect(c.spec.taints).toEqual([]);
  });

  it('turns Unknown with the unreachable taint when the lease expires, and Available again on the next poll', async () => {
    const patched = await t.admin(
      'PATCH',
      `/v1/clusters/${NAME}`,
      { spec: { leaseDurationSeconds: 10 } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(patched.status).toBe(200);
    await t.hub.settle();
    expect((await t.hub.ctx.ports.heads.get(NAME, { consistent: true }))?.leaseDurationSeconds).toBe(10);
    // Nothing expired yet: the tick finds nothing. A lease expires after three lease durations
    // (30 s) plus the heartbeat log's flush interval without a heartbeat.
    expect((await t.hub.tick())['cluster.lease-expiry']).toBe(0);
    const allowed = 30 + t.hub.ctx.ports.heartbeats.lagMs / 1000;
    t.clock.advance(allowed - 1);
    expect((await t.hub.tick())['cluster.lease-expiry']).toBe(0);
    t.clock.advance(2);
    expect((await t.hub.tick())['cluster.lease-expiry']).toBe(1);
    await t.hub.settle();
    let c = await cluster();
    const available = condition(c, 'Available');
    expect(available).toMatchObject({ status: 'Unknown', reason: 'LeaseExpired' });
    expect(available?.message).toMatch(/^no heartbeat for (3[1-9]|4\d) s$/);
    expect(c.spec.taints).toEqual([expect.objectContaining({ key: 'tether.dev/unreachable', effect: 'NoSelect' })]);
    // The expired lease left the live set: the next tick finds nothing to expire.
    expect((await t.hub.tick())['cluster.lease-expiry']).toBe(0);

    const poll = await t.agent('GET', '/agent/v1/desired', { token: credential, headers: { 'if-none-match': etag } });
    expect(poll.status).toBe(304);
    await t.hub.settle();
    c = await cluster();
    expect(condition(c, 'Available')).toMatchObject({ status: 'True' });
    expect(c.spec.taints).toEqual([]);
  });

  it('tracks an upgrade: revision bump, Upgrading, then Upgraded when the agent reports the version', async () => {
    const res = await t.admin('POST', `/v1/clusters/${NAME}/upgrade`, { version: '0.2.0' });
    expect(res.status).toBe(200);
    expect(res.body.spec.agent.version).toBe('0.2.0');
    expect(condition(res.body, 'AgentUpgraded')).toMatchObject({
      status: 'False',
      reason: 'Upgrading',
      message: 'upgrading from 0.1.0 to 0.2.0',
    });
    const poll = await t.agent('GET', '/agent/v1/desired', { token: credential, headers: { 'if-none-match': etag } });
    expect(poll.status).toBe(200);
    expect(poll.body.agent.version).toBe('0.2.0');
    expect(poll.headers.get('etag')).not.toBe(etag);
    etag = poll.headers.get('etag') ?? '';
    await t.agent('POST', '/agent/v1/status', { token: credential, body: report({ agentVersion: '0.2.0' }) });
    const c = await cluster();
    expect(condition(c, 'AgentUpgraded')).toMatchObject({ status: 'True', reason: 'Upgraded' });
    expect(c.status.agentVersion).toBe('0.2.0');
    // The deadline step of this upgrade finds it reached and changes nothing.
    await t.hub.settle();
    expect(condition(await cluster(), 'AgentUpgraded')).toMatchObject({ status: 'True', reason: 'Upgraded' });
  });

  it('marks an upgrade failed when the agent does not reach the version before the deadline', async () => {
    const res = await t.admin('POST', `/v1/clusters/${NAME}/upgrade`, { version: '0.3.0' });
    expect(condition(res.body, 'AgentUpgraded')).toMatchObject({
      status: 'False',
      reason: 'Upgrading',
      message: 'upgrading from 0.2.0 to 0.3.0',
    });
    // The deadline is a delayed step: wait for it too.
    await t.hub.settle(15_000, { includeDelayed: true });
    const c = await cluster();
    expect(condition(c, 'AgentUpgraded')).toMatchObject({ status: 'False', reason: 'UpgradeFailed' });
    expect(condition(c, 'AgentUpgraded')?.message).toMatch(/did not report 0\.3\.0 within 1 s; it still runs 0\.2\.0/);
    etag = (await t.agent('GET', '/agent/v1/desired', { token: credential })).headers.get('etag') ?? '';
  });

  it('asks for rotation once the credential is old, and the new credential works', async () => {
    t.clock.advance(31 * 24 * 3600);
    const poll = await t.agent('GET', '/agent/v1/desired', { token: credential, headers: { 'if-none-match': etag } });
    expect(poll.status).toBe(200);
    expect(poll.body.rotateCredential).toBe(true);
    const rotated = await t.agent('POST', '/agent/v1/rotate', { token: credential });
    expect(rotated.status).toBe(200);
    const body = RotateResponseSchema.parse(rotated.body);
    expect(body.overlapSeconds).toBe(300);
    const old = credential;
    credential = body.credential;
    const after = await t.agent('GET', '/agent/v1/desired', { token: credential, headers: { 'if-none-match': etag } });
    expect(after.status).toBe(304);

    // Issue 16, item 20: the rotated-out credential still works in its overlap, but cannot rotate
    // again: a clear 409, nothing minted, and the new credential keeps its full life.
    const headBefore = await t.hub.ctx.ports.heads.get(NAME, { consistent: true });
    expect((await t.agent('GET', '/agent/v1/desired', { token: old })).status).toBe(200);
    const again = await t.agent('POST', '/agent/v1/rotate', { token: old });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toBe('application/problem+json');
    expect(again.body.detail).toMatch(/rotated out .* cannot rotate again\. Use the credential the last rotation returned/);
    const headAfter = await t.hub.ctx.ports.heads.get(NAME, { consistent: true });
    expect(headAfter?.credentials).toEqual(headBefore?.credentials);
    expect(headAfter?.credentials.find((c) => c.expiresAt === undefined)).toBeDefined();
    expect(t.hub.audit.some((e) => e.action === 'agent.rotate' && e.outcome === 'denied' && e.reason === 'rotated-out credential')).toBe(
      true,
    );
    expect((await t.agent('GET', '/agent/v1/desired', { token: credential, headers: { 'if-none-match': etag } })).status).toBe(304);
    await t.hub.settle();
  });

  it('detaches through the agent: detach=true, the agent reports detached, the cluster is removed', async () => {
    const res = await t.admin('POST', `/v1/clusters/${NAME}/detach`, {});
    expect(res.status).toBe(202);
    expect(res.body.mode).toBe('agent');
    expect(res.body.cluster.status.phase).toBe('Detaching');
    const poll = await t.agent('GET', '/agent/v1/desired', { token: credential, headers: { 'if-none-match': etag } });
    expect(poll.status).toBe(200);
    expect(poll.body.detach).toBe(true);
    // Still there while the agent cleans up.
    expect((await t.admin('GET', `/v1/clusters/${NAME}`)).status).toBe(200);
    const done = await t.agent('POST', '/agent/v1/status', { token: credential, body: report({ agentVersion: '0.2.0', detached: true }) });
    expect(done.status).toBe(204);
    await t.hub.settle();
    expect((await t.admin('GET', `/v1/clusters/${NAME}`)).status).toBe(404);
    expect(await t.hub.ctx.ports.heads.get(NAME, { consistent: true })).toBeUndefined();
    const denied = await t.agent('GET', '/agent/v1/desired', { token: credential });
    expect(denied.status).toBe(403);
  });
});
