import { useCliRig } from './support/cli-rig.js';

const rig = useCliRig('get-kubectl');
const tether = (args: string[]) => rig.tether(args);

function seedFleet(): void {
  rig.hub.seed('Cluster', 'store-0002', { labels: { tier: 'store', region: 'us-east' }, status: { version: '1.30.2' } });
  rig.hub.seed('Cluster', 'store-0001', { labels: { tier: 'store' }, status: { version: '1.29.0' } });
  rig.hub.seed('Cluster', 'edge-0001', { labels: { tier: 'edge' } });
}

describe('tether get -o jsonpath', () => {
  test('{.items[*].metadata.name} prints every name separated by a space, as kubectl', async () => {
    seedFleet();
    const r = await tether(['get', 'clusters', '-o', 'jsonpath={.items[*].metadata.name}']);
    expect(r).toMatchObject({ code: 0, out: 'edge-0001 store-0001 store-0002', err: '' });
  });

  test('range, quoted escapes, filters and a missing field (printed as nothing)', async () => {
    seedFleet();
    const r = await tether([
      'get',
      'clusters',
      '-l',
      'tier=store',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.status.version}{"\\t"}{.metadata.labels.region}{"\\n"}{end}',
    ]);
    expect(r.out).toBe('store-0001\t1.29.0\t\nstore-0002\t1.30.2\tus-east\n');
    const one = await tether(['get', 'cluster', 'store-0002', '-o', "jsonpath='{.metadata.labels.tier}'"]);
    expect(one.out).toBe('store');
    rig.hub.seed('Cluster', 'c', {
      status: {
        conditions: [
          { type: 'Available', status: 'True' },
          { type: 'Joined', status: 'False' },
        ],
      },
    });
    const filter = await tether(['get', 'cluster', 'c', '-o', 'jsonpath={.status.conditions[?(@.type=="Joined")].status}']);
    expect(filter.out).toBe('False');
  });

  test('a malformed template is a usage error before any request', async () => {
    for (const bad of ['jsonpath={.items[*]', 'jsonpath={range .items[*]}{.x}', 'jsonpath=', 'jsonpath', 'yml']) {
      const r = await tether(['get', 'clusters', '-o', bad]);
      expect(r.code).toBe(2);
    }
    expect((await tether(['get', 'clusters', '-o', 'yml'])).err).toContain('use one of: table, wide, json, yaml, name, jsonpath=TEMPLATE');
    expect(rig.hub.requests).toHaveLength(0);
  });
});

describe('tether get --sort-by and --show-labels', () => {
  test('sorts by a path (missing values last), and adds a LABELS column', async () => {
    seedFleet();
    const r = await tether(['get', 'clusters', '--sort-by', '{.status.version}', '-o', 'name']);
    expect(r.out).toBe('cluster/store-0001\ncluster/store-0002\ncluster/edge-0001\n');
    const table = await tether(['get', 'clusters', '--sort-by=.metadata.name', '--show-labels']);
    const lines = table.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s.*\sLABELS$/);
    expect(lines[1]).toMatch(/^edge-0001\s.*\stier=edge$/);
    expect(lines[3]).toMatch(/^store-0002\s.*\stier=store,region=us-east$/);
  });
});

describe('tether get works -n / -A', () => {
  test('-n is --cluster; -A lists every cluster with a CLUSTER column', async () => {
    seedFleet();
    rig.hub.seed('Work', 'pos', { namespace: 'store-0001', labels: { app: 'pos' } });
    rig.hub.seed('Work', 'pos', { namespace: 'store-0002', labels: { app: 'pos' } });
    rig.hub.seed('Work', 'agent', { namespace: 'edge-0001', labels: { app: 'agent' } });
    const described = await tether(['describe', 'work', 'pos', '-n', 'store-0001']);
    expect(described.code).toBe(0);
    expect(rig.hub.requests.some((q) => q.path === '/v1/clusters/store-0001/works/pos')).toBe(true);
    const n = await tether(['get', 'works', '-n', 'store-0001', '-o', 'name']);
    expect(n).toMatchObject({ code: 0, out: 'work/pos\n' });
    expect(rig.hub.requests.at(-1)?.path).toBe('/v1/clusters/store-0001/works');
    const all = await tether(['get', 'works', '-A', '-l', 'app=pos']);
    expect(all.code).toBe(0);
    const lines = all.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CLUSTER\s+NAME\s/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual(['store-0001 pos', 'store-0002 pos']);
    const json = JSON.parse((await tether(['get', 'works', '-A', '-o', 'json'])).out);
    expect(json.items.map((w: { metadata: { namespace: string; name: string } }) => `${w.metadata.namespace}/${w.metadata.name}`)).toEqual([
      'edge-0001/agent',
      'store-0001/pos',
      'store-0002/pos',
    ]);
  });

  test('-A is ignored for kinds that do not belong to a cluster; conflicting flags are usage errors', async () => {
    seedFleet();
    expect((await tether(['get', 'clusters', '-A', '-o', 'name'])).out).toBe('cluster/edge-0001\ncluster/store-0001\ncluster/store-0002\n');
    expect((await tether(['get', 'works', '-A', '-n', 'x'])).code).toBe(2);
    expect((await tether(['get', 'works', 'pos', '-A'])).err).toContain('cannot be read by name across all clusters');
    expect((await tether(['get', 'works', '--cluster', 'a', '-n', 'b'])).err).toContain('name different clusters');
    expect((await tether(['get', 'works'])).err).toContain('pass --cluster NAME');
  });
});
