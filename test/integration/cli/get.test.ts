import { parse as parseYaml } from 'yaml';
import { useCliRig } from './support/cli-rig.js';

const rig = useCliRig('get');
const tether = (...args: string[]) => rig.tether(args);

function seedFleet() {
  rig.hub.seed('Cluster', 'store-0001', {
    labels: { tier: 'store', region: 'us-east' },
    spec: { hubAcceptsClient: true },
    status: {
      conditions: [
        { type: 'Joined', status: 'True', reason: 'AgentJoined', message: 'joined', lastTransitionTime: '2026-11-10T11:57:00Z' },
        { type: 'Available', status: 'False', reason: 'LeaseExpired', message: 'no heartbeat', lastTransitionTime: '2026-11-10T10:00:00Z' },
      ],
      version: { kubernetes: 'v1.31.2' },
      agentVersion: '0.1.0',
      clusterSets: ['stores', 'east'],
      lastSeen: '2026-11-10T11:59:55Z',
      state: 'Unknown',
    },
  });
  // status.state as the hub computes it when it answers (lab-0001: a hub too old to send it).
  rig.hub.seed('Cluster', 'store-0002', {
    labels: { tier: 'store', region: 'us-west' },
    status: { conditions: [], state: 'PendingAcceptance' },
  });
  rig.hub.seed('Cluster', 'edge-0001', {
    labels: { tier: 'edge' },
    spec: { hubAcceptsClient: true },
    status: { conditions: [], state: 'WaitingForAgent' },
  });
  rig.hub.seed('Cluster', 'edge-0002', { labels: { tier: 'edge' }, status: { conditions: [], phase: 'Denied', state: 'Denied' } });
  rig.hub.seed('Cluster', 'lab-0001');
}

describe('tether get', () => {
  test('follows continue tokens until the last page and prints every cluster in a table', async () => {
    seedFleet();
    const r = await tether('get', 'clusters');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const lists = rig.hub.requests.filter((q) => q.path === '/v1/clusters');
    expect(lists.map((q) => q.query.continue)).toEqual([undefined, '2', '4']);
    for (const q of lists) {
      expect(q.method).toBe('GET');
      expect(q.headers.authorization).toBe(`Bearer ${rig.hub.token}`);
      expect(q.headers['user-agent']).toMatch(/^tether-cli\//);
      expect(q.query.limit).toBeUndefined();
    }
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+ACCEPTED\s+JOINED\s+AVAILABLE\s+K8S\s+AGENT\s+SETS\s+AGE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['edge-0001', 'edge-0002', 'lab-0001', 'store-0001', 'store-0002']);
    expect(lines.find((l) => l.startsWith('store-0001'))?.split(/\s{3,}/)).toEqual([
      'store-0001',
      'Unknown',
      'true',
      'True',
      'False',
      'v1.31.2',
      '0.1.0',
      'stores,east',
      '2d',
    ]);
    expect(lines.find((l) => l.startsWith('lab-0001'))?.split(/\s{3,}/)).toEqual([
      'lab-0001',
      '<none>',
      'false',
      '<none>',
      '<none>',
      '<none>',
      '<none>',
      '<none>',
      '2d',
    ]);
    const status = (name: string) => lines.find((l) => l.startsWith(name))?.split(/\s+/)[1];
    expect(['store-0002', 'edge-0001', 'edge-0002'].map(status)).toEqual(['PendingAcceptance', 'WaitingForAgent', 'Denied']);
  });

  test('sends the label selector as given and prints only what the hub returned', async () => {
    seedFleet();
    const r = await tether('get', 'cl', '-l', 'tier=store,region in (us-east,us-west)', '-o', 'name');
    expect(r.code).toBe(0);
    expect(rig.hub.requests[0].query.labelSelector).toBe('tier=store,region in (us-east,us-west)');
    expect(r.out).toBe('cluster/store-0001\ncluster/store-0002\n');
  });

  test('--limit asks for one page and does not follow the continue token', async () => {
    seedFleet();
    const r = await tether('get', 'clusters', '--limit', '3', '-o', 'name');
    expect(r.code).toBe(0);
    expect(rig.hub.requests).toHaveLength(1);
    expect(rig.hub.requests[0].query).toEqual({ limit: '3' });
    expect(r.out.trimEnd().split('\n')).toHaveLength(3);
  });

  test('-o wide adds PROVIDER, DISTRIBUTION, REGION, LABELS and LAST-SEEN', async () => {
    seedFleet();
    const r = await tether('get', 'cluster', 'store-0001', '-o', 'wide');
    expect(r.code).toBe(0);
    expect(rig.hub.requests[0].path).toBe('/v1/clusters/store-0001');
    const [header, row] = r.out.trimEnd().split('\n');
    expect(header).toMatch(/SETS\s+PROVIDER\s+DISTRIBUTION\s+REGION\s+AGE\s+LABELS\s+LAST-SEEN$/);
    expect(row).toMatch(/2d\s+tier=store,region=us-east\s+5s ago$/);
  });

  test('-o json prints one merged <Kind>List of all pages; -o yaml of one object prints the object', async () => {
    seedFleet();
    const json = await tether('get', 'clusters', '-o', 'json');
    const list = JSON.parse(json.out) as { kind: string; items: Array<{ metadata: { name: string } }>; metadata: object };
    expect(list.kind).toBe('ClusterList');
    expect(list.metadata).toEqual({});
    expect(list.items.map((i) => i.metadata.name)).toHaveLength(5);
    const yaml = await tether('get', 'cluster', 'store-0002', '-o', 'yaml');
    expect(parseYaml(yaml.out)).toEqual(rig.hub.objects.get('Cluster/store-0002'));
  });

  test('cluster sets show their selector and member count', async () => {
    rig.hub.seed('ClusterSet', 'stores', {
      spec: { clusterSelector: { selectorType: 'ExclusiveClusterSetLabel' } },
      status: { memberCount: 12 },
    });
    rig.hub.seed('ClusterSet', 'east', {
      spec: {
        clusterSelector: {
          selectorType: 'LabelSelector',
          labelSelector: {
            matchLabels: { region: 'us-east' },
            matchExpressions: [{ key: 'tier', operator: 'In', values: ['store', 'edge'] }],
          },
        },
      },
    });
    const r = await tether('get', 'clustersets');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+SELECTOR\s+MEMBERS\s+AGE$/);
    expect(lines[1].split(/\s{3,}/)).toEqual(['east', 'LabelSelector region=us-east,tier in (store,edge)', '<none>', '2d']);
    expect(lines[2].split(/\s{3,}/)).toEqual(['stores', 'ExclusiveClusterSetLabel tether.dev/clusterset=stores', '12', '2d']);
  });

  test('an empty list prints a notice on stderr and nothing on stdout', async () => {
    const r = await tether('get', 'clusters', '-l', 'tier=none');
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toBe('No clusters found matching "tier=none".\n');
  });

  test('namespaced kinds are listed under their cluster with --cluster, and refuse to run without it', async () => {
    rig.hub.seed('Work', 'nginx', { namespace: 'store-0001' });
    rig.hub.seed('Work', 'redis', { namespace: 'store-0001' });
    rig.hub.seed('Work', 'nginx', { namespace: 'store-0002' });
    const r = await tether('get', 'works', '--cluster', 'store-0001', '-o', 'name');
    expect(r.code).toBe(0);
    expect(rig.hub.requests[0].path).toBe('/v1/clusters/store-0001/works');
    expect(r.out).toBe('work/nginx\nwork/redis\n');
    const one = await tether('get', 'mw', 'nginx', '--cluster', 'store-0002', '-o', 'json');
    expect(rig.hub.requests[1].path).toBe('/v1/clusters/store-0002/works/nginx');
    expect(JSON.parse(one.out).metadata.namespace).toBe('store-0002');

    const missing = await tether('get', 'works');
    expect(missing.code).toBe(2);
    expect(missing.err).toBe('error: works belong to a cluster: pass --cluster NAME\n');
    const misplaced = await tether('get', 'clusters', '--cluster', 'store-0001');
    expect(misplaced.code).toBe(2);
    expect(misplaced.err).toContain('clusters are not scoped to a cluster');
    expect(rig.hub.requests).toHaveLength(2);
  });
});

