import { describe, expect, it } from '@jest/globals';
import { decide, UNSCOPED, type Grant, type ObjectScope } from '../../../lambdas/core/authz/engine.js';
import { bindsPrincipal, grantsFor, type BindingSnapshot } from '../../../lambdas/core/authz/grants.js';
import { BUILT_IN_ROLE_RULES } from '../../../lambdas/core/authz/roles.js';
import type { Principal, RoleRule, Verb } from '../../../shared/tenancy.js';

const role = (name: keyof typeof BUILT_IN_ROLE_RULES, clusterSets?: string[]): Grant => ({
  source: `binding/${name}`,
  role: name,
  rules: BUILT_IN_ROLE_RULES[name],
  ...(clusterSets ? { clusterSets } : {}),
});
const custom = (source: string, rules: RoleRule[], clusterSets?: string[]): Grant => ({
  source,
  role: 'custom',
  rules,
  ...(clusterSets ? { clusterSets } : {}),
});

const east: ObjectScope = { match: 'any', sets: ['stores-east'] };
const west: ObjectScope = { match: 'any', sets: ['stores-west'] };
const eastAndWest: ObjectScope = { match: 'any', sets: ['stores-east', 'stores-west'] };
const choosesEast: ObjectScope = { match: 'all', sets: ['stores-east'] };
const choosesBoth: ObjectScope = { match: 'all', sets: ['stores-east', 'stores-west'] };

describe('the authorization decision', () => {
  const cases: [string, Grant[], Verb, string, ObjectScope | undefined, boolean, RegExp?][] = [
    ['admin may do anything anywhere', [role('admin')], 'delete', 'RoleBinding', UNSCOPED, true],
    ['nothing bound: refused', [], 'get', 'Cluster', undefined, false, /no role bound/],
    ['viewer reads clusters of its set', [role('viewer', ['stores-east'])], 'get', 'Cluster', east, true],
    [
      'viewer does not read another set',
      [role('viewer', ['stores-east'])],
      'get',
      'Cluster',
      west,
      false,
      /only within cluster sets stores-east/,
    ],
    ['a cluster in two sets is within either', [role('viewer', ['stores-east'])], 'list', 'Cluster', eastAndWest, true],
    ['a cluster in no set: unscoped grants only', [role('viewer', ['stores-east'])], 'get', 'Cluster', UNSCOPED, false],
    ['unscoped viewer reads a cluster in no set', [role('viewer')], 'get', 'Cluster', UNSCOPED, true],
    ['viewer may not write', [role('viewer', ['stores-east'])], 'create', 'Work', east, false, /no role bound/],
    ['operator writes placements choosing its set', [role('operator', ['stores-east'])], 'create', 'Placement', choosesEast, true],
    ['operator may not choose beyond its sets', [role('operator', ['stores-east'])], 'create', 'Placement', choosesBoth, false],
    ['operator may not choose every cluster', [role('operator', ['stores-east'])], 'create', 'Placement', UNSCOPED, false],
    [
      'two scoped bindings together cover both sets',
      [role('operator', ['stores-east']), role('operator', ['stores-west'])],
      'update',
      'Placement',
      choosesBoth,
      true,
    ],
    ['operator controls rollouts', [role('operator', ['stores-east'])], 'control', 'FleetDeployment', choosesEast, true],
    ['operator does not control clusters', [role('operator', ['stores-east'])], 'control', 'Cluster', east, false],
    ['operator does not write roles', [role('operator', ['stores-east'])], 'create', 'RoleBinding', UNSCOPED, false],
    ['auditor reads the audit trail', [role('auditor')], 'list', 'AuditRecord', undefined, true],
    ['auditor exports reports', [role('auditor')], 'export', 'ComplianceReport', undefined, true],
    ['auditor writes nothing', [role('auditor')], 'patch', 'Policy', UNSCOPED, false],
    ['viewer does not read the audit trail', [role('viewer')], 'list', 'AuditRecord', undefined, false],
    ['nobody but admin reads tokens', [role('viewer'), role('auditor'), role('operator')], 'list', 'ApiToken', undefined, false],
    [
      'deny wins over an unscoped allow',
      [role('admin'), custom('binding/no-deletes', [{ effect: 'deny', verbs: ['delete'], kinds: ['Policy'] }])],
      'delete',
      'Policy',
      choosesEast,
      false,
      /deny wins: binding\/no-deletes/,
    ],
    [
      'a scoped deny refuses only within its sets',
      [role('admin'), custom('binding/freeze-east', [{ effect: 'deny', verbs: ['*'], kinds: ['FleetDeployment'] }], ['stores-east'])],
      'control',
      'FleetDeployment',
      { match: 'all', sets: ['stores-west'] },
      true,
    ],
    [
      'a scoped deny refuses within its sets',
      [role('admin'), custom('binding/freeze-east', [{ effect: 'deny', verbs: ['*'], kinds: ['FleetDeployment'] }], ['stores-east'])],
      'control',
      'FleetDeployment',
      choosesBoth,
      false,
      /deny wins: binding\/freeze-east .* in cluster sets stores-east/,
    ],
    [
      'a deny covering every allowed set refuses the kind',
      [role('operator', ['stores-east']), custom('binding/x', [{ effect: 'deny', verbs: ['delete'], kinds: ['Work'] }], ['stores-east'])],
      'delete',
      'Work',
      undefined,
      false,
      /deny wins/,
    ],
    [
      'custom role: verbs × kinds',
      [custom('binding/releaser', [{ effect: 'allow', verbs: ['control'], kinds: ['FleetDeployment'] }], ['stores-east'])],
      'control',
      'FleetDeployment',
      choosesEast,
      true,
    ],
    [
      'custom role: another kind is refused',
      [custom('binding/releaser', [{ effect: 'allow', verbs: ['control'], kinds: ['FleetDeployment'] }], ['stores-east'])],
      'delete',
      'FleetDeployment',
      choosesEast,
      false,
    ],
    ['kind-level: allowed somewhere', [role('viewer', ['stores-east'])], 'list', 'Work', undefined, true],
  ];

  // Every row padded to 7 values, so jest does not hand a `done` callback in place of the reason.
  const rows = cases.map((c) => [c[0], c[1], c[2], c[3], c[4], c[5], c[6] ?? null] as const);
  it.each(rows)('%s', (_name, grants, verb, kind, object, allowed, reason) => {
    const d = decide(grants, verb, kind, object);
    expect(d.allowed).toBe(allowed);
    if (reason) expect(d.reason).toMatch(reason);
  });

  it('names the sets a scoped allowance is confined to, and none when unscoped', () => {
    expect(decide([role('viewer', ['b', 'a'])], 'get', 'Cluster').clusterSets).toEqual(['a', 'b']);
    expect(decide([role('viewer', ['a']), role('viewer')], 'get', 'Cluster').clusterSets).toBeUndefined();
  });
});

