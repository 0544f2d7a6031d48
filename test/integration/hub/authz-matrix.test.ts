import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseImportManifest } from '../../../shared/agent-manifest.js';
import type { BuiltInRole, Verb } from '../../../shared/tenancy.js';
import { composeCapabilities } from '../../../lambdas/handlers/compose.js';
import { adminRouteTable } from '../../../lambdas/http/admin-api.js';
import { createAgentApi } from '../../../lambdas/http/agent-api.js';
import { toProblem } from '../../../lambdas/http/problem.js';
import { memoryHubContext } from '../../support/memory-hub.js';
import { fleetObject, ROLES, tenancyFleet, type Credential, type TenancyFleet } from '../../support/tenancy-fleet.js';

/**
 * The authorization matrix: every admin route (from the router's own table) × every built-in role
 * × inside / outside the caller's cluster sets × token and OIDC credentials, against the expected
 * allow or deny, plus expired and revoked tokens on every route. Every answer a scoped caller gets
 * is searched for names of the other team's objects: 0 leaks. A route without a row here fails.
 *
 * `side`: `inside` (an object of the caller's set, stores-east), `outside` (stores-west, or in no
 * set), `global` (outside every set: roles, bindings, tokens), `any` (the route names no object:
 * lists, exports, the caller's own view).
 */

type Side = 'inside' | 'outside' | 'global' | 'any';
interface Case {
  verb: Verb | 'self';
  kind: string;
  side: Side;
  method: string;
  path: string;
  body?: unknown;
  query?: Record<string, string>;
}

const CLUSTER_KINDS: [kind: string, plural: string, east: string, west: string][] = [
  ['Cluster', 'clusters', 'east-cluster', 'west-cluster'],
  ['ClusterSet', 'clustersets', 'stores-east', 'stores-west'],
  ['Placement', 'placements', 'east-placement', 'west-placement'],
  ['FleetDeployment', 'fleetdeployments', 'east-fleetdeployment', 'west-fleetdeployment'],
  ['Policy', 'policies', 'east-policy', 'west-policy'],
  ['PolicySet', 'policysets', 'east-policyset', 'west-policyset'],
];
const GLOBAL_KINDS: [kind: string, plural: string, name: string][] = [
  ['Role', 'roles', 'releaser'],
  ['RoleBinding', 'rolebindings', 'nobody'],
];

/** A document of an existing object with a label added (PUT). */
function replaced(kind: string, side: 'east' | 'west', name: string) {
  const doc = fleetObject(kind, side, name) as { metadata: Record<string, unknown> };
  return { ...doc, metadata: { ...doc.metadata, labels: { ...(doc.metadata.labels as object), touched: 'yes' } } };
}

