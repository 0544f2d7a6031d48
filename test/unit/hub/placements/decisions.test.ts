import { describe, expect, it } from '@jest/globals';
import {
  computeDecisions,
  decideIncremental,
  type PreviousDecision,
} from '../../../../lambdas/capabilities/placements/compute-decisions.js';
import type { ClusterFacts } from '../../../../lambdas/capabilities/placements/eligibility.js';
import type { Taint } from '../../../../shared/resources/cluster.js';
import { PlacementSpecSchema, type PlacementSpec } from '../../../../shared/resources/placement.js';

const NOW = Date.parse('2026-11-24T12:00:00Z');

function spec(input: Record<string, unknown> = {}): PlacementSpec {
  return PlacementSpecSchema.parse(input);
}

function cluster(name: string, extra: Partial<ClusterFacts> = {}): ClusterFacts {
  return { name, labels: {}, claims: {}, taints: [], clusterSets: [], leaving: false, ...extra };
}

function names(result: { decisions: { cluster: string }[] }): string[] {
  return result.decisions.map((d) => d.cluster);
}

const none = new Map<string, PreviousDecision>();

describe('computeDecisions: cluster sets', () => {
  const fleet = [
    cluster('a', { clusterSets: ['stores'] }),
    cluster('b', { clusterSets: ['stores', 'east'] }),
    cluster('c', { clusterSets: ['factories'] }),
    cluster('d'),
  ];

  it('an empty clusterSets list chooses from every cluster', () => {
    expect(names(computeDecisions({ spec: spec() }, fleet, none, { now: NOW }))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('chooses only members of the named sets (any of them)', () => {
    expect(names(computeDecisions({ spec: spec({ clusterSets: ['stores'] }) }, fleet, none, { now: NOW }))).toEqual(['a', 'b']);
    expect(names(computeDecisions({ spec: spec({ clusterSets: ['east', 'factories'] }) }, fleet, none, { now: NOW }))).toEqual(['b', 'c']);
  });

  it('never chooses a cluster that is being removed or detached', () => {
    const out = computeDecisions({ spec: spec() }, [cluster('a'), cluster('gone', { leaving: true })], none, { now: NOW });
    expect(names(out)).toEqual(['a']);
  });

  it('ignores a candidate listed twice', () => {
    const out = computeDecisions({ spec: spec() }, [cluster('a'), cluster('a')], none, { now: NOW });
    expect(out.numberOfSelectedClusters).toBe(1);
  });
});

describe('computeDecisions: predicates', () => {
  const fleet = [
    cluster('east-1', {
      labels: { region: 'east', tier: 'store' },
      claims: { 'kubeversion.tether.dev': 'v1.31.2', 'platform.tether.dev': 'k3s' },
    }),
    cluster('east-2', { labels: { region: 'east', tier: 'lab' }, claims: { 'kubeversion.tether.dev': 'v1.29.0' } }),
    cluster('west-1', { labels: { region: 'west', tier: 'store' }, claims: { 'platform.tether.dev': 'eks' } }),
  ];

  it('ANDs the label and claim selectors within one predicate', () => {
    const s = spec({
      predicates: [
        {
          requiredClusterSelector: {
            labelSelector: { matchLabels: { region: 'east' } },
            claimSelector: { matchExpressions: [{ key: 'platform.tether.dev', operator: 'In', values: ['k3s'] }] },
          },
        },
      ],
    });
    expect(names(computeDecisions({ spec: s }, fleet, none, { now: NOW }))).toEqual(['east-1']);
  });

  it('ORs predicates: a cluster matching any one is chosen', () => {
    const s = spec({
      predicates: [
        { requiredClusterSelector: { labelSelector: { matchLabels: { tier: 'lab' } } } },
        { requiredClusterSelector: { labelSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['west'] }] } } },
      ],
    });
    expect(names(computeDecisions({ spec: s }, fleet, none, { now: NOW }))).toEqual(['east-2', 'west-1']);
  });

  it('claim operators: Exists, DoesNotExist, NotIn', () => {
    const by = (req: Record<string, unknown>) =>
      names(
        computeDecisions(
          { spec: spec({ predicates: [{ requiredClusterSelector: { claimSelector: { matchExpressions: [req] } } }] }) },
          fleet,
          none,
          { now: NOW },
        ),
      );
    expect(by({ key: 'kubeversion.tether.dev', operator: 'Exists' })).toEqual(['east-1', 'east-2']);
    expect(by({ key: 'kubeversion.tether.dev', operator: 'DoesNotExist' })).toEqual(['west-1']);
    // NotIn also matches clusters without the claim, as label selectors do.
    expect(by({ key: 'platform.tether.dev', operator: 'NotIn', values: ['eks'] })).toEqual(['east-1', 'east-2']);
  });

  it('an empty selector in a predicate matches every cluster', () => {
    expect(
      names(computeDecisions({ spec: spec({ predicates: [{ requiredClusterSelector: {} }] }) }, fleet, none, { now: NOW })),
    ).toHaveLength(3);
  });
});

