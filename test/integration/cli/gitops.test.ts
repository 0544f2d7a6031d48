import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useCliRig } from './support/cli-rig.js';

const rig = useCliRig('gitops');
const tether = (args: string[], stdin?: string) => rig.tether(args, { stdin, cwd: rig.dir });

const OWNED = 'gitops.tether.dev/repo: fleet';
const cluster = (name: string, labels = `tier: store, ${OWNED}`) =>
  `apiVersion: tether.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: ${name}\n  labels: {${labels}}\nspec:\n  hubAcceptsClient: true\n`;
const work = (name: string, clusterName: string) =>
  `apiVersion: tether.dev/v1alpha1\nkind: Work\nmetadata:\n  name: ${name}\n  namespace: ${clusterName}\n  labels: {${OWNED}}\nspec:\n  workload:\n    manifests: []\n`;

function writeRepo(files: Record<string, string>): void {
  mkdirSync(join(rig.dir, 'fleet'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(rig.dir, 'fleet', name), text);
}

describe('tether delete -f', () => {
  test('deletes every object the files describe, works in their cluster; a missing one fails unless --ignore-not-found', async () => {
    rig.hub.seed('Cluster', 'store-0001');
    rig.hub.seed('Work', 'nginx', { namespace: 'store-0001' });
    writeRepo({ 'a.yaml': [cluster('store-0001'), cluster('store-0002')].join('---\n'), 'b.yaml': work('nginx', 'store-0001') });
    const r = await tether(['delete', '-f', 'fleet']);
    expect(r.out).toBe('cluster "store-0001" deleted\nwork "nginx" (cluster store-0001) deleted\n');
    expect(r.err).toBe('error: Cluster "store-0002" not found (404)\n');
    expect(r.code).toBe(4);
    expect(rig.hub.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      'DELETE /v1/clusters/store-0001',
      'DELETE /v1/clusters/store-0002',
      'DELETE /v1/clusters/store-0001/works/nginx',
    ]);
    const again = await tether(['delete', '-f', 'fleet', '--ignore-not-found']);
    expect(again).toMatchObject({ code: 0, out: '', err: '' });
  });

  test('a document without a known kind stops the run before anything is deleted', async () => {
    rig.hub.seed('Cluster', 'store-0001');
    writeRepo({ 'a.yaml': `${cluster('store-0001')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n` });
    const r = await tether(['delete', '-f', 'fleet']);
    expect(r).toMatchObject({ code: 2, err: 'error: fleet/a.yaml, document 2: unknown kind "ConfigMap"\n' });
    expect(rig.hub.requests).toHaveLength(0);
    expect((await tether(['delete', 'cluster', 'x', '-f', 'fleet'])).code).toBe(2);
  });
});

describe('tether diff -f', () => {
  test('exit 0 and no output when the hub already matches the files', async () => {
    rig.hub.seed('Cluster', 'store-0001', {
      labels: { tier: 'store', 'gitops.tether.dev/repo': 'fleet' },
      spec: { hubAcceptsClient: true },
    });
    writeRepo({ 'a.yaml': cluster('store-0001') });
    const r = await tether(['diff', '-f', 'fleet']);
    expect(r).toMatchObject({ code: 0, out: '', err: '' });
    expect(rig.hub.requests.map((q) => `${q.method} ${q.path} ${JSON.stringify(q.query)}`)).toEqual(['POST /v1/apply {"dryRun":"true"}']);
  });

  test('exit 1 with a unified diff per changed or new object; nothing is saved', async () => {
    rig.hub.seed('Cluster', 'store-0001', {
      labels: { tier: 'edge', 'gitops.tether.dev/repo': 'fleet' },
      spec: { hubAcceptsClient: true },
      status: { conditions: [] },
    });
    writeRepo({ 'a.yaml': [cluster('store-0001'), cluster('store-0002')].join('---\n') });
    const r = await tether(['diff', '-f', 'fleet']);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      [
        '--- cluster/store-0001 (live)',
        '+++ cluster/store-0001 (fleet/a.yaml)',
        '@@ -4,7 +4,7 @@',
        '   name: store-0001',
        '   labels:',
        '     gitops.tether.dev/repo: fleet',
        '-    tier: edge',
        '+    tier: store',
        ' spec:',
        '   hubAcceptsClient: true',
        // The kind's defaults are compared as the hub stores them, so they are context, not changes.
        '   leaseDurationSeconds: 60',
        '--- /dev/null',
        '+++ cluster/store-0002 (fleet/a.yaml)',
        '@@ -0,0 +1,11 @@',
        '+apiVersion: tether.dev/v1alpha1',
        '+kind: Cluster',
        '+metadata:',
        '+  name: store-0002',
        '+  labels:',
        '+    gitops.tether.dev/repo: fleet',
        '+    tier: store',
        '+spec:',
        '+  hubAcceptsClient: true',
        '+  leaseDurationSeconds: 60',
        '+  taints: []',
        '',
      ].join('\n'),
    );
    expect(rig.hub.objects.has('Cluster/store-0002')).toBe(false);
    expect(rig.hub.objects.get('Cluster/store-0001')?.metadata.labels?.tier).toBe('edge');
  });

  test('Secret values never show: *** when equal, *** (before) / *** (after) when changed', async () => {
    const secret = (password: string, token: string) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'pos' },
      stringData: { password, token },
    });
    rig.hub.seed('Work', 'pos', {
      namespace: 'store-0001',
      labels: { 'gitops.tether.dev/repo': 'fleet' },
      spec: { workload: { manifests: [secret('hunter2', 'tok-1')] }, manifestConfigs: [] },
    });
    const file = {
      apiVersion: 'tether.dev/v1alpha1',
      kind: 'Work',
      metadata: { name: 'pos', namespace: 'store-0001', labels: { 'gitops.tether.dev/repo': 'fleet' } },
      spec: { workload: { manifests: [secret('correct-horse', 'tok-1')] } },
    };
    writeRepo({ 'w.json': JSON.stringify(file) });
    const r = await tether(['diff', '-f', 'fleet']);
    expect(r.code).toBe(1);
    expect(r.out).not.toMatch(/hunter2|correct-horse|tok-1/);
    expect(r.out).toContain('\n-          password: "*** (before)"\n+          password: "*** (after)"\n           token: "***"\n');
  });

  test('an invalid document is an error (exit 2), not a difference', async () => {
    writeRepo({ 'a.yaml': cluster('store-0001').replace('spec:\n', 'spec:\n  taints:\n    - {key: a, effect: Sometimes}\n') });
    const r = await tether(['diff', '-f', 'fleet']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('error: cluster/store-0001 (fleet/a.yaml, document 1): Cluster "store-0001" is invalid: spec.taints.0.effect');
    const broken = await tether(['diff', '-f', '-'], 'kind: [');
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(/^error: stdin: invalid YAML/);
  });
});

