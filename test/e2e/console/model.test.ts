import { availabilityOf, matchesText, sortClusters, timeAgo, type ClusterObject } from '../../../console/src/model/clusters.js';
import {
  allowedActions,
  clusterProblems,
  describeWindow,
  groupSegments,
  rolloutState,
  stateLabel,
  stateTone,
  type DeploymentObject,
} from '../../../console/src/model/deployments.js';
import { manifestFileName, parseLabelText } from '../../../console/src/model/import.js';
import { buildInventory, rowMatches } from '../../../console/src/model/inventory.js';
import { parseRoute, routeHref } from '../../../console/src/model/route.js';
import { compileSelector } from '../../../console/src/model/selector.js';
import { countOf } from '../../../console/src/model/words.js';
import { driftEventsOf, workState, type WorkObject } from '../../../console/src/model/works.js';

/**
 * The console's pure logic (what the views compute from API objects), without a browser. It sits
 * beside the browser tests because they share the console's sources.
 */

const NOW = Date.parse('2026-11-20T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

function cluster(
  name: string,
  o: {
    labels?: Record<string, string>;
    accepted?: boolean;
    phase?: string;
    available?: 'True' | 'False' | 'Unknown';
    joined?: boolean;
    lastSeen?: string;
    k8s?: string;
    agent?: string;
    sets?: string[];
    message?: string;
  } = {},
): ClusterObject {
  const conditions = [];
  if (o.available)
    conditions.push({ type: 'Available', status: o.available, reason: 'r', message: o.message ?? '', lastTransitionTime: ago(30) });
  if (o.joined) conditions.push({ type: 'Joined', status: 'True' as const, reason: 'r', message: '', lastTransitionTime: ago(600) });
  return {
    apiVersion: 'tether.dev/v1alpha1',
    kind: 'Cluster',
    metadata: { name, labels: o.labels, uid: name, resourceVersion: '1', generation: 1, creationTimestamp: ago(3600) },
    spec: { hubAcceptsClient: o.accepted ?? true },
    status: {
      conditions,
      phase: o.phase,
      lastSeen: o.lastSeen,
      version: o.k8s ? { kubernetes: o.k8s } : undefined,
      agentVersion: o.agent,
      clusterSets: o.sets,
    },
  };
}

describe('availability', () => {
  test('Available, Unknown with when it was last seen, Unavailable with the reason', () => {
    expect(availabilityOf(cluster('a', { available: 'True', joined: true, lastSeen: ago(10) }), NOW)).toEqual({
      state: 'Available',
      label: 'Available',
      detail: 'last seen just now',
    });
    expect(availabilityOf(cluster('b', { available: 'Unknown', joined: true, lastSeen: ago(7 * 60 + 5) }), NOW)).toEqual({
      state: 'Unknown',
      label: 'Unknown',
      detail: 'last seen 7 minutes ago',
    });
    expect(
      availabilityOf(cluster('c', { available: 'False', joined: true, lastSeen: ago(5), message: 'disk pressure' }), NOW),
    ).toMatchObject({ state: 'Unavailable', detail: 'disk pressure' });
  });

  test('lifecycle states: pending acceptance, waiting for the agent, denied, detaching', () => {
    expect(availabilityOf(cluster('p', { accepted: false, phase: 'Pending' }), NOW).state).toBe('Pending');
    expect(availabilityOf(cluster('w', { available: 'Unknown' }), NOW).state).toBe('Waiting');
    expect(availabilityOf(cluster('d', { accepted: false, phase: 'Denied' }), NOW).state).toBe('Denied');
    expect(availabilityOf(cluster('x', { phase: 'Detaching', available: 'True', joined: true }), NOW).state).toBe('Detaching');
  });

  test('timeAgo speaks in whole units', () => {
    expect(timeAgo(ago(20), NOW)).toBe('just now');
    expect(timeAgo(ago(60), NOW)).toBe('1 minute ago');
    expect(timeAgo(ago(2 * 3600 + 59 * 60), NOW)).toBe('2 hours ago');
    expect(timeAgo(ago(3 * 86400), NOW)).toBe('3 days ago');
    expect(timeAgo('not a time', NOW)).toBeUndefined();
  });
});

describe('clusters table', () => {
  const list = [
    cluster('store-10', { k8s: 'v1.30.2', available: 'True', joined: true, lastSeen: ago(5), labels: { region: 'eu' } }),
    cluster('store-9', { k8s: 'v1.9.0', available: 'Unknown', joined: true, lastSeen: ago(900), labels: { region: 'us' } }),
    cluster('store-2', {
      k8s: 'v1.31.0',
      available: 'False',
      joined: true,
      lastSeen: ago(5),
      labels: { region: 'us', tier: 'store' },
      sets: ['stores'],
    }),
  ];
  const names = (l: ClusterObject[]) => l.map((c) => c.metadata.name);

  test('sorts numerically by name and version, by availability with problems first, and both ways', () => {
    expect(names(sortClusters(list, { key: 'name', descending: false }, NOW))).toEqual(['store-2', 'store-9', 'store-10']);
    expect(names(sortClusters(list, { key: 'kubernetes', descending: true }, NOW))).toEqual(['store-2', 'store-10', 'store-9']);
    expect(names(sortClusters(list, { key: 'availability', descending: false }, NOW))).toEqual(['store-2', 'store-9', 'store-10']);
  });

  test('free text matches every word against name, labels, availability, versions and sets', () => {
    expect(list.filter((c) => matchesText(c, 'region=us unknown', NOW)).map((c) => c.metadata.name)).toEqual(['store-9']);
    expect(list.filter((c) => matchesText(c, 'STORES', NOW)).map((c) => c.metadata.name)).toEqual(['store-2']);
    expect(list.filter((c) => matchesText(c, '  ', NOW))).toHaveLength(3);
  });

  test('selectors use the hub’s parser: its matches and its messages', async () => {
    const ok = await compileSelector('region=us,!tier');
    expect(ok.ok && list.filter((c) => ok.matches(c.metadata.labels)).map((c) => c.metadata.name)).toEqual(['store-9']);
    const bad = await compileSelector('region in (us');
    expect(bad).toEqual({ ok: false, error: expect.stringContaining('invalid label selector "region in (us"') });
  });
});

describe('import', () => {
  test('labels from lines or commas, with clear errors', () => {
    expect(parseLabelText('region=us-east\n tier = store , a=')).toEqual({ ok: true, labels: { region: 'us-east', tier: 'store', a: '' } });
    expect(parseLabelText('oops')).toEqual({ ok: false, error: '“oops” is not a label: write key=value' });
    expect(parseLabelText('a=1,a=2')).toEqual({ ok: false, error: 'label “a” is given twice' });
  });

  test('the download takes the name the command applies, else <cluster>-import.yaml', () => {
    expect(manifestFileName('kubectl apply -f store-0042.yaml', 'store-0042')).toBe('store-0042.yaml');
    expect(manifestFileName("echo 'abc' | base64 -d | kubectl apply -f -", 'store-1')).toBe('store-1-import.yaml');
  });
});

describe('routes', () => {
  test('hash routes round-trip and never hold more than a view and a name', () => {
    expect(parseRoute('#/clusters/store-1')).toEqual({ view: 'cluster', name: 'store-1' });
    expect(parseRoute(routeHref({ view: 'cluster', name: 'a b' }))).toEqual({ view: 'cluster', name: 'a b' });
    expect(parseRoute('#/deployments')).toEqual({ view: 'deployments' });
    expect(parseRoute('')).toEqual({ view: 'clusters' });
    expect(parseRoute('#/whatever')).toEqual({ view: 'clusters' });
  });
});

function work(
  cluster: string,
  name: string,
  conditions: Record<string, 'True' | 'False'>,
  o: { fd?: string; revision?: number; drift?: { time: string; name: string }[] } = {},
): WorkObject {
  return {
    apiVersion: 'tether.dev/v1alpha1',
    kind: 'Work',
    metadata: {
      name,
      namespace: cluster,
      labels: o.fd ? { 'tether.dev/fleetdeployment': o.fd } : undefined,
      annotations: o.revision ? { 'tether.dev/revision': String(o.revision) } : undefined,
      uid: `${cluster}/${name}`,
      resourceVersion: '1',
      generation: 1,
      creationTimestamp: ago(100),
    },
    spec: {},
    status: {
      conditions: Object.entries(conditions).map(([type, status]) => ({
        type,
        status,
        reason: 'r',
        message: '',
        lastTransitionTime: ago(10),
      })),
      driftEvents: o.drift?.map((d) => ({
        kind: 'ConfigMap',
        name: d.name,
        change: 'Modified',
        fields: ['data.x'],
        corrected: true,
        time: d.time,
      })),
    },
  };
}

describe('works and inventory', () => {
  test('work state from its conditions, worst first', () => {
    expect(workState(work('c', 'w', { Applied: 'False', Available: 'True' }))).toBe('Failed');
    expect(workState(work('c', 'w', { Applied: 'True', Available: 'True', Degraded: 'True' }))).toBe('Degraded');
    expect(workState(work('c', 'w', { Applied: 'True', Available: 'True' }))).toBe('Available');
    expect(workState(work('c', 'w', { Applied: 'True', Available: 'False' }))).toBe('Progressing');
    expect(workState(work('c', 'w', {}))).toBe('Pending');
  });

  test('drift events of all works, newest first', () => {
    const events = driftEventsOf([
      work('c', 'a', {}, { drift: [{ time: ago(50), name: 'old' }] }),
      work('c', 'b', {}, { drift: [{ time: ago(5), name: 'new' }] }),
    ]);
    expect(events.map((e) => [e.work, e.name])).toEqual([
      ['b', 'new'],
      ['a', 'old'],
    ]);
  });

  test('matrix: deployments first, outdated revisions flagged, filters for problems and gaps', () => {
    const fd = {
      apiVersion: 'tether.dev/v1alpha1',
      kind: 'FleetDeployment',
      metadata: { name: 'web', uid: 'u', resourceVersion: '1', generation: 1, creationTimestamp: ago(1) },
      spec: {},
      status: { revision: 3 },
    } as DeploymentObject;
    const clusters = [cluster('b'), cluster('a'), cluster('c')];
    const inv = buildInventory(clusters, [fd], {
      a: [work('a', 'web', { Applied: 'True', Available: 'True' }, { fd: 'web', revision: 3 }), work('a', 'extra', { Applied: 'True' })],
      b: [work('b', 'web', { Applied: 'True', Available: 'True' }, { fd: 'web', revision: 2 })],
    });
    expect(inv.columns.map((c) => c.key)).toEqual(['fd:web', 'work:extra']);
    expect(inv.rows.map((r) => r.cluster.metadata.name)).toEqual(['a', 'b', 'c']);
    expect(inv.rows[0].cells['fd:web']).toEqual({ state: 'Available', work: 'web', revision: 3, outdated: false });
    expect(inv.rows[1].cells['fd:web']).toMatchObject({ revision: 2, outdated: true });
    const web = inv.columns.slice(0, 1);
    expect(inv.rows.filter((r) => rowMatches(r, web, 'problems')).map((r) => r.cluster.metadata.name)).toEqual(['b']);
    expect(inv.rows.filter((r) => rowMatches(r, web, 'missing')).map((r) => r.cluster.metadata.name)).toEqual(['c']);
  });
});

describe('words', () => {
  test('counted nouns agree with their number', () => {
    expect(countOf(1, 'deployment')).toBe('1 deployment');
    expect(countOf(0, 'deployment')).toBe('0 deployments');
    expect(countOf(3, 'cluster')).toBe('3 clusters');
  });
});

describe('deployments', () => {
  const fd = (status: DeploymentObject['status'], spec: DeploymentObject['spec'] = {}) =>
    ({
      apiVersion: 'tether.dev/v1alpha1',
      kind: 'FleetDeployment',
      metadata: { name: 'web', uid: 'u', resourceVersion: '1', generation: 1, creationTimestamp: ago(1) },
      spec,
      status,
    }) as DeploymentObject;

  test('state from status.state, else from conditions; controls follow the state', () => {
    expect(rolloutState(fd({ state: 'WaitingForWindow' }))).toBe('WaitingForWindow');
    expect(
      rolloutState(fd({ conditions: [{ type: 'Paused', status: 'True', reason: 'r', message: '', lastTransitionTime: ago(1) }] })),
    ).toBe('Paused');
    expect(rolloutState(fd({}, { paused: true }))).toBe('Paused');
    expect(allowedActions('Progressing', 2)).toEqual({ pause: true, resume: false, abort: true, rollback: true });
    expect(allowedActions('Paused', 3)).toEqual({ pause: false, resume: true, abort: true, rollback: true });
    expect(allowedActions('Complete', 2)).toMatchObject({ pause: false, resume: false, abort: false });
    expect(allowedActions('CompleteWithFailures', 2)).toMatchObject({ pause: false, resume: false, abort: false });
  });

  test('a rollout complete with failures is amber and says so, never the green of Complete', () => {
    expect(stateTone('Complete')).toBe('good');
    expect(stateTone('CompleteWithFailures')).toBe('warn');
    expect(stateLabel('CompleteWithFailures')).toBe('Complete with failures');
    const complete = (reason: string) =>
      fd({ conditions: [{ type: 'Complete', status: 'True', reason, message: '', lastTransitionTime: ago(1) }] });
    expect(rolloutState(complete('RolloutCompleteWithFailures'))).toBe('CompleteWithFailures');
    expect(rolloutState(complete('RolloutComplete'))).toBe('Complete');
  });

  test('rollback only when there is an earlier revision to go back to', () => {
    expect(allowedActions('Progressing', 1).rollback).toBe(false);
    expect(allowedActions('Complete', 1).rollback).toBe(false);
    expect(allowedActions('Pending').rollback).toBe(false);
    expect(allowedActions('Complete', 2).rollback).toBe(true);
  });

  test('states and windows in words', () => {
    expect(stateLabel('WaitingForWindow')).toBe('Waiting for window');
    expect(stateLabel('Paused')).toBe('Paused');
    expect(describeWindow({ schedule: '0 2 * * *', duration: '2h', timeZone: 'Europe/Berlin' })).toBe('0 2 * * * (Europe/Berlin, 2h)');
    expect(describeWindow({ schedule: '0 2 * * *', duration: '2h', timeZoneLabel: 'tether.dev/timezone', timeZone: 'UTC' })).toBe(
      '0 2 * * * (zone from label tether.dev/timezone, else UTC, 2h)',
    );
    expect(describeWindow({ schedule: '@daily', duration: '1h' })).toBe('@daily (UTC, 1h)');
  });

  test('group bars never exceed the total; window waits are told apart from failures', () => {
    expect(groupSegments({ total: 10, updated: 6, available: 3, failed: 1 }).map((s) => s.count)).toEqual([3, 2, 1]);
    expect(groupSegments({ total: 4, updated: 9, available: 3, failed: 3 }).map((s) => s.count)).toEqual([3, 0, 1]);
    const split = clusterProblems(
      fd({
        clusters: [
          { cluster: 'a', reason: 'ApplyFailed', message: 'boom' },
          { cluster: 'b', reason: 'WaitingForWindow', message: 'opens 02:00 Europe/Berlin' },
        ],
      }),
    );
    expect(split.failed.map((p) => p.cluster)).toEqual(['a']);
    expect(split.waiting.map((p) => p.cluster)).toEqual(['b']);
  });
});