describe('computeDecisions: taints and tolerations', () => {
  const unreachable: Taint = { key: 'tether.dev/unreachable', effect: 'NoSelect', timeAdded: '2026-11-24T11:58:00Z' };
  const unavailable: Taint = { key: 'tether.dev/unavailable', effect: 'NoSelect', timeAdded: '2026-11-24T11:00:00Z' };
  const fleet = [
    cluster('ok'),
    cluster('lost', { taints: [unreachable] }),
    cluster('sick', { taints: [unavailable] }),
    cluster('maint', { taints: [{ key: 'maintenance', value: 'true', effect: 'NoSelect' }] }),
  ];

  it('excludes clusters the hub tainted unreachable or unavailable unless tolerated', () => {
    expect(names(computeDecisions({ spec: spec() }, fleet, none, { now: NOW }))).toEqual(['ok']);
  });

  it('a toleration by key (Exists) admits the unreachable cluster', () => {
    const s = spec({ tolerations: [{ key: 'tether.dev/unreachable', operator: 'Exists' }] });
    expect(names(computeDecisions({ spec: s }, fleet, none, { now: NOW }))).toEqual(['lost', 'ok']);
  });

  it('Equal compares the value; an empty key with Exists tolerates every taint', () => {
    expect(
      names(computeDecisions({ spec: spec({ tolerations: [{ key: 'maintenance', value: 'true' }] }) }, fleet, none, { now: NOW })),
    ).toEqual(['maint', 'ok']);
    expect(
      names(computeDecisions({ spec: spec({ tolerations: [{ key: 'maintenance', value: 'false' }] }) }, fleet, none, { now: NOW })),
    ).toEqual(['ok']);
    expect(names(computeDecisions({ spec: spec({ tolerations: [{ operator: 'Exists' }] }) }, fleet, none, { now: NOW }))).toEqual([
      'lost',
      'maint',
      'ok',
      'sick',
    ]);
  });

  it('a toleration for another effect does not match', () => {
    const s = spec({ tolerations: [{ key: 'tether.dev/unreachable', operator: 'Exists', effect: 'PreferNoSelect' }] });
    expect(names(computeDecisions({ spec: s }, fleet, none, { now: NOW }))).toEqual(['ok']);
  });

  it('tolerationSeconds counts from the taint timeAdded and asks for a re-check when it runs out', () => {
    // unreachable since 11:58, tolerated for 5 minutes: until 12:03.
    const s = spec({ tolerations: [{ key: 'tether.dev/unreachable', operator: 'Exists', tolerationSeconds: 300 }] });
    const out = computeDecisions({ spec: s }, fleet, none, { now: NOW });
    expect(names(out)).toEqual(['lost', 'ok']);
    expect(out.recheckAt).toEqual({ lost: Date.parse('2026-11-24T12:03:00Z') });
    // Ten minutes later it is no longer tolerated.
    expect(names(computeDecisions({ spec: s }, fleet, none, { now: NOW + 600_000 }))).toEqual(['ok']);
  });

  it('NoSelectIfNew keeps a cluster already chosen but admits no new one', () => {
    const fresh = cluster('fresh', { taints: [{ key: 'draining', effect: 'NoSelectIfNew' }] });
    const kept = cluster('kept', { taints: [{ key: 'draining', effect: 'NoSelectIfNew' }] });
    const previous = new Map([['kept', { group: 0, groupName: '' }]]);
    expect(names(computeDecisions({ spec: spec() }, [fresh, kept], previous, { now: NOW }))).toEqual(['kept']);
  });

  it('PreferNoSelect only lowers priority: chosen last under numberOfClusters, chosen when there is room', () => {
    const fleet2 = [cluster('a', { taints: [{ key: 'old-hw', effect: 'PreferNoSelect' }] }), cluster('b'), cluster('c')];
    expect(names(computeDecisions({ spec: spec({ numberOfClusters: 2 }) }, fleet2, none, { now: NOW }))).toEqual(['b', 'c']);
    expect(names(computeDecisions({ spec: spec({ numberOfClusters: 3 }) }, fleet2, none, { now: NOW }))).toEqual(['a', 'b', 'c']);
    expect(
      names(
        computeDecisions({ spec: spec({ numberOfClusters: 2, tolerations: [{ key: 'old-hw', operator: 'Exists' }] }) }, fleet2, none, {
          now: NOW,
        }),
      ),
    ).toEqual(['a', 'b']);
  });
});

