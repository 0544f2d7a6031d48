import { useCliRig } from './support/cli-rig.js';

const rig = useCliRig('describe');
const tether = (...args: string[]) => rig.tether(args);

const cond = (type: string, status: string) => ({ type, status, reason: 'R', message: '', lastTransitionTime: '2026-11-10T11:00:00Z' });

describe('tether describe: related objects', () => {
  test('a cluster shows its taints, its works (one bounded page) and their drift events, newest first', async () => {
    rig.hub.seed('Cluster', 'store-0001', {
      spec: { hubAcceptsClient: true, taints: [{ key: 'tether.dev/unreachable', effect: 'NoSelect', timeAdded: '2026-11-10T11:30:00Z' }] },
      status: { clusterSets: ['stores'] },
    });
    rig.hub.seed('Work', 'nginx', {
      namespace: 'store-0001',
      status: {
        conditions: [cond('Applied', 'True'), cond('Available', 'True'), cond('Degraded', 'False')],
        driftEvents: [
          { kind: 'Deployment', namespace: 'web', name: 'nginx', change: 'modified', corrected: true, time: '2026-11-10T11:50:00Z' },
          { kind: 'ConfigMap', namespace: 'web', name: 'conf', change: 'deleted', corrected: false, time: '2026-11-10T11:58:00Z' },
        ],
      },
    });
    rig.hub.seed('Work', 'redis', {
      namespace: 'store-0001',
      status: {
        conditions: [cond('Applied', 'False')],
        driftEvents: [{ kind: 'Service', name: 'redis', change: 'modified', corrected: true, time: '2026-11-10T11:55:00Z' }],
      },
    });
    rig.hub.seed('Work', 'other', { namespace: 'store-0002' });
    const r = await tether('describe', 'cluster', 'store-0001');
    expect(r.code).toBe(0);
    expect(rig.hub.requests.map((q) => [q.path, q.query.limit])).toEqual([
      ['/v1/clusters/store-0001', undefined],
      ['/v1/clusters/store-0001/works', '20'],
      ['/v1/clusters/store-0001/compliance', undefined],
    ]);
    expect(r.out).toMatch(/Taints:\n {2}KEY\s+VALUE\s+EFFECT\s+AGE\n {2}tether\.dev\/unreachable\s+<none>\s+NoSelect\s+30m\n/);
    expect(r.out).toMatch(
      /Works:\n {2}NAME\s+APPLIED\s+AVAILABLE\s+DEGRADED\s+AGE\n {2}nginx\s+True\s+True\s+False\s+2d\n {2}redis\s+False\s+<none>\s+<none>\s+2d\n/,
    );
    const drift = r.out.slice(r.out.indexOf('Drift Events:')).split('\n');
    expect(drift[1]).toMatch(/^ {2}WHEN\s+WORK\s+RESOURCE\s+CHANGE\s+CORRECTED$/);
    expect(drift.slice(2, 5).map((l) => l.trim().split(/\s{3,}/))).toEqual([
      ['2m ago', 'nginx', 'ConfigMap web/conf', 'deleted', 'no'],
      ['5m ago', 'redis', 'Service redis', 'modified', 'yes'],
      ['10m ago', 'nginx', 'Deployment web/nginx', 'modified', 'yes'],
    ]);
    // Related sections come after the cluster's own conditions.
    expect(r.out.indexOf('Conditions:')).toBeLessThan(r.out.indexOf('Works:'));
  });

  test('a cluster with more works than one page says where the rest are; none says <none>', async () => {
    rig.hub.seed('Cluster', 'big');
    for (let i = 0; i < 21; i++) rig.hub.seed('Work', `w-${String(i).padStart(2, '0')}`, { namespace: 'big' });
    const r = await tether('describe', 'cluster', 'big');
    expect(r.code).toBe(0);
    const works = r.out.slice(r.out.indexOf('Works:'), r.out.indexOf('Drift Events:')).trimEnd().split('\n');
    expect(works).toHaveLength(2 + 20 + 1);
    expect(works.at(-1)).toBe('  ... and more: tether get works --cluster big');
    expect(r.out).toContain('Drift Events:\n  <none>\n');

    rig.hub.seed('Cluster', 'empty');
    const empty = await tether('describe', 'cluster', 'empty');
    expect(empty.out).toContain('Taints:\n  <none>\n');
    expect(empty.out).toContain('Works:\n  <none>\n');
  });

  test('an exclusive cluster set lists members by its label; a LabelSelector set by its selector, with "... and N more"', async () => {
    rig.hub.seed('Cluster', 'a', {
      labels: { 'tether.dev/clusterset': 'stores', region: 'us-east' },
      status: { conditions: [cond('Available', 'True')], version: { kubernetes: 'v1.31.2' } },
    });
    rig.hub.seed('Cluster', 'b', { labels: { region: 'us-east' } });
    rig.hub.seed('Cluster', 'c', { labels: { region: 'us-east' } });
    rig.hub.seed('ClusterSet', 'stores', {
      spec: { clusterSelector: { selectorType: 'ExclusiveClusterSetLabel' } },
      status: { memberCount: 1 },
    });
    rig.hub.seed('ClusterSet', 'east', {
      spec: { clusterSelector: { selectorType: 'LabelSelector', labelSelector: { matchLabels: { region: 'us-east' } } } },
      status: { memberCount: 3 },
    });

    const stores = await tether('describe', 'cs', 'stores');
    expect(stores.code).toBe(0);
    expect(rig.hub.requests[1].query).toEqual({ labelSelector: 'tether.dev/clusterset=stores', limit: '20' });
    expect(stores.out).toMatch(/Members \(tether\.dev\/clusterset=stores\):\n {2}NAME\s+AVAILABLE\s+K8S\n {2}a\s+True\s+v1\.31\.2\n$/);

    for (let i = 0; i < 20; i++) rig.hub.seed('Cluster', `east-${String(i).padStart(2, '0')}`, { labels: { region: 'us-east' } });
    rig.hub.update('ClusterSet', 'east', { status: { memberCount: 23 } });
    const east = await tether('describe', 'clusterset', 'east');
    expect(east.code).toBe(0);
    expect(rig.hub.requests.at(-1)?.query).toEqual({ labelSelector: 'region=us-east', limit: '20' });
    const members = east.out.slice(east.out.indexOf('Members (region=us-east):')).trimEnd().split('\n');
    expect(members).toHaveLength(1 + 1 + 20 + 1);
    expect(members[2]).toMatch(/^ {2}a\s+True\s+v1\.31\.2$/);
    expect(members.at(-1)).toBe('  ... and 3 more');
  });

  test('a FleetDeployment shows its state, summary, groups and clusters with errors', async () => {
    rig.hub.seed('FleetDeployment', 'pos', {
      spec: { placementRef: { name: 'stores' } },
      status: {
        state: 'Paused',
        pausedReason: 'failures passed maxFailures',
        revision: 3,
        waves: 4,
        lastWaveTime: '2026-11-10T11:40:00Z',
        summary: { total: 10, updated: 6, applied: 6, available: 5, degraded: 1, failed: 2, pendingWindow: 1, templateErrors: 0 },
        groups: [
          { name: 'canary', total: 2, updated: 2, available: 2, failed: 0, state: 'Succeeded', mandatory: true },
          { name: 'rest', total: 8, updated: 4, available: 3, failed: 2, state: 'Failed' },
        ],
        clusters: [{ cluster: 'store-0007', reason: 'Degraded', message: 'CrashLoopBackOff' }],
        clustersOmitted: 1,
        conditions: [cond('Paused', 'True')],
      },
    });
    const r = await tether('describe', 'fleetdeployment', 'pos');
    expect(r.code).toBe(0);
    expect(rig.hub.requests).toHaveLength(1);
    expect(r.out).toMatch(/^ {2}State:\s+Paused \(failures passed maxFailures\)$/m);
    expect(r.out).toMatch(/^ {2}Last Wave:\s+2026-11-10T11:40:00Z \(20m ago\)$/m);
    expect(r.out).toMatch(
      /Summary:\n {2}TOTAL\s+UPDATED\s+APPLIED\s+AVAILABLE\s+DEGRADED\s+FAILED\s+PENDING-WINDOW\s+TEMPLATE-ERRORS\n {2}10\s+6\s+6\s+5\s+1\s+2\s+1\s+0\n/,
    );
    expect(r.out).toMatch(
      /Groups:\n {2}NAME\s+STATE\s+UPDATED\s+AVAILABLE\s+FAILED\s+MANDATORY\n {2}canary\s+Succeeded\s+2\/2\s+2\s+0\s+yes\n {2}rest\s+Failed\s+4\/8\s+3\s+2\s+no\n/,
    );
    expect(r.out).toMatch(
      /Clusters With Errors:\n {2}CLUSTER\s+REASON\s+MESSAGE\n {2}store-0007\s+Degraded\s+CrashLoopBackOff\n {2}\.\.\. and 1 more\n/,
    );
    expect(r.out).toMatch(/Conditions:\n {2}TYPE\s+STATUS.*\n {2}Paused\s+True/);
  });

  test('a Placement shows its decision groups and conditions', async () => {
    rig.hub.seed('Placement', 'stores-east', {
      spec: { numberOfClusters: 5 },
      status: {
        numberOfSelectedClusters: 4,
        decisionGroups: [
          { decisionGroupIndex: 0, decisionGroupName: 'canary', clusterCount: 1 },
          { decisionGroupIndex: 1, decisionGroupName: '', clusterCount: 3 },
        ],
        conditions: [cond('PlacementSatisfied', 'False')],
      },
    });
    const r = await tether('describe', 'pl', 'stores-east');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ {2}Selected Clusters:\s+4 of 5 requested$/m);
    expect(r.out).toMatch(/Decision Groups:\n {2}INDEX\s+NAME\s+CLUSTERS\n {2}0\s+canary\s+1\n {2}1\s+<none>\s+3\n/);
    expect(r.out).toMatch(/PlacementSatisfied\s+False/);
  });

  test('a hub error while reading related objects is one line (details with -v) and the exit code of its status', async () => {
    rig.hub.seed('Cluster', 'store-0001');
    rig.hub.overrides.set('GET /v1/clusters/store-0001/works', {
      status: 503,
      body: { type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'try again' },
    });
    const r = await tether('describe', 'cluster', 'store-0001');
    expect(r).toMatchObject({ code: 1, out: '', err: 'error: try again (503)\n' });
    const v = await tether('-v', 'describe', 'cluster', 'store-0001');
    expect(v.code).toBe(1);
    expect(v.err).toContain('error: try again (503)\n  status:   503 Service Unavailable\n');
    expect(v.err).toMatch(/request:\s+GET http:\/\/127\.0\.0\.1:\d+\/v1\/clusters\/store-0001\/works\?limit=20/);
  });
});