/** The cases of one route, by its `METHOD pattern`. */
const ROWS: Record<string, () => Case[]> = {
  'POST /v1/apply': () => [
    {
      verb: 'create',
      kind: 'Placement',
      side: 'inside',
      method: 'POST',
      path: '/v1/apply',
      body: fleetObject('Placement', 'east', 'new-east'),
    },
    {
      verb: 'create',
      kind: 'Placement',
      side: 'outside',
      method: 'POST',
      path: '/v1/apply',
      body: fleetObject('Placement', 'west', 'new-west'),
    },
    {
      verb: 'update',
      kind: 'Placement',
      side: 'outside',
      method: 'POST',
      path: '/v1/apply',
      body: replaced('Placement', 'west', 'west-placement'),
    },
  ],
  'POST /v1/clusters/{name}/import': () => [
    { verb: 'create', kind: 'Cluster', side: 'outside', method: 'POST', path: '/v1/clusters/new-cluster/import', body: {} },
  ],
  ...Object.fromEntries(
    (
      [
        ['accept', {}],
        ['deny', {}],
        ['detach', { force: true }],
        ['upgrade', { version: '0.2.0' }],
      ] as const
    ).map(([action, body]) => [
      `POST /v1/clusters/{name}/${action}`,
      () => [
        { verb: 'control', kind: 'Cluster', side: 'inside', method: 'POST', path: `/v1/clusters/east-cluster/${action}`, body },
        { verb: 'control', kind: 'Cluster', side: 'outside', method: 'POST', path: `/v1/clusters/west-cluster/${action}`, body },
      ],
    ]),
  ),
  'GET /v1/placements/{name}/decisions': () => sides('get', 'Placement', 'GET', (s) => `/v1/placements/${s}-placement/decisions`),
  'GET /v1/fleetdeployments/{name}/status': () =>
    sides('get', 'FleetDeployment', 'GET', (s) => `/v1/fleetdeployments/${s}-fleetdeployment/status`),
  'GET /v1/fleetdeployments/{name}/revisions': () =>
    sides('get', 'FleetDeployment', 'GET', (s) => `/v1/fleetdeployments/${s}-fleetdeployment/revisions`),
  'GET /v1/fleetdeployments/{name}/revisions/{revision}': () =>
    sides('get', 'FleetDeployment', 'GET', (s) => `/v1/fleetdeployments/${s}-fleetdeployment/revisions/1`),
  ...Object.fromEntries(
    (
      [
        ['pause', {}],
        ['resume', {}],
        ['abort', {}],
        ['rollback', {}],
        ['override-window', { reason: 'the matrix test' }],
      ] as const
    ).map(([action, body]) => [
      `POST /v1/fleetdeployments/{name}/${action}`,
      () => sides('control', 'FleetDeployment', 'POST', (s) => `/v1/fleetdeployments/${s}-fleetdeployment/${action}`, body),
    ]),
  ),
  'GET /v1/policies/{name}/compliance': () => sides('get', 'Policy', 'GET', (s) => `/v1/policies/${s}-policy/compliance`),
  'GET /v1/clusters/{name}/compliance': () => sides('get', 'Cluster', 'GET', (s) => `/v1/clusters/${s}-cluster/compliance`),
  'GET /v1/compliance/events': () => [{ verb: 'list', kind: 'ComplianceEvent', side: 'any', method: 'GET', path: '/v1/compliance/events' }],
  'GET /v1/compliance/report': () => [
    { verb: 'export', kind: 'ComplianceReport', side: 'any', method: 'GET', path: '/v1/compliance/report', query: { format: 'csv' } },
  ],
  'GET /v1/audit': () => [{ verb: 'list', kind: 'AuditRecord', side: 'any', method: 'GET', path: '/v1/audit' }],
  'GET /v1/auth/whoami': () => [{ verb: 'self', kind: 'Self', side: 'any', method: 'GET', path: '/v1/auth/whoami' }],
  'GET /v1/auth/can-i': () => [
    {
      verb: 'self',
      kind: 'Self',
      side: 'any',
      method: 'GET',
      path: '/v1/auth/can-i',
      query: { verb: 'get', kind: 'clusters', name: 'west-cluster' },
    },
  ],
  'POST /v1/tokens': () => [
    { verb: 'create', kind: 'ApiToken', side: 'global', method: 'POST', path: '/v1/tokens', body: { name: 'new-token', role: 'viewer' } },
  ],
  'GET /v1/tokens': () => [{ verb: 'list', kind: 'ApiToken', side: 'any', method: 'GET', path: '/v1/tokens' }],
  'GET /v1/tokens/{name}': () => [{ verb: 'get', kind: 'ApiToken', side: 'global', method: 'GET', path: '/v1/tokens/viewer-token' }],
  'DELETE /v1/tokens/{name}': () => [
    { verb: 'delete', kind: 'ApiToken', side: 'global', method: 'DELETE', path: '/v1/tokens/auditor-token' },
  ],
  'GET /v1/events': () => [
    { verb: 'list', kind: 'Event', side: 'any', method: 'GET', path: '/v1/events' },
    { verb: 'list', kind: 'Event', side: 'inside', method: 'GET', path: '/v1/events', query: { cluster: 'east-cluster' } },
  ],
  'GET /v1/{plural}': () => [
    ...CLUSTER_KINDS.map(([kind, plural]): Case => ({ verb: 'list', kind, side: 'any', method: 'GET', path: `/v1/${plural}` })),
    ...GLOBAL_KINDS.map(([kind, plural]): Case => ({ verb: 'list', kind, side: 'any', method: 'GET', path: `/v1/${plural}` })),
  ],
  'POST /v1/{plural}': () => [
    ...(['Placement', 'FleetDeployment', 'Policy', 'PolicySet'] as const).flatMap((kind) =>
      (['east', 'west'] as const).map((s): Case => ({
        verb: 'create',
        kind,
        side: s === 'east' ? 'inside' : 'outside',
        method: 'POST',
        path: `/v1/${CLUSTER_KINDS.find((k) => k[0] === kind)![1]}`,
        body: fleetObject(kind, s, `new-${s}`),
      })),
    ),
    // A new cluster or set is in no set yet: outside every scope.
    {
      verb: 'create',
      kind: 'Cluster',
      side: 'outside',
      method: 'POST',
      path: '/v1/clusters',
      body: fleetObject('Cluster', 'east', 'new-cluster'),
    },
    {
      verb: 'create',
      kind: 'ClusterSet',
      side: 'outside',
      method: 'POST',
      path: '/v1/clustersets',
      body: { ...fleetObject('ClusterSet', 'east'), metadata: { name: 'new-set' } },
    },
    ...GLOBAL_KINDS.map(([kind, plural]): Case => ({
      verb: 'create',
      kind,
      side: 'global',
      method: 'POST',
      path: `/v1/${plural}`,
      body: fleetObject(kind, 'east', 'new-one'),
    })),
  ],
  'GET /v1/{plural}/{name}': () => objectCases('get', 'GET'),
  'PUT /v1/{plural}/{name}': () => objectCases('update', 'PUT', (kind, side, name) => replaced(kind, side, name)),
  'PATCH /v1/{plural}/{name}': () => objectCases('patch', 'PATCH', () => ({ metadata: { labels: { touched: 'yes' } } })),
  'DELETE /v1/{plural}/{name}': () => objectCases('delete', 'DELETE'),
  'GET /v1/clusters/{cluster}/{plural}': () => sides('list', 'Work', 'GET', (s) => `/v1/clusters/${s}-cluster/works`),
  'POST /v1/clusters/{cluster}/{plural}': () =>
    sides(
      'create',
      'Work',
      'POST',
      (s) => `/v1/clusters/${s}-cluster/works`,
      (s: SideName) => fleetObject('Work', s, `new-${s}-work`),
    ),
  'GET /v1/clusters/{cluster}/{plural}/{name}': () => sides('get', 'Work', 'GET', (s) => `/v1/clusters/${s}-cluster/works/${s}-work`),
  'PUT /v1/clusters/{cluster}/{plural}/{name}': () =>
    sides(
      'update',
      'Work',
      'PUT',
      (s) => `/v1/clusters/${s}-cluster/works/${s}-work`,
      (s: SideName) => replaced('Work', s, `${s}-work`),
    ),
  'PATCH /v1/clusters/{cluster}/{plural}/{name}': () =>
    sides('patch', 'Work', 'PATCH', (s) => `/v1/clusters/${s}-cluster/works/${s}-work`, { metadata: { labels: { touched: 'yes' } } }),
  'DELETE /v1/clusters/{cluster}/{plural}/{name}': () =>
    sides('delete', 'Work', 'DELETE', (s) => `/v1/clusters/${s}-cluster/works/${s}-work`),
};

