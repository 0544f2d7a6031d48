import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useCliRig } from './support/cli-rig.js';

const rig = useCliRig('edit');

/** Writes an editor script (sh) into the scratch directory and runs `tether edit` with EDITOR set to it. */
function editWith(script: string, args: string[]) {
  const path = join(rig.dir, 'editor.sh');
  writeFileSync(path, `#!/bin/sh\nset -e\n${script}\n`);
  chmodSync(path, 0o755);
  return rig.tether(['edit', ...args], { env: { EDITOR: path, PATH: process.env.PATH, TMPDIR: rig.dir } });
}

const puts = () => rig.hub.requests.filter((r) => r.method === 'PUT');

describe('tether edit', () => {
  test('saves the edited YAML with a PUT carrying the resourceVersion that was read', async () => {
    const seeded = rig.hub.seed('Cluster', 'store-0001', {
      labels: { tier: 'store' },
      spec: { hubAcceptsClient: false, leaseDurationSeconds: 60, taints: [] },
    });
    const r = await editWith(`sed -i 's/tier: store/tier: flagship/; s/hubAcceptsClient: false/hubAcceptsClient: true/' "$1"`, [
      'cluster',
      'store-0001',
    ]);
    expect(r).toMatchObject({ code: 0, out: 'cluster/store-0001 edited\n', err: '' });
    expect(puts()).toHaveLength(1);
    expect(puts()[0].path).toBe('/v1/clusters/store-0001');
    expect(JSON.parse(puts()[0].body).metadata.resourceVersion).toBe(seeded.metadata.resourceVersion);
    const stored = rig.hub.objects.get('Cluster/store-0001');
    expect(stored?.metadata.labels).toEqual({ tier: 'flagship' });
    expect(stored?.spec).toMatchObject({ hubAcceptsClient: true });
  });

  test('the file holds the object as YAML under a comment header; unchanged or emptied files cancel without a write', async () => {
    rig.hub.seed('Cluster', 'store-0001');
    const seen = join(rig.dir, 'seen.yaml');
    const same = await editWith(`cp "$1" ${JSON.stringify(seen)}`, ['cluster', 'store-0001']);
    expect(same).toMatchObject({ code: 0, out: '', err: 'Edit cancelled, no changes made.\n' });
    const text = readFileSync(seen, 'utf8');
    expect(text).toMatch(/^# Please edit the object below\. Lines beginning with a '#' will be ignored,\n/);
    expect(text).toContain('\nkind: Cluster\nmetadata:\n  name: store-0001\n');
    const emptied = await editWith(': > "$1"', ['cluster', 'store-0001']);
    expect(emptied).toMatchObject({ code: 0, err: 'Edit cancelled, no changes made.\n' });
    expect(puts()).toHaveLength(0);
  });

  test('an invalid change reopens the editor with the errors on top; fixing it saves', async () => {
    rig.hub.seed('Cluster', 'store-0001', { spec: { hubAcceptsClient: true, leaseDurationSeconds: 60, taints: [] } });
    const log = join(rig.dir, 'second-open.yaml');
    const r = await editWith(
      `if [ -f ${JSON.stringify(log)} ]; then exit 1; fi
if grep -q 'was not valid' "$1"; then cp "$1" ${JSON.stringify(log)}; sed -i 's/leaseDurationSeconds: 5$/leaseDurationSeconds: 30/' "$1"; else sed -i 's/leaseDurationSeconds: 60/leaseDurationSeconds: 5/' "$1"; fi`,
      ['cluster', 'store-0001'],
    );
    expect(r.code).toBe(0);
    expect(r.out).toBe('cluster/store-0001 edited\n');
    expect(r.err).toMatch(
      /^error: cluster\/store-0001 is invalid; reopening the editor \(Cluster "store-0001" is invalid: spec\.leaseDurationSeconds: .*\(422\)\)\n$/,
    );
    expect(readFileSync(log, 'utf8')).toMatch(/# cluster\/store-0001 was not valid:\n# \* .*\n/);
    expect(puts()).toHaveLength(2);
    expect(rig.hub.objects.get('Cluster/store-0001')?.spec).toMatchObject({ leaseDurationSeconds: 30 });
  });

  test('saved again without a fix after an error: stops, keeps the file and says where (exit 1)', async () => {
    rig.hub.seed('Cluster', 'store-0001', { spec: { hubAcceptsClient: true, leaseDurationSeconds: 60, taints: [] } });
    const r = await editWith(`sed -i 's/leaseDurationSeconds: 60/leaseDurationSeconds: 5/' "$1"`, ['cluster', 'store-0001']);
    expect(r.code).toBe(1);
    const kept = /A copy of your changes has been stored to "([^"]+)"/.exec(r.err)?.[1];
    expect(kept).toBeDefined();
    expect(existsSync(kept!)).toBe(true);
    expect(kept!.startsWith(rig.dir)).toBe(true);
    expect(readFileSync(kept!, 'utf8')).toContain('leaseDurationSeconds: 5\n');
    expect(r.err).toContain('error: cluster/store-0001 was not saved: Cluster "store-0001" is invalid');
    expect(rig.hub.objects.get('Cluster/store-0001')?.spec).toMatchObject({ leaseDurationSeconds: 60 });
  });

  test('a conflict (changed meanwhile) keeps the file and exits 5; an editor that fails saves nothing', async () => {
    rig.hub.seed('Cluster', 'store-0001', { labels: { tier: 'store' } });
    rig.hub.onRequest = (req) => {
      if (req.method === 'PUT') rig.hub.update('Cluster', 'store-0001', { labels: { tier: 'store', region: 'eu' } });
    };
    const r = await editWith(`sed -i 's/tier: store/tier: flagship/' "$1"`, ['cluster', 'store-0001']);
    expect(r.code).toBe(5);
    expect(r.err).toContain('error: cluster/store-0001 was changed by someone else since you opened it');
    expect(r.err).toMatch(/A copy of your changes has been stored to ".*cluster-store-0001\.yaml"/);
    expect(rig.hub.objects.get('Cluster/store-0001')?.metadata.labels).toEqual({ tier: 'store', region: 'eu' });
    rig.hub.onRequest = undefined;
    const failing = await editWith('exit 3', ['cluster', 'store-0001']);
    expect(failing.code).toBe(1);
    expect(failing.err).toContain('exited with status 3; nothing was saved');
  });

  test('works are edited in their cluster (-n)', async () => {
    rig.hub.seed('Work', 'nginx', { namespace: 'store-0001', spec: { workload: { manifests: [] }, manifestConfigs: [] } });
    const r = await editWith(`sed -i 's/^  name: nginx$/  name: nginx\\n  labels: {app: web}/' "$1"`, [
      'work',
      'nginx',
      '-n',
      'store-0001',
    ]);
    expect(r).toMatchObject({ code: 0, out: 'work/nginx edited\n' });
    expect(puts()[0].path).toBe('/v1/clusters/store-0001/works/nginx');
  });
});