describe('tether describe', () => {
  test('prints metadata, labels, spec, cluster status, claims, sets and conditions with ages', async () => {
    seedFleet();
    const c = rig.hub.objects.get('Cluster/store-0001')!;
    (c.status as { claims: unknown }).claims = [{ name: 'platform.tether.dev', value: 'eks' }];
    const r = await tether('describe', 'cluster', 'store-0001');
    expect(r.code).toBe(0);
    expect(rig.hub.requests[0].path).toBe('/v1/clusters/store-0001');
    const out = r.out;
    expect(out).toMatch(/^Name:\s+store-0001$/m);
    expect(out).toMatch(/^Labels:\s+tier=store\n\s+region=us-east$/m);
    expect(out).toMatch(/^Created:\s+2026-11-08T12:00:00Z \(2d ago\)$/m);
    expect(out).toContain('Spec:\n  hubAcceptsClient: true\n');
    expect(out).toMatch(/^ {2}Kubernetes:\s+v1\.31\.2$/m);
    expect(out).toMatch(
      /^ {2}Last Seen:\s+2026-11-10T11:59:55Z \(5s ago\) {2}last heartbeat; a live agent's is up to 40s old \(every half lease, written within 10s\)$/m,
    );
    expect(out).toMatch(/Claims:\n {2}NAME\s+VALUE\n {2}platform\.tether\.dev\s+eks\n/);
    expect(out).toContain('ClusterSets:\n  stores, east\n');
    expect(out).toMatch(
      /Conditions:\n {2}TYPE\s+STATUS\s+REASON\s+AGE\s+MESSAGE\n {2}Joined\s+True\s+AgentJoined\s+3m\s+joined\n {2}Available\s+False\s+LeaseExpired\s+2h\s+no heartbeat\n/,
    );
  });

  test('a missing object is one line on stderr with exit code 4', async () => {
    const r = await tether('describe', 'cluster', 'ghost');
    expect(r.code).toBe(4);
    expect(r.out).toBe('');
    expect(r.err).toBe('error: Cluster "ghost" not found (404)\n');
  });
});
