import { describe, expect, it } from '@jest/globals';
import { jsonPathSyntaxProblem, parseDefinitePath } from '../../../../lambdas/capabilities/sync/json-path.js';
import { applyMutations } from '../../../../lambdas/capabilities/sync/mutations.js';
import { selectClusters, type ClusterView } from '../../../../lambdas/capabilities/sync/selection.js';
import { resolveConflicts, type Candidate } from '../../../../lambdas/capabilities/sync/desired-sync.js';
import { syncRuleSpecErrors } from '../../../../lambdas/capabilities/sync/validation.js';
import { SyncRuleSpecSchema, type SyncRuleSpec } from '../../../../shared/resources/sync-rule.js';

const spec = (s: Record<string, unknown>): SyncRuleSpec =>
  SyncRuleSpecSchema.parse({ resource: { version: 'v1', kind: 'Secret' }, rules: [{}], sources: { clusterSelector: {} }, ...s });

describe('SyncRule validation', () => {
  it('names every bad field by its path', () => {
    const errors = syncRuleSpecErrors(
      spec({
        resource: { group: 'Bad_Group', version: '1', kind: 'secrets' },
        rules: [
          {
            match: [{ content: [{ path: '$.data[', value: 'x' }] }],
            mutations: {
              overrides: [
                { path: '.data[*]', value: 'x' },
                { path: '$..name', value: 'x' },
                { path: ".metadata.labels['app.kubernetes.io/name']", value: 'ok' },
              ],
              labels: { remove: ['not a key!'] },
              groupVersionKind: { group: '', version: 'v1beta', kind: 'Thing' },
            },
          },
        ],
        sources: {},
      }),
    );
    expect(errors.map((e) => e.path)).toEqual([
      'spec.resource.group',
      'spec.resource.version',
      'spec.resource.kind',
      'spec.rules.0.match.0.content.0.path',
      'spec.rules.0.mutations.overrides.0.path',
      'spec.rules.0.mutations.overrides.1.path',
      'spec.rules.0.mutations.labels.remove.0',
      'spec.rules.0.mutations.groupVersionKind.version',
      'spec.sources',
    ]);
    expect(errors.find((e) => e.path === 'spec.rules.0.mutations.overrides.0.path')!.message).toMatch(/definite/);
    expect(errors.find((e) => e.path === 'spec.sources')!.message).toMatch(
      /at least one of clusterSelector, clusterSets or clusterFeatureMatch/,
    );
  });

  it('accepts a sound rule', () => {
    expect(
      syncRuleSpecErrors(spec({ resource: { group: 'apps', version: 'v1', kind: 'Deployment' }, sources: { clusterSets: ['eu'] } })),
    ).toEqual([]);
  });
});

describe('JSONPath syntax', () => {
  it('refuses what an evaluation against an empty object lets through', () => {
    for (const bad of ['$.data[', '$.a[?(@.b', '$.a[?(@.b==)]', "$.a['x", '$.a]', '$[', '$.a.', '$.a[?(@.b ==== 2)]'])
      expect([bad, jsonPathSyntaxProblem(bad)]).toEqual([bad, expect.stringMatching(/not a valid JSONPath/)]);
    for (const good of [
      '.data.tier',
      '$.a[0].b',
      '$.a.*.b',
      '$..x',
      "$.a['b.c']",
      '$.a[?(@.b==1)].c',
      '$.a[0,1]',
      '$.a[1:3]',
      '{.spec.replicas}',
    ])
      expect([good, jsonPathSyntaxProblem(good)]).toEqual([good, undefined]);
  });
});

describe('definite JSONPaths', () => {
  it('parses properties, quoted keys and indexes in both notations', () => {
    expect(parseDefinitePath('.spec.containers[0].image')).toEqual({ segments: ['spec', 'containers', 0, 'image'] });
    expect(parseDefinitePath("$.metadata.labels['app.kubernetes.io/name']")).toEqual({
      segments: ['metadata', 'labels', 'app.kubernetes.io/name'],
    });
    expect(parseDefinitePath('{.data.tier}')).toEqual({ segments: ['data', 'tier'] });
    for (const bad of ['$.a[*]', '$..a', '$.a[?(@.b)]', '$.a[0:2]', '$']) expect(parseDefinitePath(bad)).toHaveProperty('problem');
  });
});

