import { parse as parseYaml } from 'yaml';
import { useCliRig } from './support/cli-rig.js';

/** `-o table|wide|json|yaml|name` and `-l` for the kinds added after clusters and sets. */

const rig = useCliRig('kinds');
const tether = (...args: string[]) => rig.tether(args);

const cond = (type: string, status: string) => ({ type, status, reason: 'R', message: '', lastTransitionTime: '2026-11-10T11:00:00Z' });
const cells = (line: string | undefined) => (line ?? '').split(/\s{3,}/);

function seedWorks() {
  rig.hub.seed('Work', 'nginx', {
    namespace: 'store-0001',
    labels: { app: 'web' },
    spec: { workload: { manifests: [{ kind: 'Deployment' }, { kind: 'Service' }] } },
    status: {
      observedGeneration: 1,
      conditions: [cond('Applied', 'True'), cond('Available', 'True'), cond('Degraded', 'False'), cond('Drifted', 'False')],
    },
  });
  rig.hub.seed('Work', 'redis', {
    namespace: 'store-0001',
    labels: { app: 'cache' },
    spec: { workload: { manifests: [{ kind: 'StatefulSet' }] } },
  });
}

function seedPlacements() {
  rig.hub.seed('Placement', 'stores', {
    labels: { team: 'retail' },
    spec: { numberOfClusters: 5, clusterSets: ['stores'] },
    status: { numberOfSelectedClusters: 4, decisionGroups: [{}, {}], conditions: [cond('PlacementSatisfied', 'False')] },
  });
  rig.hub.seed('Placement', 'all', {
    labels: { team: 'platform' },
    spec: {},
    status: { numberOfSelectedClusters: 12, decisionGroups: [{}], conditions: [cond('PlacementSatisfied', 'True')] },
  });
}

function seedDeployments() {
  rig.hub.seed('FleetDeployment', 'pos', {
    labels: { team: 'retail' },
    spec: { placementRef: { name: 'stores' }, rolloutStrategy: { type: 'Progressive' } },
    status: {
      revision: 2,
      state: 'Progressing',
      summary: { total: 10, updated: 6, applied: 6, available: 5, degraded: 0, failed: 1, pendingWindow: 3, templateErrors: 0 },
    },
  });
  rig.hub.seed('FleetDeployment', 'monitoring', { labels: { team: 'platform' }, spec: { placementRef: { name: 'all' } } });
}