describe('computeDecisions: numberOfClusters', () => {
  const fleet = ['a', 'b', 'c', 'd', 'e'].map((n) => cluster(n));

  it('caps the count in name order', () => {
    const out = computeDecisions({ spec: spec({ numberOfClusters: 3 }) }, fleet, none, { now: NOW });
    expect(names(out)).toEqual(['a', 'b', 'c']);
    expect(out.numberOfSelectedClusters).toBe(3);
  });

  it('prefers clusters already chosen (stability), then name order', () => {
    const previous = new Map([
      ['d', { group: 0, groupName: '' }],
      ['e', { group: 0, groupName: '' }],
    ]);
    expect(names(computeDecisions({ spec: spec({ numberOfClusters: 3 }) }, fleet, previous, { now: NOW }))).toEqual(['a', 'd', 'e']);
  });

  it('replaces a chosen cluster that left with the next in order', () => {
    const previous = new Map(['a', 'b', 'c'].map((n) => [n, { group: 0, groupName: '' }]));
    const remaining = fleet.filter((c) => c.name !== 'b');
    expect(names(computeDecisions({ spec: spec({ numberOfClusters: 3 }) }, remaining, previous, { now: NOW }))).toEqual(['a', 'c', 'd']);
  });

  it('zero chooses nothing; more than the fleet chooses everyone', () => {
    expect(names(computeDecisions({ spec: spec({ numberOfClusters: 0 }) }, fleet, none, { now: NOW }))).toEqual([]);
    expect(computeDecisions({ spec: spec({ numberOfClusters: 50 }) }, fleet, none, { now: NOW }).numberOfSelectedClusters).toBe(5);
  });
});

