import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AuditEvent } from '../../../lambdas/ports/log.js';
import { claimsOf, importCluster, joinedCluster, report, startTestHub, type TestHub } from './support.js';

/**
 * The agent API's security matrix against a real local hub: a credential acts only on its own
 * cluster, and every kind of bad token is refused and audited.
 */

let t: TestHub;
const A = 'sec-a';
const B = 'sec-b';
let credA = '';
let credB = '';
const secrets: string[] = [];

const AGENT_ROUTES: { method: string; path: string; body?: unknown }[] = [
  { method: 'GET', path: '/agent/v1/desired' },
  { method: 'POST', path: '/agent/v1/status', body: report() },
  { method: 'POST', path: '/agent/v1/rotate' },
];

/** Everything about B that an agent request could change. */
async function snapshotB() {
  const record = await t.hub.ctx.ports.resources.get({ kind: 'Cluster', name: B }, { consistent: true });
  const head = await t.hub.ctx.ports.heads.get(B, { consistent: true });
  return { record, head };
}

function deniedSince(mark: number, action: string): AuditEvent[] {
  return t.hub.audit.slice(mark).filter((e) => e.action === action && e.outcome === 'denied');
}

beforeAll(async () => {
  t = await startTestHub({ credentialOverlapSeconds: 300 });
  credA = await joinedCluster(t, A, 'kube-a');
  credB = await joinedCluster(t, B, 'kube-b');
  secrets.push(credA, credB);
  await t.agent('GET', '/agent/v1/desired', { token: credB });
  await t.hub.settle();
}, 60_000);

afterAll(async () => {
  await t?.close();
}, 30_000);