describe('works', () => {
  test('table and wide', async () => {
    seedWorks();
    const table = await tether('get', 'works', '--cluster', 'store-0001');
    const lines = table.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+CLUSTER\s+MANIFESTS\s+APPLIED\s+AVAILABLE\s+DEGRADED\s+DRIFTED\s+AGE$/);
    expect(cells(lines[1])).toEqual(['nginx', 'store-0001', '2', 'True', 'True', 'False', 'False', '2d']);
    expect(cells(lines[2])).toEqual(['redis', 'store-0001', '1', '<none>', '<none>', '<none>', '<none>', '2d']);
    const wide = await tether('get', 'works', '--cluster', 'store-0001', '-o', 'wide');
    const w = wide.out.trimEnd().split('\n');
    expect(w[0]).toMatch(/AGE\s+GENERATION\s+LABELS$/);
    expect(w[1]).toMatch(/2d\s+1\s+app=web$/);
    expect(w[2]).toMatch(/2d\s+1 \(not reported\)\s+app=cache$/);
  });

  test('json, yaml, name and -l', async () => {
    seedWorks();
    const json = JSON.parse((await tether('get', 'works', '--cluster', 'store-0001', '-o', 'json')).out) as {
      kind: string;
      items: Array<{ metadata: { name: string; namespace: string } }>;
    };
    expect(json.kind).toBe('WorkList');
    expect(json.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`)).toEqual(['store-0001/nginx', 'store-0001/redis']);
    const yaml = await tether('get', 'work', 'redis', '--cluster', 'store-0001', '-o', 'yaml');
    expect(parseYaml(yaml.out)).toEqual(rig.hub.objects.get('Work/store-0001/redis'));
    const selected = await tether('get', 'works', '--cluster', 'store-0001', '-l', 'app=web', '-o', 'name');
    expect(selected).toMatchObject({ code: 0, out: 'work/nginx\n' });
    expect(rig.hub.requests.at(-1)?.query.labelSelector).toBe('app=web');
  });
});

describe('placements', () => {
  test('table and wide', async () => {
    seedPlacements();
    const lines = (await tether('get', 'placements')).out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+SELECTED\s+GROUPS\s+SATISFIED\s+AGE$/);
    expect(cells(lines[1])).toEqual(['all', '12', '1', 'True', '2d']);
    expect(cells(lines[2])).toEqual(['stores', '4/5', '2', 'False', '2d']);
    const w = (await tether('get', 'pl', '-o', 'wide')).out.trimEnd().split('\n');
    expect(w[0]).toMatch(/AGE\s+SETS\s+LABELS$/);
    expect(w[1]).toMatch(/2d\s+<all clusters>\s+team=platform$/);
    expect(w[2]).toMatch(/2d\s+stores\s+team=retail$/);
  });

  test('json, yaml, name and -l', async () => {
    seedPlacements();
    const list = parseYaml((await tether('get', 'placements', '-o', 'yaml')).out) as { kind: string; items: unknown[] };
    expect(list.kind).toBe('PlacementList');
    expect(list.items).toEqual([rig.hub.objects.get('Placement/all'), rig.hub.objects.get('Placement/stores')]);
    expect(JSON.parse((await tether('get', 'placement', 'stores', '-o', 'json')).out)).toEqual(rig.hub.objects.get('Placement/stores'));
    expect(await tether('get', 'placements', '-l', 'team in (retail)', '-o', 'name')).toMatchObject({ code: 0, out: 'placement/stores\n' });
  });
});

describe('fleetdeployments', () => {
  test('table and wide', async () => {
    seedDeployments();
    const lines = (await tether('get', 'fleetdeployments')).out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+REVISION\s+UPDATED\/TOTAL\s+AVAILABLE\s+FAILED\s+STATE\s+AGE$/);
    expect(cells(lines[1])).toEqual(['monitoring', '<none>', '0/0', '0', '0', 'Pending', '2d']);
    expect(cells(lines[2])).toEqual(['pos', '2', '6/10', '5', '1', 'Progressing', '2d']);
    const w = (await tether('get', 'fleetdeployments', '-o', 'wide')).out.trimEnd().split('\n');
    expect(w[0]).toMatch(
      /^NAME\s+PLACEMENT\s+STRATEGY\s+REVISION\s+UPDATED\/TOTAL\s+AVAILABLE\s+FAILED\s+PENDING-WINDOW\s+STATE\s+AGE\s+LABELS$/,
    );
    expect(cells(w[2])).toEqual(['pos', 'stores', 'Progressive', '2', '6/10', '5', '1', '3', 'Progressing', '2d', 'team=retail']);
  });

  test('json, yaml, name and -l', async () => {
    seedDeployments();
    const json = JSON.parse((await tether('get', 'fleetdeployments', '-l', 'team=retail', '-o', 'json')).out) as {
      kind: string;
      items: unknown[];
    };
    expect(json).toMatchObject({ kind: 'FleetDeploymentList', items: [rig.hub.objects.get('FleetDeployment/pos')] });
    expect(parseYaml((await tether('get', 'fleetdeployment', 'monitoring', '-o', 'yaml')).out)).toEqual(
      rig.hub.objects.get('FleetDeployment/monitoring'),
    );
    expect(await tether('get', 'fleetdeployments', '-l', '!team', '-o', 'name')).toMatchObject({ code: 0, out: '' });
    expect(await tether('get', 'fleetdeployments', '-l', 'team', '-o', 'name')).toMatchObject({
      code: 0,
      out: 'fleetdeployment/monitoring\nfleetdeployment/pos\n',
    });
  });
});
