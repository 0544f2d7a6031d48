import { describe, expect, it } from '@jest/globals';
import {
  AUDIT_DIFF_ANNOTATION,
  MAX_DIFF_BYTES,
  requestVerb,
  routeObjectRef,
  RequestAudit,
  SIGN_IN_WINDOW_MS,
  SignIns,
} from '../../../lambdas/http/request-audit.js';
import type { HttpRequest } from '../../../lambdas/http/request.js';
import type { AuditLog } from '../../../lambdas/ports/log.js';
import { AuditEventSchema, type AuditEvent, type Principal } from '../../../shared/tenancy.js';
import { memoryHubContext } from '../../support/memory-hub.js';

const T0 = Date.parse('2026-12-05T10:00:00Z');

function req(method: string, path: string, params: Record<string, string> = {}): HttpRequest {
  return { method, path, headers: { 'user-agent': 'tether-cli/1.0' }, query: {}, body: '', params, requestId: 'r', sourceIp: '192.0.2.1' };
}

function capture(): { base: AuditLog; events: AuditEvent[] } {
  const events: AuditEvent[] = [];
  return {
    events,
    base: {
      record() {},
      append(e) {
        events.push(AuditEventSchema.parse(e));
        return e.auditID;
      },
    },
  };
}

const alice: Principal = { source: 'oidc', username: 'alice@example.com', uid: 'sub-1', groups: ['ops'] };

describe('request audit', () => {
  it('names the object and verb a route addresses', () => {
    expect(routeObjectRef('/v1/{plural}/{name}', { plural: 'policies', name: 'pci' })).toEqual({ resource: 'policies', name: 'pci' });
    expect(routeObjectRef('/v1/clusters/{cluster}/{plural}/{name}', { cluster: 'c1', plural: 'works', name: 'w' })).toEqual({
      resource: 'works',
      name: 'w',
      namespace: 'c1',
    });
    expect(routeObjectRef('/v1/clusters/{name}/accept', { name: 'c1' })).toEqual({
      resource: 'clusters',
      name: 'c1',
      subresource: 'accept',
    });
    expect(routeObjectRef('/v1/apply', {})).toBeUndefined();
    expect(requestVerb('POST', { resource: 'clusters', name: 'c1', subresource: 'accept' })).toBe('control');
    expect(requestVerb('POST', { resource: 'policies' })).toBe('create');
    expect(['PUT', 'PATCH', 'DELETE'].map((m) => requestVerb(m, { resource: 'x', name: 'y' }))).toEqual(['update', 'patch', 'delete']);
  });

  it('leaves nothing for a read, and one valid event for a denial, with who, where from and why', async () => {
    const { ctx } = memoryHubContext();
    const { base, events } = capture();
    const read = new RequestAudit(base, req('GET', '/v1/policies'), '/v1/{plural}', T0);
    read.principal = alice;
    await read.finish(ctx, { status: 200 }, T0);
    expect(events).toEqual([]);
    const denied = new RequestAudit(
      base,
      req('DELETE', '/v1/policies/pci', { plural: 'policies', name: 'pci' }),
      '/v1/{plural}/{name}',
      T0,
    );
    await denied.finish(ctx, { status: 401, reason: 'Unauthenticated', message: 'this endpoint needs an admin token' }, T0 + 5);
    expect(events).toEqual([
      expect.objectContaining({
        auditID: denied.auditID,
        verb: 'delete',
        user: { username: 'system:anonymous' },
        sourceIPs: ['192.0.2.1'],
        userAgent: 'tether-cli/1.0',
        objectRef: { resource: 'policies', name: 'pci' },
        responseStatus: { code: 401, status: 'Failure', reason: 'Unauthenticated', message: 'this endpoint needs an admin token' },
        decision: { allowed: false, reason: 'no credential' },
        requestReceivedTimestamp: '2026-12-05T10:00:00.000Z',
        stageTimestamp: '2026-12-05T10:00:00.005Z',
      }),
    ]);
  });

  it("records an OIDC user's sign-in as a login event on their first request of a window", async () => {
    const { ctx } = memoryHubContext();
    const { base, events } = capture();
    const signIns = new SignIns();
    const run = async (at: number) => {
      const a = new RequestAudit(base, req('GET', '/v1/clusters'), '/v1/{plural}', at);
      a.principal = alice;
      a.signIn = signIns.first(alice, at);
      await a.finish(ctx, { status: 200 }, at);
    };
    await run(T0);
    await run(T0 + 60_000);
    await run(T0 + SIGN_IN_WINDOW_MS + 1);
    expect(events.map((e) => [e.verb, e.user.username, e.user.groups])).toEqual([
      ['login', 'alice@example.com', ['ops']],
      ['login', 'alice@example.com', ['ops']],
    ]);
    expect(signIns.first({ source: 'token', username: 'token:ci', uid: 'ci', groups: [] }, T0)).toBe(false);
  });

  it('keeps a diff too large for an event as the list of fields it changed', async () => {
    const { ctx } = memoryHubContext();
    const { base, events } = capture();
    const a = new RequestAudit(base, req('POST', '/v1/clustersets', { plural: 'clustersets' }), '/v1/{plural}', T0);
    a.principal = alice;
    const big = 'x'.repeat(MAX_DIFF_BYTES);
    a.change({
      verb: 'create',
      kind: 'ClusterSet',
      plural: 'clustersets',
      new: {
        apiVersion: 'tether.dev/v1alpha1',
        kind: 'ClusterSet',
        metadata: { name: 'big', uid: 'u', resourceVersion: '1', generation: 1, creationTimestamp: '', annotations: { note: big } },
        spec: {},
      },
    });
    await a.finish(ctx, { status: 201 }, T0);
    expect(events).toHaveLength(1);
    expect(events[0].diff).toBeUndefined();
    expect(events[0].annotations?.[AUDIT_DIFF_ANNOTATION]).toMatch(
      /^not kept: \d+ bytes \(over 32768\); changed metadata.annotations.note$/,
    );
  });

  it("folds a security event the hub records during a request into the request's one event, even on a read", async () => {
    const { ctx } = memoryHubContext();
    const { base, events } = capture();
    const logged: unknown[] = [];
    const a = new RequestAudit(
      { ...base, record: (e, opts) => void logged.push([e.action, opts]) },
      req('GET', '/v1/auth/callback'),
      '/v1/auth/callback',
      T0,
    );
    a.principal = alice;
    a.record({ action: 'auth.login', outcome: 'allowed', reason: 'oidc code flow' });
    await a.finish(ctx, { status: 200 }, T0);
    // Logged as ever, but not stored on its own: it is part of the request's event.
    expect(logged).toEqual([['auth.login', { store: false }]]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      auditID: a.auditID,
      user: { username: 'alice@example.com' },
      annotations: { 'tether.dev/action': 'auth.login', 'tether.dev/reason': 'oidc code flow' },
    });
  });
});