type SideName = 'east' | 'west';

function sides(verb: Verb, kind: string, method: string, path: (s: SideName) => string, body?: unknown): Case[] {
  return (['east', 'west'] as const).map((s) => ({
    verb,
    kind,
    side: s === 'east' ? 'inside' : 'outside',
    method,
    path: path(s),
    ...(body !== undefined ? { body: typeof body === 'function' ? (body as (s: 'east' | 'west') => unknown)(s) : body } : {}),
  }));
}

function objectCases(verb: Verb, method: string, body?: (kind: string, side: 'east' | 'west', name: string) => unknown): Case[] {
  return [
    ...CLUSTER_KINDS.flatMap(([kind, plural, east, west]) =>
      (['east', 'west'] as const).map((s): Case => ({
        verb,
        kind,
        side: s === 'east' ? 'inside' : 'outside',
        method,
        path: `/v1/${plural}/${s === 'east' ? east : west}`,
        ...(body ? { body: body(kind, s, s === 'east' ? east : west) } : {}),
      })),
    ),
    ...GLOBAL_KINDS.map(([kind, plural, name]): Case => ({
      verb,
      kind,
      side: 'global',
      method,
      path: `/v1/${plural}/${name}`,
      ...(body ? { body: body(kind, 'east', name) } : {}),
    })),
  ];
}