describe('cluster isolation', () => {
  it("A's credential reads and writes only A: every agent route leaves B untouched", async () => {
    const before = await snapshotB();
    for (const route of AGENT_ROUTES) {
      const res = await t.agent(route.method, route.path, { token: credA, body: route.body });
      expect([200, 204]).toContain(res.status);
      if (route.path === '/agent/v1/desired') expect(res.body.cluster).toBe(A);
      if (route.path === '/agent/v1/rotate') {
        expect(res.body.credential).toMatch(new RegExp(`^thc_${A}\\.`));
        secrets.push(res.body.credential);
      }
    }
    // A report that tries to carry B's identity is refused before it can be read as B's.
    const spoof = await t.agent('POST', '/agent/v1/status', { token: credA, body: { ...report(), cluster: B } });
    expect(spoof.status).toBe(422);
    expect(spoof.body.errors.some((e: { path: string }) => e.path === '(root)' || e.path.includes('cluster'))).toBe(true);
    const spoofQuery = await t.agent('GET', `/agent/v1/desired?cluster=${B}`, { token: credA });
    expect(spoofQuery.body.cluster).toBe(A);
    await t.hub.settle();
    expect(await snapshotB()).toEqual(before);
  });

  it("A's credential is no bootstrap token, and A's bootstrap token cannot join B", async () => {
    const mark = t.hub.audit.length;
    const asBootstrap = await t.agent('POST', '/agent/v1/join', { token: credA, body: { cluster: A, agentVersion: '0.1.0', claims: [] } });
    expect(asBootstrap.status).toBe(403);
    const { token } = await importCluster(t, A);
    secrets.push(token);
    const wrong = await t.agent('POST', '/agent/v1/join', {
      token,
      body: { cluster: B, agentVersion: '0.1.0', claims: claimsOf('kube-b') },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get('content-type')).toContain('application/problem+json');
    const events = deniedSince(mark, 'agent.join');
    expect(events.map((e) => e.reason)).toEqual([
      'malformed bootstrap token',
      `bootstrap token is bound to cluster "${A}", the request names "${B}"`,
    ]);
    expect(events[1].cluster).toBe(A);
    expect(typeof events[1].sourceIp).toBe('string');
  });
});

describe('bootstrap tokens', () => {
  it('are single-use: a replayed token is refused', async () => {
    const name = 'sec-replay';
    const { token } = await importCluster(t, name, { autoAccept: true });
    secrets.push(token);
    const body = { cluster: name, agentVersion: '0.1.0', claims: claimsOf('kube-r') };
    const first = await t.agent('POST', '/agent/v1/join', { token, body });
    expect(first.status).toBe(200);
    secrets.push(first.body.credential);
    const mark = t.hub.audit.length;
    const replay = await t.agent('POST', '/agent/v1/join', { token, body });
    expect(replay.status).toBe(403);
    expect(deniedSince(mark, 'agent.join')).toEqual([expect.objectContaining({ cluster: name, reason: 'bootstrap token already used' })]);
  });

  it('expire', async () => {
    const name = 'sec-expired';
    const { token } = await importCluster(t, name, { autoAccept: true, ttlSeconds: 60 });
    secrets.push(token);
    t.clock.advance(61);
    const mark = t.hub.audit.length;
    const res = await t.agent('POST', '/agent/v1/join', { token, body: { cluster: name, agentVersion: '0.1.0', claims: [] } });
    expect(res.status).toBe(403);
    expect(deniedSince(mark, 'agent.join')).toEqual([expect.objectContaining({ cluster: name, reason: 'bootstrap token expired' })]);
  });

  it('are replaced by a new import: the earlier token stops working', async () => {
    const name = 'sec-reimport';
    const { token: old } = await importCluster(t, name, { autoAccept: true });
    const { token: fresh } = await importCluster(t, name);
    secrets.push(old, fresh);
    const mark = t.hub.audit.length;
    expect(
      (await t.agent('POST', '/agent/v1/join', { token: old, body: { cluster: name, agentVersion: '0.1.0', claims: [] } })).status,
    ).toBe(403);
    expect(deniedSince(mark, 'agent.join')).toEqual([expect.objectContaining({ reason: 'bootstrap token unknown token' })]);
    expect(
      (await t.agent('POST', '/agent/v1/join', { token: fresh, body: { cluster: name, agentVersion: '0.1.0', claims: [] } })).status,
    ).toBe(200);
  });

  it('refuse a forged token for an existing cluster', async () => {
    const mark = t.hub.audit.length;
    const forged = `thb_${B}.${'A'.repeat(43)}`;
    expect(
      (await t.agent('POST', '/agent/v1/join', { token: forged, body: { cluster: B, agentVersion: '0.1.0', claims: [] } })).status,
    ).toBe(403);
    expect(deniedSince(mark, 'agent.join')).toEqual([expect.objectContaining({ cluster: B })]);
  });
});

describe('garbage and missing tokens', () => {
  const garbage = [
    'abc',
    'thc_',
    `thc_${A}.`,
    `thc_${A}.short`,
    `thc_${'x'.repeat(300)}.${'A'.repeat(43)}`,
    `thc_UPPER.${'A'.repeat(43)}`,
    `thc_nosuch.${'A'.repeat(43)}`,
  ];

  it.each(AGENT_ROUTES)('$method $path refuses garbage (403) and missing tokens (401), auditing each', async (route) => {
    for (const token of garbage) {
      // A new window of denial lines: the same denial again within 10 s is counted, not logged (see below).
      await t.hub.ctx.ports.audit.flush?.(true);
      const mark = t.hub.audit.length;
      const res = await t.agent(route.method, route.path, { token, body: route.body });
      expect(res.status).toBe(403);
      expect(res.body.type).toBe('https://tether.dev/problems/forbidden');
      expect(deniedSince(mark, `agent.${route.path.split('/').pop()}`)).toHaveLength(1);
    }
    await t.hub.ctx.ports.audit.flush?.(true);
    const mark = t.hub.audit.length;
    const none = await t.agent(route.method, route.path, { body: route.body });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    const basic = await t.agent(route.method, route.path, { body: route.body, headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.status).toBe(401);
    expect(t.hub.audit.slice(mark).filter((e) => e.outcome === 'denied')).toHaveLength(2);
  });
});

describe('a flood of denials', () => {
  it('logs a repeated denial once at once, then one line with the count; every denial is accounted for', async () => {
    const token = `thc_nosuch.${'B'.repeat(43)}`;
    await t.hub.ctx.ports.audit.flush?.(true);
    const mark = t.hub.audit.length;
    for (let i = 0; i < 50; i++) expect((await t.agent('GET', '/agent/v1/desired', { token })).status).toBe(403);
    expect(deniedSince(mark, 'agent.desired')).toEqual([expect.objectContaining({ cluster: 'nosuch', reason: 'unknown cluster' })]);
    await t.hub.ctx.ports.audit.flush?.(true);
    const lines = deniedSince(mark, 'agent.desired');
    expect(lines).toEqual([
      expect.objectContaining({ cluster: 'nosuch' }),
      expect.objectContaining({ cluster: 'nosuch', count: 49, aggregated: true }),
    ]);
    expect(lines.reduce((n, e) => n + ((e.count as number | undefined) ?? 1), 0)).toBe(50);
  });
});

describe('revocation', () => {
  it('deny revokes the credential on every route', async () => {
    const name = 'sec-deny';
    const cred = await joinedCluster(t, name);
    secrets.push(cred);
    expect((await t.agent('GET', '/agent/v1/desired', { token: cred })).status).toBe(200);
    const denied = await t.admin('POST', `/v1/clusters/${name}/deny`);
    expect(denied.status).toBe(200);
    expect(denied.body.status.phase).toBe('Denied');
    const head = await t.hub.ctx.ports.heads.get(name, { consistent: true });
    expect(head).toMatchObject({ state: 'Denied', credentials: [] });
    expect(head?.bootstrap).toBeUndefined();
    for (const route of AGENT_ROUTES) {
      const mark = t.hub.audit.length;
      expect((await t.agent(route.method, route.path, { token: cred, body: route.body })).status).toBe(403);
      expect(deniedSince(mark, `agent.${route.path.split('/').pop()}`)).toEqual([
        expect.objectContaining({ cluster: name, reason: 'revoked' }),
      ]);
    }
  });

  it('a forced detach revokes the credential at once', async () => {
    const name = 'sec-detach';
    const cred = await joinedCluster(t, name);
    secrets.push(cred);
    const res = await t.admin('POST', `/v1/clusters/${name}/detach`, { force: true });
    expect(res.status).toBe(202);
    expect(res.body.message).toBe('detached without the agent: resources it applied remain on the cluster');
    for (const route of AGENT_ROUTES) {
      expect((await t.agent(route.method, route.path, { token: cred, body: route.body })).status).toBe(403);
    }
    await t.hub.settle();
    expect((await t.admin('GET', `/v1/clusters/${name}`)).status).toBe(404);
    expect((await t.agent('GET', '/agent/v1/desired', { token: cred })).status).toBe(403);
  });

  it('deleting a cluster revokes the credential at once', async () => {
    const name = 'sec-delete';
    const cred = await joinedCluster(t, name);
    secrets.push(cred);
    expect((await t.admin('DELETE', `/v1/clusters/${name}`)).status).toBe(202);
    expect((await t.agent('GET', '/agent/v1/desired', { token: cred })).status).toBe(403);
    await t.hub.settle();
    expect((await t.admin('GET', `/v1/clusters/${name}`)).status).toBe(404);
  });

  it('a rotated-out credential works during the overlap and is refused after it', async () => {
    const name = 'sec-rotate';
    const old = await joinedCluster(t, name);
    const rotated = await t.agent('POST', '/agent/v1/rotate', { token: old });
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.credential as string;
    secrets.push(old, fresh);
    expect((await t.agent('GET', '/agent/v1/desired', { token: old })).status).toBe(200);
    t.clock.advance(301);
    for (const route of AGENT_ROUTES) {
      const mark = t.hub.audit.length;
      expect((await t.agent(route.method, route.path, { token: old, body: route.body })).status).toBe(403);
      expect(deniedSince(mark, `agent.${route.path.split('/').pop()}`)).toEqual([
        expect.objectContaining({ cluster: name, reason: 'rotated out' }),
      ]);
    }
    expect((await t.agent('GET', '/agent/v1/desired', { token: fresh })).status).toBe(200);
  });
});

describe('audit log', () => {
  it('never holds a token', () => {
    const text = JSON.stringify(t.hub.audit);
    expect(secrets.length).toBeGreaterThan(8);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
