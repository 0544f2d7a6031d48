import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useCliRig } from './support/cli-rig.js';

const rig = useCliRig('apply');
const tether = (args: string[], stdin?: string) => rig.tether(args, { stdin, cwd: rig.dir });

const cluster = (name: string, labels = 'tier: store', extra = '') =>
  `apiVersion: tether.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: ${name}\n  labels: {${labels}}\nspec:\n  hubAcceptsClient: true\n${extra}`;

describe('tether apply', () => {
  test('sends one POST /v1/apply per file with its text untouched and prints one line per document', async () => {
    rig.hub.seed('Cluster', 'store-0002', { labels: { tier: 'store' }, spec: { hubAcceptsClient: true } });
    rig.hub.seed('Cluster', 'store-0003', { labels: { tier: 'edge' }, spec: { hubAcceptsClient: true } });
    const text = [cluster('store-0001'), cluster('store-0002'), cluster('store-0003')].join('---\n');
    writeFileSync(join(rig.dir, 'fleet.yaml'), text);
    const r = await tether(['apply', '-f', 'fleet.yaml']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe('cluster/store-0001 created\ncluster/store-0002 unchanged\ncluster/store-0003 configured\n');
    expect(rig.hub.requests).toHaveLength(1);
    const [req] = rig.hub.requests;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/apply');
    expect(req.query).toEqual({});
    expect(req.headers['content-type']).toBe('application/yaml');
    expect(req.headers.authorization).toBe(`Bearer ${rig.hub.token}`);
    expect(req.body).toBe(text);
  });

  test('--dry-run adds ?dryRun=true and marks every line', async () => {
    writeFileSync(join(rig.dir, 'c.yaml'), cluster('store-0001'));
    const r = await tether(['apply', '-f', 'c.yaml', '--dry-run']);
    expect(r.code).toBe(0);
    expect(rig.hub.requests[0].query).toEqual({ dryRun: 'true' });
    expect(r.out).toBe('cluster/store-0001 created (dry run)\n');
    expect(rig.hub.objects.has('Cluster/store-0001')).toBe(false);
  });

  test('a directory applies its *.yaml, *.yml and *.json files in name order, JSON as application/json', async () => {
    mkdirSync(join(rig.dir, 'fleet'));
    writeFileSync(join(rig.dir, 'fleet', 'b.yml'), cluster('b-cluster'));
    writeFileSync(join(rig.dir, 'fleet', 'a.yaml'), cluster('a-cluster'));
    const json = JSON.stringify({ apiVersion: 'tether.dev/v1alpha1', kind: 'ClusterSet', metadata: { name: 'stores' }, spec: {} });
    writeFileSync(join(rig.dir, 'fleet', 'c.json'), json);
    writeFileSync(join(rig.dir, 'fleet', 'notes.txt'), 'not a manifest');
    const r = await tether(['apply', '-f', 'fleet']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('cluster/a-cluster created\ncluster/b-cluster created\nclusterset/stores created\n');
    expect(rig.hub.requests.map((q) => q.headers['content-type'])).toEqual(['application/yaml', 'application/yaml', 'application/json']);
    expect(rig.hub.requests[2].body).toBe(json);
  });

  test('reads stdin with -f -', async () => {
    const r = await tether(['apply', '-f', '-'], cluster('from-stdin'));
    expect(r.code).toBe(0);
    expect(r.out).toBe('cluster/from-stdin created\n');
    expect(rig.hub.requests[0].body).toBe(cluster('from-stdin'));
  });

  test('failed documents are reported with their file and index, the rest still apply, and the exit code is 1', async () => {
    const bad = cluster('store-1', 'tier: store', '  taints:\n    - key: a\n      effect: Sometimes\n');
    writeFileSync(join(rig.dir, 'mixed.yaml'), [cluster('store-0001'), bad].join('---\n'));
    const r = await tether(['apply', '-f', 'mixed.yaml']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('cluster/store-0001 created\n');
    expect(r.err).toBe(
      'error: cluster/store-1 (mixed.yaml, document 2): Cluster "store-1" is invalid: spec.taints.0.effect: effect must be one of NoSelect, PreferNoSelect, NoSelectIfNew (422)\n',
    );
    const verbose = await tether(['apply', '-f', 'mixed.yaml', '-v']);
    expect(verbose.err).toContain(
      '  field errors:\n    spec.taints.0.effect: effect must be one of NoSelect, PreferNoSelect, NoSelectIfNew\n',
    );
  });

  test('a file that does not parse is reported with its line, skipped, and fails the run; other files still apply', async () => {
    writeFileSync(join(rig.dir, 'a-broken.yaml'), 'apiVersion: tether.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: [unclosed\n');
    writeFileSync(join(rig.dir, 'b-good.yaml'), cluster('store-0001'));
    const r = await tether(['apply', '-f', 'a-broken.yaml', '-f', 'b-good.yaml']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'error: a-broken.yaml: invalid YAML at line 5, column 1: Flow sequence in block collection must be sufficiently indented and end with a ] (at the end of the input)\n',
    );
    expect(r.out).toBe('cluster/store-0001 created\n');
    expect(rig.hub.requests).toHaveLength(1);
  });

  test('a request the hub rejects as a whole is reported with the file name', async () => {
    rig.hub.overrides.set('POST /v1/apply', {
      status: 413,
      contentType: 'application/problem+json',
      body: {
        type: 'https://tether.dev/problems/payload-too-large',
        title: 'Payload Too Large',
        status: 413,
        detail: 'request body is 9000000 bytes; the limit is 6291456 bytes',
        limitBytes: 6291456,
        actualBytes: 9000000,
      },
    });
    writeFileSync(join(rig.dir, 'big.yaml'), cluster('store-0001'));
    const r = await tether(['apply', '-f', 'big.yaml']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('error: big.yaml: request body is 9000000 bytes; the limit is 6291456 bytes (413)\n');
  });

  test('usage errors: missing -f, a path that does not exist, nothing to apply', async () => {
    const noFlag = await tether(['apply']);
    expect(noFlag.code).toBe(2);
    expect(noFlag.err).toContain("error: required option '-f, --filename <path>' not specified");
    const missing = await tether(['apply', '-f', 'nope.yaml']);
    expect(missing).toMatchObject({ code: 2, err: 'error: the path "nope.yaml" does not exist\n' });
    writeFileSync(join(rig.dir, 'empty.yaml'), '# nothing here\n');
    const empty = await tether(['apply', '-f', 'empty.yaml']);
    expect(empty.code).toBe(2);
    expect(empty.err).toBe('warning: empty.yaml: no documents\nerror: no objects passed to apply\n');
    expect(rig.hub.requests).toHaveLength(0);
  });
});
