import { parseDuration as hubParseDuration } from '../../../shared/duration.js';
import {
  DEFAULT_CLUSTER_SORT,
  formatSort,
  parseSort,
  sortClusters,
  ClusterSortKeys,
  type ClusterObject,
} from '../../../console/src/model/clusters.js';
import {
  deploymentHistory,
  readRevisions,
  rolloutState,
  stateLabel,
  stateTone,
  waveTiming,
  windowOverride,
  type DeploymentObject,
} from '../../../console/src/model/deployments.js';
import { countdown, parseDuration } from '../../../console/src/model/durations.js';
import { fleetSummary, paginate, rolloutRank } from '../../../console/src/model/fleet.js';
import { clusterHistory } from '../../../console/src/model/history.js';
import {
  clusterSelectorText,
  clusterSetSelectorText,
  groupLabel,
  selectorText,
  type ClusterSetObject,
} from '../../../console/src/model/placements.js';
import { parseQuery, parseRoute, routeHref, routeKey } from '../../../console/src/model/route.js';
import type { WorkObject } from '../../../console/src/model/works.js';

/**
 * The pure logic behind the console's fleet-scale views: the summary counts, problems-first sort,
 * pages, view state in the URL, rollout timing (soak, next wave, ETA), the window override, the
 * histories built from what the hub records, and selectors in words.
 */