describe('tether apply --prune -l', () => {
  test('deletes the owned objects of the applied kinds that left the files, and only those', async () => {
    rig.hub.seed('Cluster', 'store-0001', {
      labels: { tier: 'store', 'gitops.tether.dev/repo': 'fleet' },
      spec: { hubAcceptsClient: true },
    });
    rig.hub.seed('Cluster', 'store-0009', { labels: { 'gitops.tether.dev/repo': 'fleet' } });
    rig.hub.seed('Cluster', 'lab-0001', { labels: { tier: 'lab' } });
    rig.hub.seed('ClusterSet', 'stores', { labels: { 'gitops.tether.dev/repo': 'fleet' } });
    rig.hub.seed('Work', 'old', { namespace: 'store-0001', labels: { 'gitops.tether.dev/repo': 'fleet' } });
    rig.hub.seed('Work', 'other', { namespace: 'store-0002', labels: { 'gitops.tether.dev/repo': 'fleet' } });
    writeRepo({ 'a.yaml': cluster('store-0001'), 'b.yaml': work('nginx', 'store-0001') });
    const dry = await tether(['apply', '-f', 'fleet', '--prune', '-l', 'gitops.tether.dev/repo=fleet', '--dry-run']);
    expect(dry).toMatchObject({ code: 0, err: '' });
    expect(dry.out).toBe(
      'cluster/store-0001 unchanged (dry run)\nwork/nginx (cluster store-0001) created (dry run)\ncluster/store-0009 pruned (dry run)\nwork/old (cluster store-0001) pruned (dry run)\n',
    );
    expect(rig.hub.requests.filter((q) => q.method === 'DELETE')).toHaveLength(0);

    const r = await tether(['apply', '-f', 'fleet', '--prune', '-l', 'gitops.tether.dev/repo=fleet']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toBe(
      'cluster/store-0001 unchanged\nwork/nginx (cluster store-0001) created\ncluster/store-0009 pruned\nwork/old (cluster store-0001) pruned\n',
    );
    // A kind the files do not hold (ClusterSet), an unowned cluster and another cluster's work stay.
    expect([...rig.hub.objects.keys()].sort()).toEqual([
      'Cluster/lab-0001',
      'Cluster/store-0001',
      'ClusterSet/stores',
      'Work/store-0001/nginx',
      'Work/store-0002/other',
    ]);
    const lists = rig.hub.requests.filter((q) => q.method === 'GET').map((q) => `${q.path}?${q.query.labelSelector}`);
    expect(new Set(lists)).toEqual(
      new Set(['/v1/clusters?gitops.tether.dev/repo=fleet', '/v1/clusters/store-0001/works?gitops.tether.dev/repo=fleet']),
    );
  });

  test('refuses --prune without -l; prunes nothing when a document failed', async () => {
    writeRepo({ 'a.yaml': cluster('store-0001') });
    const noSelector = await tether(['apply', '-f', 'fleet', '--prune']);
    expect(noSelector.code).toBe(2);
    expect(noSelector.err).toContain('--prune needs -l SELECTOR');
    expect(rig.hub.requests).toHaveLength(0);
    rig.hub.seed('Cluster', 'store-0009', { labels: { 'gitops.tether.dev/repo': 'fleet' } });
    writeRepo({ 'b.yaml': cluster('Bad_Name') });
    const failed = await tether(['apply', '-f', 'fleet', '--prune', '-l', 'gitops.tether.dev/repo=fleet']);
    expect(failed.code).toBe(1);
    expect(failed.err).toContain('warning: not pruning: some files or documents failed');
    expect(rig.hub.objects.has('Cluster/store-0009')).toBe(true);
  });
});
