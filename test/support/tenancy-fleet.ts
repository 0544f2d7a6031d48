import { DEFAULT_AUTH_FAILURE_LIMIT } from '../../lambdas/core/context.js';
import { UnauthenticatedError } from '../../shared/errors.js';
import type { BuiltInRole, Principal } from '../../shared/tenancy.js';
import { issueToken, revokeToken } from '../../lambdas/capabilities/tenancy/tokens.js';
import { composeCapabilities } from '../../lambdas/handlers/compose.js';
import { createAdminApi } from '../../lambdas/http/admin-api.js';
import { toProblem } from '../../lambdas/http/problem.js';
import type { HttpRequest } from '../../lambdas/http/request.js';
import { memoryHubContext, type MemoryHub } from './memory-hub.js';

/**
 * Two teams on one memory hub, for the tenancy tests: cluster sets `stores-east` and `stores-west`,
 * a cluster, a placement, a rollout, a policy and a work in each (all named `east-*` or `west-*`),
 * a custom role and a binding (outside every set), and credentials for every built-in role: API
 * tokens and OIDC identities (a stub verifier: the tests run no issuer), each operator and viewer
 * bound to `stores-east`, admin and auditor unscoped; plus an expired and a revoked token.
 */

export const API = 'tether.dev/v1alpha1';
export const ROLES: readonly BuiltInRole[] = ['admin', 'operator', 'viewer', 'auditor'];
/** The set scoped roles are bound to. */
export const HOME_SET = 'stores-east';
/** Roles bound to {@link HOME_SET}; the others are unscoped. */
export const SCOPED_ROLES: readonly BuiltInRole[] = ['operator', 'viewer'];

/** How a caller authenticates. */
export type Credential = 'token' | 'oidc';