const NOW = Date.parse('2026-11-20T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();
const meta = (name: string) => ({ name, uid: name, resourceVersion: '1', generation: 1, creationTimestamp: ago(3600) });

function cluster(
  name: string,
  o: { accepted?: boolean; phase?: string; available?: 'True' | 'False' | 'Unknown'; joined?: boolean } = {},
): ClusterObject {
  const conditions = [];
  if (o.available) conditions.push({ type: 'Available', status: o.available, reason: 'r', message: '', lastTransitionTime: ago(30) });
  if (o.joined) conditions.push({ type: 'Joined', status: 'True' as const, reason: 'Joined', message: '', lastTransitionTime: ago(600) });
  return {
    apiVersion: 'tether.dev/v1alpha1',
    kind: 'Cluster',
    metadata: meta(name),
    spec: { hubAcceptsClient: o.accepted ?? true },
    status: { conditions, phase: o.phase, lastSeen: o.joined ? ago(600) : undefined },
  };
}

const fd = (name: string, status: DeploymentObject['status'], spec: DeploymentObject['spec'] = {}) =>
  ({ apiVersion: 'tether.dev/v1alpha1', kind: 'FleetDeployment', metadata: meta(name), spec, status }) as DeploymentObject;

const fleet = [
  cluster('ok-1', { available: 'True', joined: true }),
  cluster('ok-2', { available: 'True', joined: true }),
  cluster('gone', { available: 'Unknown', joined: true }),
  cluster('sick', { available: 'False', joined: true }),
  cluster('new', { accepted: false, phase: 'Pending' }),
  cluster('leaving', { phase: 'Detaching' }),
];

describe('fleet summary', () => {
  test('counts clusters by availability (problems first, the usual states even at zero) and rollouts by state', () => {
    const s = fleetSummary(
      fleet,
      [
        fd('a', { state: 'Complete' }),
        fd('b', { state: 'Failed' }),
        fd('c', { state: 'CompleteWithFailures' }),
        fd('d', { state: 'Complete' }),
        fd('e', { state: 'Rebalancing' }),
      ],
      NOW,
    );
    expect(s.clusters.total).toBe(6);
    expect(s.clusters.byState).toEqual([
      { state: 'Unavailable', count: 1 },
      { state: 'Unknown', count: 1 },
      { state: 'Pending', count: 1 },
      { state: 'Denied', count: 0 },
      { state: 'Detaching', count: 1 },
      { state: 'Available', count: 2 },
    ]);
    // An unknown state (a newer hub) still shows, before the healthy ones.
    expect(s.rollouts.byState).toEqual([
      { state: 'Failed', count: 1 },
      { state: 'CompleteWithFailures', count: 1 },
      { state: 'Rebalancing', count: 1 },
      { state: 'Complete', count: 2 },
    ]);
    expect(rolloutRank('Rebalancing')).toBeLessThan(rolloutRank('Complete'));
  });

  test('no data yet: zero counts, nothing invented', () => {
    const s = fleetSummary(undefined, undefined, NOW);
    expect(s.clusters.total).toBe(0);
    expect(s.clusters.byState.every((c) => c.count === 0)).toBe(true);
    expect(s.rollouts.byState).toEqual([]);
  });
});

describe('clusters table at fleet scale', () => {
  test('the default sort puts unreachable and failing clusters on top', () => {
    expect(sortClusters(fleet, DEFAULT_CLUSTER_SORT, NOW).map((c) => c.metadata.name)).toEqual([
      'sick',
      'gone',
      'new',
      'leaving',
      'ok-1',
      'ok-2',
    ]);
  });

  test('sorts round-trip through the URL; the default is left out; junk falls back', () => {
    expect(formatSort(DEFAULT_CLUSTER_SORT, DEFAULT_CLUSTER_SORT)).toBeUndefined();
    expect(formatSort({ key: 'name', descending: true }, DEFAULT_CLUSTER_SORT)).toBe('-name');
    expect(parseSort('-name', ClusterSortKeys, DEFAULT_CLUSTER_SORT)).toEqual({ key: 'name', descending: true });
    expect(parseSort('kubernetes', ClusterSortKeys, DEFAULT_CLUSTER_SORT)).toEqual({ key: 'kubernetes', descending: false });
    expect(parseSort('-password', ClusterSortKeys, DEFAULT_CLUSTER_SORT)).toBe(DEFAULT_CLUSTER_SORT);
  });

  test('pages: clamped to the pages that exist, with the range shown', () => {
    const list = Array.from({ length: 450 }, (_, i) => i);
    expect(paginate(list, 1, 200)).toMatchObject({ page: 1, pages: 3, first: 1, last: 200 });
    expect(paginate(list, 3, 200)).toMatchObject({ page: 3, first: 401, last: 450 });
    expect(paginate(list, 3, 200).items).toHaveLength(50);
    expect(paginate(list, 99, 200).page).toBe(3);
    expect(paginate(list, Number('x'), 200).page).toBe(1);
    expect(paginate([], 1, 200)).toMatchObject({ page: 1, pages: 1, first: 0, last: 0, items: [] });
  });

  test('filters and sort live in the fragment, beside the route, and never change the route', () => {
    const href = routeHref({ view: 'clusters' }, { state: 'Unknown', selector: 'region in (eu,us)', q: '', sort: '-name', page: '2' });
    expect(href).toBe('#/clusters?state=Unknown&selector=region+in+%28eu%2Cus%29&sort=-name&page=2');
    expect(parseRoute(href)).toEqual({ view: 'clusters' });
    expect(parseQuery(href)).toEqual({ state: 'Unknown', selector: 'region in (eu,us)', sort: '-name', page: '2' });
    expect(parseQuery('#/clusters')).toEqual({});
    expect(routeKey(parseRoute('#/deployments/web?x=1'))).toBe('deployment/web');
    for (const r of [
      { view: 'placement', name: 'stores' },
      { view: 'clusterset', name: 'eu' },
      { view: 'deployment', name: 'web' },
      { view: 'placements' },
      { view: 'clustersets' },
    ] as const) {
      expect(parseRoute(routeHref(r))).toEqual(r);
    }
  });
});

describe('rollouts', () => {
  test('CompleteWithFailures is amber and reads in words; a state the console does not know is neutral', () => {
    expect(stateTone('CompleteWithFailures')).toBe('warn');
    expect(stateLabel('CompleteWithFailures')).toBe('Complete with failures');
    expect(stateTone('Rebalancing')).toBe('muted');
    expect(stateLabel('Rebalancing')).toBe('Rebalancing');
  });

  test('durations mean what they mean to the hub', () => {
    for (const t of ['0', '30s', '5m', '1h30m', '2d', '250ms', 'soon', '10 minutes', ''])
      expect([t, parseDuration(t)]).toEqual([t, hubParseDuration(t)]);
    expect(countdown(NOW + 250_000, NOW)).toBe('in 4 min 10 s');
    expect(countdown(NOW + 2 * 3600_000 + 5 * 60_000, NOW)).toBe('in 2 h 5 min');
    expect(countdown(NOW - 1, NOW)).toBe('now');
  });

  test('soak countdown, next wave and ETA of a progressive rollout, at the earliest', () => {
    const d = fd(
      'web',
      {
        state: 'Progressing',
        waves: 2,
        lastWaveTime: ago(120),
        summary: { total: 10, updated: 4, applied: 4, available: 3, degraded: 0, failed: 0, pendingWindow: 0 },
      },
      { rolloutStrategy: { type: 'Progressive', maxConcurrency: 2, minSuccessTime: '5m', waveDelay: '1m' } },
    );
    const t = waveTiming(d);
    expect(t.wave).toBe(2);
    expect(t.soakMs).toBe(300_000);
    expect(t.soakEndsAt).toBe(NOW - 120_000 + 300_000);
    expect(t.nextWaveAt).toBe(t.soakEndsAt);
    // 6 clusters left, 2 at a time: 3 more waves, each one soak apart, the last with its own soak.
    expect(t.wavesLeft).toBe(3);
    expect(t.finishAt).toBe(t.nextWaveAt! + 2 * 300_000 + 300_000);
    // A paused or finished rollout has no ETA, only its last wave.
    const paused = waveTiming({ ...d, status: { ...d.status, state: 'Paused' } });
    expect(paused).toEqual({ wave: 2, waveStartedAt: NOW - 120_000, soakMs: 300_000 });
    expect(waveTiming(fd('new', {})).waveStartedAt).toBeUndefined();
  });

  test('per group: the groups not started yet are the waves left; waveDelay can be longer than the soak', () => {
    const d = fd(
      'web',
      {
        state: 'Progressing',
        waves: 1,
        lastWaveTime: ago(10),
        groups: [
          { name: 'canary', total: 1, updated: 1, available: 0, failed: 0, state: 'Progressing' },
          { name: 'main', total: 5, updated: 0, available: 0, failed: 0, state: 'Pending' },
          { name: 'rest', total: 5, updated: 0, available: 0, failed: 0, state: 'Pending' },
        ],
      },
      { rolloutStrategy: { type: 'ProgressivePerGroup', minSuccessTime: '30s', waveDelay: '10m' } },
    );
    const t = waveTiming(d);
    expect(t.wavesLeft).toBe(2);
    expect(t.nextWaveAt).toBe(NOW - 10_000 + 600_000);
    expect(t.finishAt).toBe(t.nextWaveAt! + 600_000 + 30_000);
  });

  test('a window override applies to its revision until it expires', () => {
    const control = { windowOverride: { reason: 'hotfix', at: ago(60), revision: 3, actor: 'admin' } };
    expect(windowOverride(fd('w', { revision: 3, control }), NOW)).toMatchObject({ active: true, reason: 'hotfix', revision: 3 });
    expect(windowOverride(fd('w', { revision: 4, control }), NOW)).toMatchObject({
      active: false,
      why: 'it was for revision 3; revision 4 needs a new override',
    });
    const expired = { windowOverride: { ...control.windowOverride, until: ago(1) } };
    expect(windowOverride(fd('w', { revision: 3, control: expired }), NOW)?.active).toBe(false);
    expect(windowOverride(fd('w', { revision: 3 }), NOW)).toBeUndefined();
  });

  test('history: conditions, waves, failure pause and controls, newest first', () => {
    const d = fd('web', {
      revision: 2,
      waves: 3,
      lastWaveTime: ago(50),
      conditions: [{ type: 'Progressing', status: 'True', reason: 'Rolling', message: 'wave 3', lastTransitionTime: ago(400) }],
      failurePause: { at: ago(300), failed: 1, revision: 2, reason: 'TooManyFailures', message: 'store-9 failed' },
      control: { resumedAt: ago(200), rollbackFrom: { revision: 3, to: 2, at: ago(100) } },
    });
    expect(deploymentHistory(d).map((e) => e.what)).toEqual([
      'Wave 3 started',
      'Rolled back from revision 3 to 2',
      'Resumed',
      'Paused for failures (1 failed)',
      'Progressing: True (Rolling)',
      'Created',
    ]);
    expect(rolloutState(d)).toBe('Progressing');
  });

  test('a revision list is read tolerantly (the route is optional)', () => {
    expect(readRevisions(undefined)).toEqual([]);
    expect(
      readRevisions({
        items: [{ revision: 1, createdAt: ago(9) }, { nope: true }, { revision: 2, metadata: {}, rollbackOf: 1, hash: 'abc' }],
      }),
    ).toEqual([
      { revision: 2, createdAt: undefined, hash: 'abc', rollbackOf: 1 },
      { revision: 1, createdAt: ago(9), hash: undefined, rollbackOf: undefined },
    ]);
  });
});

describe('cluster history, placements and sets in words', () => {
  test('a cluster’s history: condition transitions, taints, drift events and creation, newest first', () => {
    const c = cluster('store-1', { available: 'Unknown', joined: true });
    c.spec = { ...c.spec, taints: [{ key: 'tether.dev/unreachable', effect: 'NoSelect', timeAdded: ago(20) }] };
    const work = {
      apiVersion: 'tether.dev/v1alpha1',
      kind: 'Work',
      metadata: { ...meta('web'), namespace: 'store-1' },
      spec: {},
      status: {
        driftEvents: [
          { kind: 'ConfigMap', namespace: 'default', name: 'cfg', change: 'Modified', fields: ['data.a'], corrected: true, time: ago(5) },
        ],
      },
    } as WorkObject;
    const h = clusterHistory(c, [work]);
    expect(h.map((e) => e.what)).toEqual([
      'Drift: ConfigMap default/cfg Modified',
      'Taint tether.dev/unreachable:NoSelect added',
      'Available became Unknown (r)',
      'Joined became True (Joined)',
      'Created',
    ]);
    expect(h[0].detail).toBe('work web; fields data.a; re-applied by the agent');
    expect(h.find((e) => e.what.startsWith('Available'))?.tone).toBe('warn');
  });

  test('selectors as `-l` writes them; chunk groups by index; sets by their label', () => {
    expect(
      selectorText({
        matchLabels: { tier: 'store' },
        matchExpressions: [
          { key: 'region', operator: 'In', values: ['eu', 'us'] },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('tier=store,region in (eu,us),!legacy');
    expect(selectorText(undefined)).toBe('<all>');
    expect(
      clusterSelectorText({ claimSelector: { matchExpressions: [{ key: 'platform.tether.dev', operator: 'In', values: ['EKS'] }] } }),
    ).toBe('claims platform.tether.dev in (EKS)');
    expect(groupLabel(2, '')).toBe('group 2 (chunk)');
    expect(groupLabel(0, 'canary')).toBe('canary');
    const set = (spec: ClusterSetObject['spec']) =>
      ({ apiVersion: 'tether.dev/v1alpha1', kind: 'ClusterSet', metadata: meta('eu'), spec }) as ClusterSetObject;
    expect(clusterSetSelectorText(set({}))).toBe('label tether.dev/clusterset=eu');
    expect(
      clusterSetSelectorText(set({ clusterSelector: { selectorType: 'LabelSelector', labelSelector: { matchLabels: { region: 'eu' } } } })),
    ).toBe('region=eu');
  });
});