describe('mutations', () => {
  const source = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'cm',
      namespace: 'ns',
      uid: 'u',
      resourceVersion: '9',
      managedFields: [{}],
      creationTimestamp: 't',
      ownerReferences: [{}],
      labels: { a: '1', drop: 'x' },
      annotations: { keep: 'y' },
    },
    data: { tier: 'gold' },
    status: { phase: 'x' },
  };

  it('drops server-set metadata and status, edits labels and annotations, sets overrides and rewrites the GVK', () => {
    const out = applyMutations(source, {
      labels: { add: { b: '2', drop: 'kept' }, remove: ['drop', 'a'] },
      annotations: { remove: ['keep'] },
      overrides: [
        { path: '.data.tier', value: 'silver' },
        { path: '.spec.list[1].x', value: 5 },
      ],
      groupVersionKind: { group: 'example.com', version: 'v2', kind: 'Settings' },
      syncStatus: false,
    });
    expect(out).toEqual({
      apiVersion: 'example.com/v2',
      kind: 'Settings',
      metadata: { name: 'cm', namespace: 'ns', labels: { b: '2', drop: 'kept' } },
      data: { tier: 'silver' },
      spec: { list: [undefined, { x: 5 }] },
    });
    expect(source.data.tier).toBe('gold'); // the input is never modified
  });

  it('keeps status with syncStatus', () => {
    expect(applyMutations(source, { syncStatus: true }).status).toEqual({ phase: 'x' });
    expect(applyMutations(source, undefined).status).toBeUndefined();
  });
});

describe('selection of sources and destinations', () => {
  const c = (
    name: string,
    labels: Record<string, string>,
    sets: string[] = [],
    claims: { name: string; value: string }[] = [],
  ): ClusterView => ({
    name,
    labels,
    sets,
    metadata: { labels },
    status: { claims },
  });
  const fleet = [
    c('a', { env: 'prod' }, ['eu'], [{ name: 'feature.tether.dev/vault', value: '{"tier":"gold"}' }]),
    c('b', { env: 'prod', 'sync.tether.dev/disabled': 'r' }, ['eu']),
    c('c', { env: 'dev' }, ['us']),
    c('d', { env: 'prod', 'sync.tether.dev/disabled': 'all', 'feature.tether.dev/vault': 'true' }, ['eu']),
    c('e', { 'sync.tether.dev/disabled': 'other-rule' }, ['eu']),
  ];

  it("ANDs the source fields; destinations are the sources' sets minus the opted out", () => {
    const s = selectClusters('r', spec({ sources: { clusterSelector: { matchLabels: { env: 'prod' } }, clusterSets: ['eu'] } }), fleet);
    expect(s).toEqual({ sources: ['a', 'b', 'd'], destinations: ['a', 'e'], optedOut: ['b', 'd'] });
  });

  it('selects by feature (claims and hub labels, matchLabels), and every cluster without sets', () => {
    expect(selectClusters('r', spec({ sources: { clusterFeatureMatch: [{ featureName: 'vault' }] } }), fleet).sources).toEqual(['a', 'd']);
    const gold = selectClusters(
      'r',
      spec({ sources: { clusterFeatureMatch: [{ featureName: 'vault', matchLabels: { tier: 'gold' } }] } }),
      fleet,
    );
    expect(gold.sources).toEqual(['a']);
    expect(gold.destinations).toEqual(['a', 'c', 'e']);
  });

  it("takes the placement's decisions when the rule names one", () => {
    const s = selectClusters('r', spec({ placementRef: { name: 'p' } }), fleet, new Set(['b', 'c']));
    expect(s.destinations).toEqual(['c']);
    expect(s.optedOut).toEqual(['b']);
  });
});

describe('conflicts between sources', () => {
  const cand = (source: string, firstSeen: number, key = 'ns/x'): Candidate => ({ source, firstSeen, key, object: {} as never });
  it('keeps the earliest first seen, then the source name, whatever the order', () => {
    const a = resolveConflicts([cand('zeta', 5), cand('alpha', 9), cand('beta', 5), cand('solo', 1, 'ns/y')]);
    const b = resolveConflicts([cand('solo', 1, 'ns/y'), cand('beta', 5), cand('alpha', 9), cand('zeta', 5)]);
    expect(a.kept.map((k) => k.source)).toEqual(['beta', 'solo']);
    expect(b.kept.map((k) => k.source)).toEqual(['beta', 'solo']);
    expect(a.conflicts.get('ns/x')).toEqual({ kept: 'beta', ignored: ['zeta', 'alpha'] });
  });
});