export interface TenancyFleet {
  hub: MemoryHub;
  /** The bearer token of a role's caller. */
  bearer(role: BuiltInRole, via: Credential): string;
  expiredToken: string;
  revokedToken: string;
  call(
    bearer: string,
    method: string,
    path: string,
    body?: unknown,
    query?: Record<string, string>,
  ): Promise<{ status: number; body: any }>;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop' }, data: { v: '1' } });

/** An object document of the fleet, for side `east` or `west`. */
export function fleetObject(kind: string, side: 'east' | 'west', name = `${side}-${kind.toLowerCase()}`): Record<string, unknown> {
  const set = `stores-${side}`;
  const specs: Record<string, unknown> = {
    // Tolerating unreachable: the fleet's clusters have no agents, yet placements choose them.
    Placement: { clusterSets: [set], tolerations: [{ key: 'tether.dev/unreachable', operator: 'Exists' }] },
    FleetDeployment: { template: { workload: { manifests: [configMap(name)] } }, placementRef: { name: `${side}-placement` } },
    Policy: {
      placementRef: { name: `${side}-placement` },
      policyTemplates: [{ objectTemplates: [{ complianceType: 'musthave', objectDefinition: configMap(name) }] }],
    },
    PolicySet: { policies: [`${side}-policy`], placementRef: { name: `${side}-placement` } },
    Work: { workload: { manifests: [configMap(name)] } },
    Cluster: {},
    ClusterSet: {},
    Role: { rules: [{ effect: 'allow', verbs: ['control'], kinds: ['FleetDeployment'] }] },
    RoleBinding: { subjects: [{ kind: 'User', name: 'nobody@example.com' }], roleRef: { name: 'viewer' }, clusterSets: [] },
  };
  const labels = kind === 'Cluster' ? { 'tether.dev/clusterset': set } : undefined;
  return {
    apiVersion: API,
    kind,
    metadata: {
      name: kind === 'ClusterSet' ? set : name,
      ...(labels ? { labels } : {}),
      ...(kind === 'Work' ? { namespace: `${side}-cluster` } : {}),
    },
    spec: specs[kind] ?? {},
  };
}

function request(method: string, path: string, bearer: string, body?: unknown, query: Record<string, string> = {}): HttpRequest {
  return {
    method,
    path,
    headers: { authorization: `Bearer ${bearer}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    query,
    body: body === undefined ? '' : JSON.stringify(body),
    params: {},
    requestId: 'tenancy',
    sourceIp: '192.0.2.7',
  };
}

/** A JWT-shaped bearer the stub verifier maps to an OIDC user of `role`'s team. */
function oidcBearer(role: string): string {
  return `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(role).toString('base64url')}.c2ln`;
}

/** Builds the two-team fleet (every object created through the admin API as the admin). */
export async function tenancyFleet(): Promise<TenancyFleet> {
  // The matrix sends hundreds of refused credentials from one address on purpose: the per-source
  // limit of failed authentications (tested in test/integration/sso/auth-failure-limit.test.ts)
  // would answer them 429 before the checks the matrix is about.
  const hub = memoryHubContext({
    config: { hubUrl: 'https://hub.example.com', authFailureLimit: { ...DEFAULT_AUTH_FAILURE_LIMIT, failuresPerSecond: 0 } },
  });
  hub.ctx.oidc = {
    async verify(token: string): Promise<Principal> {
      const role = Buffer.from(token.split('.')[1], 'base64url').toString();
      if (!(ROLES as readonly string[]).includes(role)) throw new UnauthenticatedError('the OIDC token is not valid');
      return { source: 'oidc', username: `${role}@example.com`, uid: `sub-${role}`, groups: [`team-${role}`] };
    },
  };
  const { routes } = composeCapabilities();
  const api = createAdminApi(hub.ctx, routes.admin);
  const call = async (bearer: string, method: string, path: string, body?: unknown, query?: Record<string, string>) => {
    try {
      const res = await api(request(method, path, bearer, body, query));
      const parsed = res.body !== undefined ? res.body : res.raw;
      return { status: res.status, body: parsed as any };
    } catch (err) {
      const { problem } = toProblem(err);
      return { status: problem.status, body: problem as any };
    }
  };
  const tokens = new Map<string, string>();
  const adminToken = 'tha_matrix-admin';
  await issueToken(hub.ctx.ports, adminToken, { name: 'admin-token', role: 'admin' });
  tokens.set('admin/token', adminToken);
  const admin = (method: string, path: string, body?: unknown) => call(adminToken, method, path, body);
  const must = async (what: string, res: Promise<{ status: number; body: any }>) => {
    const r = await res;
    if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  };

  for (const side of ['east', 'west'] as const) {
    await must(`clusterset ${side}`, admin('POST', '/v1/clustersets', fleetObject('ClusterSet', side)));
    await must(`cluster ${side}`, admin('POST', '/v1/clusters', fleetObject('Cluster', side, `${side}-cluster`)));
  }
  await hub.settle();
  for (const side of ['east', 'west'] as const) {
    await must(`placement ${side}`, admin('POST', '/v1/placements', fleetObject('Placement', side, `${side}-placement`)));
    await must(`policy ${side}`, admin('POST', '/v1/policies', fleetObject('Policy', side, `${side}-policy`)));
    await must(`policyset ${side}`, admin('POST', '/v1/policysets', fleetObject('PolicySet', side, `${side}-policyset`)));
    await must(
      `fleetdeployment ${side}`,
      admin('POST', '/v1/fleetdeployments', fleetObject('FleetDeployment', side, `${side}-fleetdeployment`)),
    );
    await must(`work ${side}`, admin('POST', `/v1/clusters/${side}-cluster/works`, fleetObject('Work', side, `${side}-work`)));
  }
  await must('role', admin('POST', '/v1/roles', fleetObject('Role', 'east', 'releaser')));
  await must('rolebinding', admin('POST', '/v1/rolebindings', fleetObject('RoleBinding', 'east', 'nobody')));
  for (const role of ROLES) {
    const scoped = SCOPED_ROLES.includes(role) ? [HOME_SET] : [];
    const token = `tha_matrix-${role}`;
    await issueToken(hub.ctx.ports, token, { name: `${role}-token`, role, ...(scoped.length ? { clusterSets: scoped } : {}) });
    if (role !== 'admin') tokens.set(`${role}/token`, token);
    await must(
      `binding ${role}`,
      admin('POST', '/v1/rolebindings', {
        apiVersion: API,
        kind: 'RoleBinding',
        metadata: { name: `team-${role}` },
        spec: { subjects: [{ kind: 'Group', name: `team-${role}` }], roleRef: { name: role }, clusterSets: scoped },
      }),
    );
    tokens.set(`${role}/oidc`, oidcBearer(role));
  }
  const expiredToken = 'tha_matrix-expired';
  await issueToken(hub.ctx.ports, expiredToken, { name: 'expired-token', role: 'admin', expiresAt: hub.clock.now() - 1 });
  const revokedToken = 'tha_matrix-revoked';
  await issueToken(hub.ctx.ports, revokedToken, { name: 'revoked-token', role: 'admin' });
  await revokeToken(hub.ctx.ports, 'revoked-token');
  await hub.settle();
  return {
    hub,
    bearer: (role, via) => tokens.get(`${role}/${via}`)!,
    expiredToken,
    revokedToken,
    call,
    admin,
  };
}