describe('computeDecisions: decision groups', () => {
  const fleet = Array.from({ length: 10 }, (_, i) =>
    cluster(`s${String(i).padStart(2, '0')}`, { labels: { ring: i < 2 ? 'canary' : i < 5 ? 'early' : 'main' } }),
  );
  const groups = (extra: Record<string, unknown>) =>
    spec({
      decisionStrategy: {
        groupStrategy: {
          decisionGroups: [
            { groupName: 'canary', groupClusterSelector: { labelSelector: { matchLabels: { ring: 'canary' } } } },
            {
              groupName: 'early',
              groupClusterSelector: { labelSelector: { matchExpressions: [{ key: 'ring', operator: 'In', values: ['canary', 'early'] }] } },
            },
          ],
          ...extra,
        },
      },
    });

  it('without a strategy every cluster is in group 0 with an empty name', () => {
    const out = computeDecisions({ spec: spec() }, fleet, none, { now: NOW });
    expect(new Set(out.decisions.map((d) => `${d.group}:${d.groupName}`))).toEqual(new Set(['0:']));
    expect(out.groups).toEqual([{ decisionGroupIndex: 0, decisionGroupName: '', clusterCount: 10 }]);
  });

  it('named groups in order, a cluster in the first it matches, the rest in one group', () => {
    const out = computeDecisions({ spec: groups({}) }, fleet, none, { now: NOW });
    const byCluster = Object.fromEntries(out.decisions.map((d) => [d.cluster, [d.group, d.groupName]]));
    expect(byCluster.s00).toEqual([0, 'canary']);
    expect(byCluster.s02).toEqual([1, 'early']);
    expect(byCluster.s09).toEqual([2, '']);
    expect(out.groups).toEqual([
      { decisionGroupIndex: 0, decisionGroupName: 'canary', clusterCount: 2 },
      { decisionGroupIndex: 1, decisionGroupName: 'early', clusterCount: 3 },
      { decisionGroupIndex: 2, decisionGroupName: '', clusterCount: 5 },
    ]);
  });

  it('splits the rest into chunks of a fixed size', () => {
    const out = computeDecisions({ spec: groups({ clustersPerDecisionGroup: 2 }) }, fleet, none, { now: NOW });
    expect(out.chunkSize).toBe(2);
    expect(out.groups.slice(2)).toEqual([
      { decisionGroupIndex: 2, decisionGroupName: '', clusterCount: 2 },
      { decisionGroupIndex: 3, decisionGroupName: '', clusterCount: 2 },
      { decisionGroupIndex: 4, decisionGroupName: '', clusterCount: 1 },
    ]);
    expect(out.decisions.filter((d) => d.group === 2).map((d) => d.cluster)).toEqual(['s05', 's06']);
  });

  it('a percentage is of all chosen clusters, rounded up', () => {
    // 10 chosen, 30% -> chunks of 3 for the 5 remaining: 3 + 2.
    const out = computeDecisions({ spec: groups({ clustersPerDecisionGroup: '30%' }) }, fleet, none, { now: NOW });
    expect(out.chunkSize).toBe(3);
    expect(out.groups.slice(2).map((g) => g.clusterCount)).toEqual([3, 2]);
    // 25% of 10 is 2.5 -> 3; 1% is never less than one cluster per chunk.
    expect(
      computeDecisions({ spec: spec({ decisionStrategy: { groupStrategy: { clustersPerDecisionGroup: '25%' } } }) }, fleet, none, {
        now: NOW,
      }).groups.map((g) => g.clusterCount),
    ).toEqual([3, 3, 3, 1]);
    expect(
      computeDecisions({ spec: spec({ decisionStrategy: { groupStrategy: { clustersPerDecisionGroup: '1%' } } }) }, fleet, none, {
        now: NOW,
      }).groups,
    ).toHaveLength(10);
  });

  it('named groups stay listed when empty', () => {
    const out = computeDecisions(
      { spec: groups({}) },
      fleet.filter((c) => c.labels.ring === 'main'),
      none,
      { now: NOW },
    );
    expect(out.groups.map((g) => g.clusterCount)).toEqual([0, 0, 5]);
  });

  it('with keepChunks a cluster stays in its chunk while it has room; newcomers fill in order', () => {
    const s = spec({ decisionStrategy: { groupStrategy: { clustersPerDecisionGroup: 2 } } });
    const four = ['a', 'b', 'c', 'd'].map((n) => cluster(n));
    // Previously: d alone in chunk 0, c alone in chunk 1.
    const previous = new Map([
      ['d', { group: 0, groupName: '' }],
      ['c', { group: 1, groupName: '' }],
    ]);
    const kept = computeDecisions({ spec: s }, four, previous, { now: NOW, keepChunks: true });
    const groupOf = Object.fromEntries(kept.decisions.map((d) => [d.cluster, d.group]));
    expect(groupOf).toEqual({ d: 0, a: 0, c: 1, b: 1 });
    // Without keepChunks, name order decides.
    const fresh = computeDecisions({ spec: s }, four, previous, { now: NOW });
    expect(Object.fromEntries(fresh.decisions.map((d) => [d.cluster, d.group]))).toEqual({ a: 0, b: 0, c: 1, d: 1 });
  });

  it('chunks emptied by departures leave no hole in the group numbers', () => {
    const s = spec({ decisionStrategy: { groupStrategy: { clustersPerDecisionGroup: 1 } } });
    const previous = new Map([
      ['a', { group: 0, groupName: '' }],
      ['c', { group: 2, groupName: '' }],
    ]);
    const out = computeDecisions({ spec: s }, [cluster('a'), cluster('c')], previous, { now: NOW, keepChunks: true });
    expect(out.decisions).toEqual([
      { cluster: 'a', group: 0, groupName: '' },
      { cluster: 'c', group: 1, groupName: '' },
    ]);
  });
});

