import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuditEventSchema, type AuditEvent } from '../../../shared/tenancy.js';
import { startTestHub, type TestHub } from '../../support/local-hub.js';

/**
 * The audit trail through the real handlers of a local hub (its table on dynalite): every change
 * leaves one event with its author and a redacted diff, every denial one (counted), reads none,
 * and each answer names its event in the Audit-Id header.
 */

const api = 'tether.dev/v1alpha1';
let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
}, 60_000);
afterAll(async () => {
  await hub?.stop();
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

function work(value: string, replicas: number) {
  return {
    apiVersion: api,
    kind: 'Work',
    metadata: { name: 'pos', labels: { app: 'pos' } },
    spec: {
      workload: {
        manifests: [
          { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' }, data: { password: b64(value) } },
          { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'pos', namespace: 'shop' }, spec: { replicas } },
        ],
      },
    },
  };
}

async function audit(query: Record<string, string>): Promise<AuditEvent[]> {
  const res = await hub.api(`/v1/audit?${new URLSearchParams({ since: '1h', ...query })}`);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ apiVersion: 'audit.k8s.io/v1', kind: 'EventList' });
  for (const e of res.body.items) expect(AuditEventSchema.safeParse(e).success).toBe(true);
  return res.body.items as AuditEvent[];
}