describe('grants of a principal', () => {
  const snapshot: BindingSnapshot = {
    roles: new Map([['releaser', [{ effect: 'allow', verbs: ['control'], kinds: ['FleetDeployment'] }]]]),
    bindings: [
      {
        name: 'east-team',
        spec: { subjects: [{ kind: 'Group', name: 'team-east' }], roleRef: { name: 'operator' }, clusterSets: ['stores-east'] },
      },
      { name: 'alice', spec: { subjects: [{ kind: 'User', name: 'alice@example.com' }], roleRef: { name: 'releaser' }, clusterSets: [] } },
      { name: 'ci', spec: { subjects: [{ kind: 'Token', name: 'ci' }], roleRef: { name: 'viewer' }, clusterSets: [] } },
      { name: 'ghost', spec: { subjects: [{ kind: 'User', name: 'bob' }], roleRef: { name: 'no-such-role' }, clusterSets: [] } },
    ],
  };
  const alice: Principal = { source: 'oidc', username: 'alice@example.com', uid: 'sub-1', groups: ['team-east'] };

  it('binds users and groups (OIDC) and tokens by name', () => {
    expect(grantsFor(alice, snapshot).map((g) => g.source)).toEqual(['binding/east-team', 'binding/alice']);
    const ci: Principal = { source: 'token', username: 'token:ci', uid: 'ci', groups: [] };
    expect(
      grantsFor(ci, snapshot, { name: 'ci', role: 'operator', clusterSets: ['stores-west'] }).map((g) => [g.source, g.role, g.clusterSets]),
    ).toEqual([
      ['token/ci', 'operator', ['stores-west']],
      ['binding/ci', 'viewer', undefined],
    ]);
  });

  it('a token binding never matches an OIDC user of the same name', () => {
    expect(bindsPrincipal(snapshot.bindings[2].spec, { source: 'oidc', username: 'ci', uid: 'ci', groups: [] })).toBe(false);
  });

  it('an unknown role grants nothing', () => {
    const bob: Principal = { source: 'oidc', username: 'bob', uid: 'b', groups: [] };
    const grants = grantsFor(bob, snapshot);
    expect(grants[0].rules).toEqual([]);
    expect(decide(grants, 'get', 'Cluster').allowed).toBe(false);
  });
});