/** What each built-in role may do: the expectation, written out independently of the engine's tables. */
const READABLE = ['Cluster', 'ClusterSet', 'Work', 'Placement', 'FleetDeployment', 'Policy', 'PolicySet', 'Event', 'ComplianceEvent'];
const TEAM_WRITABLE = ['Work', 'Placement', 'FleetDeployment', 'Policy', 'PolicySet'];

function expected(role: BuiltInRole, c: Case): boolean {
  if (role === 'admin' || c.verb === 'self') return true;
  const read = c.verb === 'get' || c.verb === 'list';
  if (role === 'auditor') {
    return (
      (read && [...READABLE, 'AuditRecord'].includes(c.kind)) ||
      (c.verb === 'export' && ['ComplianceReport', 'AuditRecord'].includes(c.kind))
    );
  }
  // operator and viewer are bound to stores-east only.
  if (c.side !== 'inside' && c.side !== 'any') return false;
  if (read && READABLE.includes(c.kind)) return true;
  if (role === 'viewer') return false;
  return (
    (['create', 'update', 'patch', 'delete'].includes(c.verb) && TEAM_WRITABLE.includes(c.kind)) ||
    (c.verb === 'control' && c.kind === 'FleetDeployment')
  );
}

/** Allowed or refused, as the answer says: apply answers 200 with each document's own problem. */
function observed(c: Case, res: { status: number; body: any }): boolean {
  if (c.path === '/v1/apply' && res.status === 200)
    return res.body.results[0].action !== 'failed' || ![403, 404].includes(res.body.results[0].problem.status);
  return ![401, 403, 404].includes(res.status);
}

/** Names of the other team's objects: none may appear in a scoped caller's successful answer. */
const OUTSIDE = /west-|stores-west/;

let fleet: TenancyFleet;
beforeAll(async () => {
  fleet = await tenancyFleet();
}, 60_000);

