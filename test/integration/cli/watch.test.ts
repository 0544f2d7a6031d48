import { parseAllDocuments } from 'yaml';
import { run } from '../../../cli/main.js';
import { type CapturedIO } from './support/capture-io.js';
import { type RecordedRequest } from './support/stub-hub.js';
import { useCliRig } from './support/cli-rig.js';

const rig = useCliRig('watch');
const io = (): CapturedIO => rig.io();
const tether = (...args: string[]) => rig.tether(args);

/** Runs `change` when the n-th GET of `path` arrives, before the stub answers it. */
function onNthGet(path: string, n: number, change: () => void): void {
  let seen = 0;
  const previous = rig.hub.onRequest;
  rig.hub.onRequest = (r: RecordedRequest) => {
    previous?.(r);
    if (r.method === 'GET' && r.path === path && ++seen === n) change();
  };
}

const gets = (path: string) => rig.hub.requests.filter((r) => r.method === 'GET' && r.path === path);

describe('tether get --watch', () => {
  test('a list prints once, then only new, changed and deleted rows; idle polls are 304s on every page', async () => {
    rig.hub.seed('Cluster', 'edge-0001', { labels: { tier: 'edge' } });
    rig.hub.seed('Cluster', 'store-0001', { labels: { tier: 'store' } });
    rig.hub.seed('Cluster', 'store-0002', { labels: { tier: 'store' } });
    // Two pages per list (the stub's page size is 2): GETs 1-2 are the first listing, 3-4 the first poll.
    onNthGet('/v1/clusters', 3, () => {
      rig.hub.update('Cluster', 'store-0001', {
        status: {
          conditions: [
            { type: 'Available', status: 'True', reason: 'LeaseRenewed', message: '', lastTransitionTime: '2026-11-10T11:59:00Z' },
          ],
        },
      });
      rig.hub.objects.delete('Cluster/edge-0001');
      rig.hub.seed('Cluster', 'store-0003');
    });
    const r = await tether('get', 'clusters', '--watch', '--interval', '0.01', '--watch-count', '3');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+ACCEPTED\s+JOINED\s+AVAILABLE\s+K8S\s+AGENT\s+SETS\s+AGE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([
      'edge-0001',
      'store-0001',
      'store-0002',
      'store-0001',
      'store-0003',
      'edge-0001',
    ]);
    // The header is printed once; a changed row shows its new state; the deleted row its last one.
    expect(lines.filter((l) => l.startsWith('NAME'))).toHaveLength(1);
    // The stub hub computes no status.state (the real hub does), so STATUS shows <none>.
    expect(lines[4].split(/\s{3,}/)).toEqual(['store-0001', '<none>', 'false', '<none>', 'True', '<none>', '<none>', '<none>', '2d']);
    expect(lines[6]).toMatch(/^edge-0001\s.*2d \(deleted\)$/);

    const lists = gets('/v1/clusters');
    // Two pages each: the first listing, poll 1 (changed), polls 2 and 3 (both pages 304, the cached
    // first page giving the continue token of the second).
    expect(lists).toHaveLength(8);
    expect(lists[0].headers['if-none-match']).toBeUndefined();
    expect(lists[2].headers['if-none-match']).toMatch(/^W\/"[0-9a-f]{32}"$/);
    // Polls 2 and 3 send the ETags poll 1 received, page by page, and nothing changed.
    expect(lists[4].headers['if-none-match']).toBe(lists[6].headers['if-none-match']);
    expect(lists[5].headers['if-none-match']).toBe(lists[7].headers['if-none-match']);
    expect(lists[5].query.continue).toBe('2');
  });

  test('one object in YAML: the first document, then one per change separated by ---; a 304 prints nothing', async () => {
    const seeded = rig.hub.seed('Cluster', 'store-0001', { spec: { hubAcceptsClient: true } });
    onNthGet('/v1/clusters/store-0001', 2, () => rig.hub.update('Cluster', 'store-0001', { status: { phase: 'Joined' } }));
    const r = await tether('get', 'cluster', 'store-0001', '-w', '-o', 'yaml', '--interval', '0.01', '--watch-count', '3');
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.out).map((d) => d.toJS() as { metadata: { resourceVersion: string }; status?: { phase?: string } });
    expect(docs).toHaveLength(2);
    expect(r.out).toContain('\n---\n');
    expect(docs[0].metadata.resourceVersion).toBe(seeded.metadata.resourceVersion);
    expect(docs[1].status?.phase).toBe('Joined');
    const reads = gets('/v1/clusters/store-0001');
    expect(reads.map((q) => q.headers['if-none-match'])).toEqual([
      undefined,
      `"${seeded.metadata.resourceVersion}"`,
      `"${docs[1].metadata.resourceVersion}"`,
      `"${docs[1].metadata.resourceVersion}"`,
    ]);
  });

  test('a watched object that is deleted prints "(deleted)" and the watch goes on; -o json prints one document per change', async () => {
    rig.hub.seed('Work', 'nginx', { namespace: 'store-0001' });
    onNthGet('/v1/clusters/store-0001/works/nginx', 2, () => rig.hub.objects.delete('Work/store-0001/nginx'));
    const named = await tether(
      'get',
      'work',
      'nginx',
      '--cluster',
      'store-0001',
      '-w',
      '-o',
      'name',
      '--interval',
      '0.01',
      '--watch-count',
      '2',
    );
    expect(named).toMatchObject({ code: 0, out: 'work/nginx\nwork/nginx (deleted)\n', err: '' });

    rig.hub.seed('Work', 'redis', { namespace: 'store-0002' });
    onNthGet('/v1/clusters/store-0002/works', 2, () =>
      rig.hub.update('Work', 'redis', { namespace: 'store-0002', status: { observedGeneration: 1 } }),
    );
    const json = await tether('get', 'works', '--cluster', 'store-0002', '-w', '-o', 'json', '--interval', '0.01', '--watch-count', '2');
    expect(json.code).toBe(0);
    const docs = json.out.split(/\n(?=\{)/).map((t) => JSON.parse(t) as { kind: string; status?: { observedGeneration?: number } });
    expect(docs.map((d) => d.kind)).toEqual(['Work', 'Work']);
    expect(docs[1].status?.observedGeneration).toBe(1);
  });

  test('a hub without ETags still shows only changes, by resourceVersion', async () => {
    rig.hub.etags = false;
    rig.hub.seed('Cluster', 'a');
    rig.hub.seed('Cluster', 'b');
    onNthGet('/v1/clusters', 3, () => rig.hub.update('Cluster', 'b', { labels: { tier: 'edge' } }));
    const r = await tether('get', 'clusters', '-w', '-o', 'name', '--interval', '0.01', '--watch-count', '3');
    expect(r).toMatchObject({ code: 0, out: 'cluster/a\ncluster/b\ncluster/b\n' });
    expect(gets('/v1/clusters')).toHaveLength(4);
  });

  test('an empty list says so on stderr and prints the header with the first object that appears', async () => {
    onNthGet('/v1/clusters', 2, () => rig.hub.seed('Cluster', 'new-0001'));
    const r = await tether('get', 'clusters', '-l', 'tier!=edge', '-w', '--interval', '0.01', '--watch-count', '1');
    expect(r.code).toBe(0);
    expect(r.err).toBe('No clusters found matching "tier!=edge"; watching.\n');
    expect(r.out.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+ACCEPTED/);
    expect(r.out.split('\n')[1]).toMatch(/^new-0001\s/);
    expect(gets('/v1/clusters').every((q) => q.query.labelSelector === 'tier!=edge')).toBe(true);
  });

  test('Ctrl-C ends an unbounded watch with exit code 0 and no timer left behind', async () => {
    rig.hub.seed('Cluster', 'a');
    const c = io();
    onNthGet('/v1/clusters', 4, () => c.interrupt());
    const code = await run(['get', 'clusters', '--watch', '--interval', '0.01', '-o', 'name'], c);
    expect(code).toBe(0);
    expect(c.stdout()).toBe('cluster/a\n');
    // The interrupt arrived during the 4th poll; the loop stopped before sleeping again.
    expect(gets('/v1/clusters')).toHaveLength(4);
  });

  test('hub errors during a watch are one line with the usual exit code', async () => {
    rig.hub.seed('Cluster', 'a');
    onNthGet('/v1/clusters', 2, () =>
      rig.hub.overrides.set('GET /v1/clusters', {
        status: 503,
        body: { type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'the table is throttled' },
      }),
    );
    const r = await tether('get', 'clusters', '-w', '-o', 'name', '--interval', '0.01', '--watch-count', '5');
    expect(r).toMatchObject({ code: 1, out: 'cluster/a\n', err: 'error: the table is throttled (503)\n' });
  });

  test('flag checks: --watch with --limit, a bad --interval; --watch-count is not in the help', async () => {
    expect(await tether('get', 'clusters', '-w', '--limit', '2')).toMatchObject({
      code: 2,
      err: 'error: --watch follows the whole list; it cannot be combined with --limit\n',
    });
    expect(await tether('get', 'clusters', '-w', '--interval', 'soon')).toMatchObject({
      code: 2,
      err: 'error: invalid --interval "soon": expected a number of seconds, at least 0.01\n',
    });
    expect(rig.hub.requests).toHaveLength(0);
    const help = await tether('get', '--help');
    expect(help.out).toContain('-w, --watch');
    expect(help.out).toContain('--interval <seconds>');
    expect(help.out).not.toContain('--watch-count');
  });
});