describe('decideIncremental', () => {
  const counts = (selected: number, groups: [number, string, number][], chunkSize?: number) => ({
    numberOfSelectedClusters: selected,
    decisionGroups: groups.map(([i, n, c]) => ({ decisionGroupIndex: i, decisionGroupName: n, clusterCount: c })),
    chunkSize,
  });
  const canary = spec({
    decisionStrategy: {
      groupStrategy: {
        decisionGroups: [{ groupName: 'canary', groupClusterSelector: { labelSelector: { matchLabels: { ring: 'canary' } } } }],
        clustersPerDecisionGroup: 2,
      },
    },
  });

  it('a newly eligible cluster joins its named group', () => {
    const out = decideIncremental(
      canary,
      cluster('x', { labels: { ring: 'canary' } }),
      undefined,
      counts(
        3,
        [
          [0, 'canary', 1],
          [1, '', 2],
        ],
        2,
      ),
      NOW,
    );
    expect(out).toEqual({ decision: { group: 0, groupName: 'canary' }, recompute: false });
  });

  it('joins the last chunk while it has room, else opens the next one', () => {
    expect(
      decideIncremental(
        canary,
        cluster('x'),
        undefined,
        counts(
          2,
          [
            [0, 'canary', 1],
            [1, '', 1],
          ],
          2,
        ),
        NOW,
      ).decision,
    ).toEqual({ group: 1, groupName: '' });
    expect(
      decideIncremental(
        canary,
        cluster('x'),
        undefined,
        counts(
          3,
          [
            [0, 'canary', 1],
            [1, '', 2],
          ],
          2,
        ),
        NOW,
      ).decision,
    ).toEqual({ group: 2, groupName: '' });
    expect(decideIncremental(canary, cluster('x'), undefined, counts(0, [[0, 'canary', 0]], 2), NOW).decision).toEqual({
      group: 1,
      groupName: '',
    });
  });

  it('a chosen cluster keeps its chunk, and follows its labels into or out of a named group', () => {
    expect(
      decideIncremental(
        canary,
        cluster('x'),
        { group: 1, groupName: '' },
        counts(
          3,
          [
            [0, 'canary', 1],
            [1, '', 2],
          ],
          2,
        ),
        NOW,
      ).decision,
    ).toEqual({ group: 1, groupName: '' });
    expect(
      decideIncremental(canary, cluster('x', { labels: { ring: 'canary' } }), { group: 1, groupName: '' }, counts(3, [], 2), NOW).decision,
    ).toEqual({ group: 0, groupName: 'canary' });
    expect(
      decideIncremental(
        canary,
        cluster('x'),
        { group: 0, groupName: 'canary' },
        counts(
          3,
          [
            [0, 'canary', 1],
            [1, '', 1],
          ],
          2,
        ),
        NOW,
      ).decision,
    ).toEqual({ group: 1, groupName: '' });
  });

  it('a cluster that becomes unreachable is dropped', () => {
    const lost = cluster('x', { taints: [{ key: 'tether.dev/unreachable', effect: 'NoSelect', timeAdded: '2026-11-24T11:00:00Z' }] });
    expect(decideIncremental(spec(), lost, { group: 0, groupName: '' }, counts(4, [[0, '', 4]]), NOW)).toEqual({ recompute: false });
  });

  it('numberOfClusters: no room means not chosen; a chosen one leaving at the cap asks for a recompute', () => {
    const capped = spec({ numberOfClusters: 2 });
    expect(decideIncremental(capped, cluster('x'), undefined, counts(2, [[0, '', 2]]), NOW).decision).toBeUndefined();
    expect(decideIncremental(capped, cluster('x'), undefined, counts(1, [[0, '', 1]]), NOW).decision).toEqual({ group: 0, groupName: '' });
    expect(
      decideIncremental(capped, cluster('x', { leaving: true }), { group: 0, groupName: '' }, counts(2, [[0, '', 2]]), NOW).recompute,
    ).toBe(true);
    // Below the cap every eligible cluster is already chosen: nothing to replace.
    expect(
      decideIncremental(capped, cluster('x', { leaving: true }), { group: 0, groupName: '' }, counts(1, [[0, '', 1]]), NOW).recompute,
    ).toBe(false);
  });
});