describe('authorization matrix', () => {
  const routes = adminRouteTable(memoryHubContext().ctx, composeCapabilities().routes.admin).filter((r) => !r.public);
  const keys = routes.map((r) => `${r.method} ${r.pattern}`);

  it('has a row for every admin route, and no row for a route that does not exist', () => {
    expect(keys.filter((k) => !ROWS[k])).toEqual([]);
    expect(Object.keys(ROWS).filter((k) => !keys.includes(k))).toEqual([]);
  });

  it.each(keys)('%s: every role × inside/outside × token/OIDC as expected, with 0 leaks', async (key) => {
    const failures: string[] = [];
    let dirty = false;
    for (const role of ROLES) {
      for (const via of ['token', 'oidc'] as Credential[]) {
        for (const c of ROWS[key]()) {
          // A write that went through changes the fleet: the next case gets a fresh one.
          if (dirty) fleet = await tenancyFleet();
          const res = await fleet.call(fleet.bearer(role, via), c.method, c.path, c.body, c.query);
          const allowed = observed(c, res);
          dirty = allowed && c.method !== 'GET';
          const what = `${role}/${via} ${c.verb} ${c.kind} ${c.side} ${c.method} ${c.path}`;
          if (allowed !== expected(role, c))
            failures.push(
              `${what}: expected ${expected(role, c) ? 'allow' : 'deny'}, got ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`,
            );
          if (!allowed && res.status === 403 && !res.body.authorization && c.path !== '/v1/apply')
            failures.push(`${what}: a 403 without the refused verb, kind and rule`);
          // Apply's refused documents name only what the caller sent; what it was answered is the rest.
          const shown =
            c.path === '/v1/apply' && res.status === 200 ? res.body.results.filter((r: any) => r.action !== 'failed') : res.body;
          const text = typeof shown === 'string' ? shown : JSON.stringify(shown ?? '');
          if ((role === 'operator' || role === 'viewer') && res.status < 300 && OUTSIDE.test(text))
            failures.push(`${what}: LEAK ${text.slice(0, 300)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it.each(keys)('%s: refuses expired and revoked tokens', async (key) => {
    const c = ROWS[key]()[0];
    for (const bearer of [fleet.expiredToken, fleet.revokedToken]) {
      const res = await fleet.call(bearer, c.method, c.path, c.body, c.query);
      expect(res.status).toBe(403);
      expect(res.body.detail).toMatch(/not valid/);
    }
  });
});

describe('agent and admin credentials stay apart', () => {
  it('an agent credential opens no admin route, and an admin token no agent route', async () => {
    const hub = memoryHubContext({ config: { hubUrl: 'https://hub.example.com' } });
    const f = fleet;
    const imported = await f.admin('POST', '/v1/clusters/agent-one/import', { autoAccept: true });
    expect(imported.status).toBe(200);
    const { bootstrapToken } = parseImportManifest(imported.body.manifest as string, 'manifest');
    const agentApi = createAgentApi(f.hub.ctx, composeCapabilities().routes.agent);
    const agent = async (method: string, path: string, bearer: string, body?: unknown) => {
      try {
        const res = await agentApi({
          method,
          path,
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
          query: {},
          body: body === undefined ? '' : JSON.stringify(body),
          params: {},
          requestId: 'x',
          sourceIp: '192.0.2.9',
        });
        return res.status;
      } catch (err) {
        return toProblem(err).problem.status;
      }
    };
    const joined = await (async () => {
      const res = await agentApi({
        method: 'POST',
        path: '/agent/v1/join',
        headers: { authorization: `Bearer ${bootstrapToken}`, 'content-type': 'application/json' },
        query: {},
        body: JSON.stringify({ cluster: 'agent-one', agentVersion: '0.1.0', claims: [{ name: 'id.k8s.io', value: 'uid-agent-one' }] }),
        params: {},
        requestId: 'x',
        sourceIp: '192.0.2.9',
      });
      return res.body as { credential: string };
    })();
    expect(joined.credential).toEqual(expect.any(String));
    expect(await agent('GET', '/agent/v1/desired', joined.credential)).toBe(200);
    // The agent's credential and bootstrap token are no admin tokens.
    for (const bearer of [joined.credential, bootstrapToken]) {
      const res = await f.call(bearer, 'GET', '/v1/clusters');
      expect(res.status).toBe(403);
    }
    // Admin identities are no agent credentials.
    for (const bearer of [f.bearer('admin', 'token'), f.bearer('admin', 'oidc')]) {
      expect([401, 403]).toContain(await agent('GET', '/agent/v1/desired', bearer));
    }
    expect(hub).toBeDefined();
  });
});

afterAll(() => undefined);
