import { useCliRig } from './support/cli-rig.js';

const rig = useCliRig('label');
const tether = (args: string[]) => rig.tether(args);
const patches = () => rig.hub.requests.filter((r) => r.method === 'PATCH');

describe('tether label', () => {
  test('adds labels with a merge patch that carries the resourceVersion read', async () => {
    const seeded = rig.hub.seed('Cluster', 'store-0001', { labels: { tier: 'store' } });
    const r = await tether(['label', 'cluster', 'store-0001', 'region=us-east', 'tier=store']);
    expect(r).toMatchObject({ code: 0, out: 'cluster/store-0001 labeled\n', err: '' });
    expect(patches()).toHaveLength(1);
    expect(patches()[0].headers['content-type']).toBe('application/merge-patch+json');
    // Only the key that changes is sent; tier already has that value.
    expect(JSON.parse(patches()[0].body)).toEqual({
      metadata: { resourceVersion: seeded.metadata.resourceVersion, labels: { region: 'us-east' } },
    });
    expect(rig.hub.objects.get('Cluster/store-0001')?.metadata.labels).toEqual({ tier: 'store', region: 'us-east' });
  });

  test('refuses to change an existing value without --overwrite, as kubectl, and sends nothing', async () => {
    rig.hub.seed('Cluster', 'store-0001', { labels: { tier: 'store' } });
    const r = await tether(['label', 'cluster', 'store-0001', 'tier=edge']);
    expect(r).toMatchObject({
      code: 2,
      out: '',
      err: "error: cluster/store-0001: 'tier' already has a value (store), and --overwrite is false\n",
    });
    expect(patches()).toHaveLength(0);
    const dry = await tether(['label', 'cluster', 'store-0001', 'tier=edge', '--overwrite', '--dry-run']);
    expect(dry).toMatchObject({ code: 0, out: 'cluster/store-0001 labeled (dry run)\n' });
    expect(patches()).toHaveLength(0);
    const ok = await tether(['label', 'cluster', 'store-0001', 'tier=edge', '--overwrite']);
    expect(ok).toMatchObject({ code: 0, out: 'cluster/store-0001 labeled\n' });
    expect(rig.hub.objects.get('Cluster/store-0001')?.metadata.labels).toEqual({ tier: 'edge' });
  });

  test('key- removes (null in the patch); a missing key is a warning; nothing to do prints "not labeled"', async () => {
    rig.hub.seed('Cluster', 'store-0001', { labels: { tier: 'store', legacy: 'true' } });
    const r = await tether(['label', 'cluster', 'store-0001', 'legacy-', 'ghost-']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('warning: label "ghost" not found on cluster/store-0001\n');
    expect(JSON.parse(patches()[0].body).metadata.labels).toEqual({ legacy: null });
    expect(rig.hub.objects.get('Cluster/store-0001')?.metadata.labels).toEqual({ tier: 'store' });
    const again = await tether(['label', 'cluster', 'store-0001', 'tier=store']);
    expect(again).toMatchObject({ code: 0, out: 'cluster/store-0001 not labeled\n' });
    expect(patches()).toHaveLength(1);
  });

  test('a concurrent change makes the patch conflict; it reads again and re-checks instead of overwriting', async () => {
    rig.hub.seed('Cluster', 'store-0001', { labels: { tier: 'store' } });
    let gets = 0;
    rig.hub.onRequest = (req) => {
      // Someone else sets region between our first read and our patch.
      if (req.method === 'GET') gets++;
      if (req.method === 'PATCH' && gets === 1) rig.hub.update('Cluster', 'store-0001', { labels: { tier: 'store', region: 'eu-west' } });
    };
    const r = await tether(['label', 'cluster', 'store-0001', 'region=us-east']);
    // The second round sees region=eu-west and refuses without --overwrite: the other writer's value survives.
    expect(r.code).toBe(2);
    expect(r.err).toBe("error: cluster/store-0001: 'region' already has a value (eu-west), and --overwrite is false\n");
    expect(patches()).toHaveLength(1);
    expect(rig.hub.objects.get('Cluster/store-0001')?.metadata.labels).toEqual({ tier: 'store', region: 'eu-west' });
  });

  test('-l labels every matching object; works take -n or --cluster', async () => {
    rig.hub.seed('Cluster', 'store-0001', { labels: { region: 'us-east' } });
    rig.hub.seed('Cluster', 'store-0002', { labels: { region: 'us-east' } });
    rig.hub.seed('Cluster', 'store-0003', { labels: { region: 'eu-west' } });
    const r = await tether(['label', 'clusters', '-l', 'region=us-east', 'wave=1']);
    expect(r).toMatchObject({ code: 0, out: 'cluster/store-0001 labeled\ncluster/store-0002 labeled\n' });
    expect(rig.hub.objects.get('Cluster/store-0003')?.metadata.labels).toEqual({ region: 'eu-west' });
    rig.hub.seed('Work', 'nginx', { namespace: 'store-0001', spec: { workload: { manifests: [] } } });
    const w = await tether(['label', 'work', 'nginx', '-n', 'store-0001', 'app=web']);
    expect(w).toMatchObject({ code: 0, out: 'work/nginx labeled\n' });
    expect(patches().at(-1)?.path).toBe('/v1/clusters/store-0001/works/nginx');
  });

  test('usage errors: bad key, no change, no name, a key both set and removed', async () => {
    expect(await tether(['label', 'cluster', 'a', 'Bad Key=x'])).toMatchObject({ code: 2 });
    expect((await tether(['label', 'cluster', 'a'])).err).toContain('at least one label update is required');
    expect((await tether(['label', 'cluster', 'tier=x'])).err).toContain('name at least one cluster to label');
    expect((await tether(['label', 'cluster', 'a', 'k=v', 'k-'])).err).toContain('can not both modify and remove the label "k"');
    expect(rig.hub.requests).toHaveLength(0);
  });
});

describe('tether annotate', () => {
  test('sets, overwrites and removes annotations; values may hold anything', async () => {
    rig.hub.seed('Cluster', 'store-0001', { annotations: { owner: 'team-a' } });
    const r = await tether(['annotate', 'cluster', 'store-0001', 'note=closed for renovation, back 1 Dec']);
    expect(r).toMatchObject({ code: 0, out: 'cluster/store-0001 annotated\n' });
    const clash = await tether(['annotate', 'cluster', 'store-0001', 'owner=team-b']);
    expect(clash.err).toBe("error: cluster/store-0001: 'owner' already has a value (team-a), and --overwrite is false\n");
    await tether(['annotate', 'cluster', 'store-0001', 'owner=team-b', '--overwrite']);
    await tether(['annotate', 'cluster', 'store-0001', 'note-']);
    expect(rig.hub.objects.get('Cluster/store-0001')?.metadata.annotations).toEqual({ owner: 'team-b' });
    expect(patches().map((p) => JSON.parse(p.body).metadata.annotations)).toEqual([
      { note: 'closed for renovation, back 1 Dec' },
      { owner: 'team-b' },
      { note: null },
    ]);
  });
});