describe('audit trail through the admin API', () => {
  beforeAll(async () => {
    const docs = [
      {
        apiVersion: api,
        kind: 'ClusterSet',
        metadata: { name: 'audit-east' },
        spec: { clusterSelector: { selectorType: 'LabelSelector', labelSelector: { matchLabels: { region: 'east' } } } },
      },
      { apiVersion: api, kind: 'Cluster', metadata: { name: 'audit-c1', labels: { region: 'east' } } },
    ];
    for (const d of docs) expect((await hub.api(`/v1/${d.kind === 'Cluster' ? 'clusters' : 'clustersets'}`, { body: d })).status).toBe(201);
    await hub.settle();
  }, 30_000);

  it('records a create, a patch and a delete once each, with the author, the cluster sets and a redacted diff', async () => {
    const created = await hub.api('/v1/clusters/audit-c1/works', { body: work('hunter2', 1) });
    expect(created.status).toBe(201);
    const patched = await hub.api('/v1/clusters/audit-c1/works/pos', {
      method: 'PATCH',
      body: work('swordfish', 3),
      contentType: 'application/merge-patch+json',
    });
    expect(patched.status).toBe(200);
    // Reading is not recorded, but is answered with an audit ID too.
    const read = await hub.api('/v1/clusters/audit-c1/works/pos');
    expect(read.headers.get('audit-id')).toMatch(/^[0-9a-f-]{36}$/);
    const deleted = await hub.api('/v1/clusters/audit-c1/works/pos', { method: 'DELETE' });
    expect([200, 202]).toContain(deleted.status);

    const events = await audit({ kind: 'Work', name: 'pos' });
    expect(events.map((e) => e.verb)).toEqual(['delete', 'patch', 'create']);
    expect(events.map((e) => e.auditID)).toEqual([created, patched, deleted].map((r) => r.headers.get('audit-id')).reverse());
    for (const e of events) {
      expect(e).toMatchObject({
        stage: 'ResponseComplete',
        level: 'Metadata',
        user: { username: 'token:bootstrap', uid: 'bootstrap', groups: [] },
        objectRef: { resource: 'works', name: 'pos', namespace: 'audit-c1' },
        clusterSets: ['audit-east'],
        decision: { allowed: true },
        requestURI: expect.stringMatching(/^\/v1\/clusters\/audit-c1\/works/),
      });
      expect(e.sourceIPs?.[0]).toMatch(/127\.0\.0\.1/);
    }
    const [del, patch, create] = events;
    expect(create.responseStatus.code).toBe(201);
    expect(create.diff).toMatchObject({ metadata: { labels: { app: 'pos' } }, spec: { workload: { manifests: expect.any(Array) } } });
    expect(JSON.stringify(patch.diff)).toContain('"replicas":3');
    expect(del.diff).toBeNull();
    const text = JSON.stringify(events);
    for (const secret of ['hunter2', 'swordfish', b64('hunter2'), b64('swordfish'), hub.adminToken]) expect(text).not.toContain(secret);
    expect(text).toContain('<redacted>');
  });

  it('records one event per changed object of an apply, and none for an apply that changes nothing', async () => {
    const docs = ['ap-1', 'ap-2'].map((name) => ({ apiVersion: api, kind: 'ClusterSet', metadata: { name } }));
    const first = await hub.api('/v1/apply', { body: docs });
    expect(first.status).toBe(200);
    const again = await hub.api('/v1/apply', { body: docs });
    expect(again.body.summary).toEqual({ unchanged: 2 });
    const events = await audit({ kind: 'clustersets', verb: 'create' });
    const mine = events.filter((e) => e.objectRef?.name?.startsWith('ap-'));
    expect(mine.map((e) => e.objectRef?.name).sort()).toEqual(['ap-1', 'ap-2']);
    const id = first.headers.get('audit-id')!;
    expect(mine.map((e) => e.auditID).sort()).toEqual([id, `${id}.2`]);
    expect(mine.every((e) => e.annotations?.['tether.dev/via'] === 'apply' && e.clusterSets?.[0]?.startsWith('ap-'))).toBe(true);
    expect((await audit({ name: 'ap-1' })).length).toBe(1);
  });

  it("records a cluster action as control, with the hub's action", async () => {
    const res = await hub.api('/v1/clusters/audit-c1/accept', { method: 'POST' });
    expect(res.status).toBeLessThan(300);
    const [e] = await audit({ verb: 'control', name: 'audit-c1' });
    expect(e).toMatchObject({
      auditID: res.headers.get('audit-id'),
      objectRef: { resource: 'clusters', name: 'audit-c1', subresource: 'accept' },
      annotations: { 'tether.dev/action': 'cluster.accept' },
      clusterSets: ['audit-east'],
      diff: { spec: { hubAcceptsClient: true } },
    });
  });

  it('records a denied call once, a flood of the same denial as one event with a count', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await hub.api('/v1/clustersets', {
        body: { apiVersion: api, kind: 'ClusterSet', metadata: { name: 'x' } },
        token: 'tha_wrong',
      });
      expect(res.status).toBe(403);
      ids.add(res.headers.get('audit-id')!);
    }
    const none = await hub.api('/v1/policies/p', { method: 'DELETE', token: null });
    expect(none.status).toBe(401);
    await hub.ctx.ports.audit.flush?.(true);
    const denied = await audit({ outcome: 'denied' });
    // Every repeat was answered with the aggregate's ID.
    expect(ids.size).toBe(1);
    const flood = denied.find((e) => e.auditID === [...ids][0]);
    expect(flood).toMatchObject({
      verb: 'create',
      user: { username: 'system:anonymous' },
      objectRef: { resource: 'clustersets' },
      responseStatus: { code: 403 },
      decision: { allowed: false, reason: 'unknown token' },
      annotations: { 'tether.dev/count': '5' },
    });
    const unauth = denied.find((e) => e.auditID === none.headers.get('audit-id'));
    expect(unauth).toMatchObject({ verb: 'delete', responseStatus: { code: 401 }, objectRef: { resource: 'policies', name: 'p' } });
    expect(JSON.stringify(denied)).not.toContain('tha_wrong');
    // The creation it was refused made nothing, and left no allowed event.
    expect((await audit({ name: 'x', outcome: 'allowed' })).length).toBe(0);
  });

  it('filters by user and refuses a bad filter with a problem', async () => {
    expect((await audit({ user: 'token:bootstrap' })).length).toBeGreaterThan(0);
    expect(await audit({ user: 'nobody' })).toEqual([]);
    const bad = await hub.api('/v1/audit?outcome=maybe');
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
  });
});
