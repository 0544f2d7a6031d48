import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { useCliRig } from './support/cli-rig.js';

const rig = useCliRig('cluster');
const tether = (args: string[], env: Record<string, string | undefined> = {}) => rig.tether(args, { env, cwd: rig.dir });

const bodyOf = (i: number) => JSON.parse(rig.hub.requests[i].body) as unknown;

describe('tether cluster', () => {
  test('create posts a Cluster with its labels', async () => {
    const r = await tether(['cluster', 'create', 'store-0001', '--label', 'tier=store', '--label', 'region=us-east']);
    expect(r).toEqual({ code: 0, out: 'cluster/store-0001 created\n', err: '' });
    expect(rig.hub.requests[0]).toMatchObject({ method: 'POST', path: '/v1/clusters' });
    expect(rig.hub.requests[0].headers['content-type']).toBe('application/json');
    expect(bodyOf(0)).toEqual({
      apiVersion: 'tether.dev/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'store-0001', labels: { tier: 'store', region: 'us-east' } },
      spec: {},
    });
    const yaml = await tether(['cluster', 'create', 'store-0002', '-o', 'yaml']);
    expect((parseYaml(yaml.out) as { metadata: { name: string } }).metadata.name).toBe('store-0002');
  });

  test('import writes the manifest 0600 to -f and prints only the file and the kubectl command, never the token', async () => {
    const r = await tether([
      'cluster',
      'import',
      'store-0002',
      '--auto-accept',
      '--ttl',
      '2h',
      '--label',
      'tier=store',
      '-f',
      'import.yaml',
    ]);
    expect(r.code).toBe(0);
    expect(rig.hub.requests[0]).toMatchObject({ method: 'POST', path: '/v1/clusters/store-0002/import' });
    expect(bodyOf(0)).toEqual({ labels: { tier: 'store' }, autoAccept: true, ttlSeconds: 7200 });
    const manifest = readFileSync(join(rig.dir, 'import.yaml'), 'utf8');
    expect(manifest).toContain('token: boot-store-0002');
    expect(statSync(join(rig.dir, 'import.yaml')).mode & 0o777).toBe(0o600);
    expect(r.out).toBe(
      [
        'cluster/store-0002 ready to join; the bootstrap token expires at 2026-11-10T14:00:00.000Z',
        `Manifest written to ${join(rig.dir, 'import.yaml')} (mode 0600: it holds the bootstrap token)`,
        'Apply it on the cluster:',
        '  kubectl apply -f import.yaml',
        '',
      ].join('\n'),
    );
    expect(r.out + r.err).not.toContain('boot-store-0002');
  });

  test('import --manifest-only prints only the manifest; without either flag the command and how to accept', async () => {
    const only = await tether(['cluster', 'import', 'store-0003', '--manifest-only']);
    expect(only.code).toBe(0);
    expect(parseYaml(only.out)).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'tether-bootstrap' },
      stringData: { token: 'boot-store-0003' },
    });
    expect(bodyOf(0)).toEqual({ ttlSeconds: 86400 });
    const plain = await tether(['cluster', 'import', 'store-0004']);
    expect(plain.out).toContain(`  curl -sSf ${rig.hub.url}/agent/v1/install/store-0004?token=boot-store-0004 | kubectl apply -f -\n`);
    expect(plain.out).toContain('Then accept it: tether cluster accept store-0004\n');
    expect(plain.out).not.toContain('kind: Secret');
  });

  test('import refuses a bad --ttl and conflicting outputs before sending', async () => {
    const ttl = await tether(['cluster', 'import', 'x', '--ttl', 'soon']);
    expect(ttl).toMatchObject({ code: 2, err: 'error: invalid --ttl "soon": expected a duration like 24h, 90m or 1h30m\n' });
    const both = await tether(['cluster', 'import', 'x', '-f', 'a.yaml', '--manifest-only']);
    expect(both).toMatchObject({ code: 2, err: 'error: --filename and --manifest-only cannot be combined\n' });
    expect(rig.hub.requests).toHaveLength(0);
  });

  test('accept, deny, detach and upgrade post to their action paths with the documented bodies', async () => {
    rig.hub.seed('Cluster', 'store-0001');
    expect(await tether(['cluster', 'accept', 'store-0001'])).toEqual({ code: 0, out: 'cluster/store-0001 accepted\n', err: '' });
    expect(await tether(['cluster', 'deny', 'store-0001'])).toEqual({ code: 0, out: 'cluster/store-0001 denied\n', err: '' });
    expect(await tether(['cluster', 'detach', 'store-0001'])).toEqual({
      code: 0,
      out: 'cluster/store-0001 detaching: the agent will clean up and leave\n',
      err: '',
    });
    expect(await tether(['cluster', 'detach', 'store-0001', '--force'])).toMatchObject({
      code: 0,
      out: 'cluster/store-0001 detaching: forced: credentials revoked, nothing cleaned up\n',
    });
    expect(await tether(['cluster', 'upgrade', 'store-0001', '--version', '0.2.0'])).toEqual({
      code: 0,
      out: 'cluster/store-0001 agent upgrade to 0.2.0 requested\n',
      err: '',
    });
    expect(rig.hub.requests.map((q) => `${q.method} ${q.path} ${q.body}`)).toEqual([
      'POST /v1/clusters/store-0001/accept ',
      'POST /v1/clusters/store-0001/deny ',
      'POST /v1/clusters/store-0001/detach {}',
      'POST /v1/clusters/store-0001/detach {"force":true}',
      'POST /v1/clusters/store-0001/upgrade {"version":"0.2.0"}',
    ]);
    const json = await tether(['cluster', 'accept', 'store-0001', '-o', 'json']);
    expect(JSON.parse(json.out).spec.hubAcceptsClient).toBe(true);
  });

  test('upgrade needs --version; actions on a missing cluster are exit 4', async () => {
    const noVersion = await tether(['cluster', 'upgrade', 'store-0001']);
    expect(noVersion.code).toBe(2);
    expect(noVersion.err).toContain("error: required option '--version <version>' not specified");
    const missing = await tether(['cluster', 'accept', 'ghost']);
    expect(missing).toEqual({ code: 4, out: '', err: 'error: Cluster "ghost" not found (404)\n' });
  });

  test('accept and deny take several names, going on past a failure with its exit code', async () => {
    rig.hub.seed('Cluster', 'store-0002');
    rig.hub.seed('Cluster', 'store-0003');
    const r = await tether(['cluster', 'accept', 'store-0002', 'ghost', 'store-0003']);
    expect(r).toEqual({
      code: 4,
      out: 'cluster/store-0002 accepted\ncluster/store-0003 accepted\n',
      err: 'error: Cluster "ghost" not found (404)\n',
    });
    expect(await tether(['cluster', 'deny', 'store-0002', 'store-0003'])).toEqual({
      code: 0,
      out: 'cluster/store-0002 denied\ncluster/store-0003 denied\n',
      err: '',
    });
  });
});

describe('tether delete', () => {
  test('deletes each name, reports 202 as started, goes on past a failure and exits with its code', async () => {
    rig.hub.seed('Cluster', 'a');
    rig.hub.seed('Cluster', 'b', { finalizers: ['tether.dev/cleanup'] });
    const r = await tether(['delete', 'clusters', 'a', 'ghost', 'b']);
    expect(r.code).toBe(4);
    expect(r.out).toBe('cluster "a" deleted\ncluster "b" deletion started (finalizers running)\n');
    expect(r.err).toBe('error: Cluster "ghost" not found (404)\n');
    expect(rig.hub.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      'DELETE /v1/clusters/a',
      'DELETE /v1/clusters/ghost',
      'DELETE /v1/clusters/b',
    ]);
  });
});

describe('tether login', () => {
  test('checks /healthz and an authenticated list, then saves the config 0600 in a 0700 directory', async () => {
    const configHome = join(rig.dir, 'xdg');
    const env = { TETHER_HUB: undefined, TETHER_TOKEN: undefined, TETHER_CONFIG: undefined, XDG_CONFIG_HOME: configHome };
    const r = await tether(['login', '--hub', `${rig.hub.url}/`, '--token', rig.hub.token], env);
    expect(r.code).toBe(0);
    const path = join(configHome, 'tether', 'config.json');
    expect(r.out).toBe(`Logged in to ${rig.hub.url} (hub version 0.1.0-stub).\nSaved the hub URL and token to ${path} (mode 0600).\n`);
    expect(r.out).not.toContain(rig.hub.token);
    expect(rig.hub.requests.map((q) => `${q.method} ${q.path} ${JSON.stringify(q.query)} ${q.headers.authorization ?? '-'}`)).toEqual([
      'GET /healthz {} -',
      `GET /v1/clusters {"limit":"1"} Bearer ${rig.hub.token}`,
    ]);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ hub: rig.hub.url, token: rig.hub.token });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(configHome, 'tether')).mode & 0o777).toBe(0o700);

    // The saved config is then used by other commands.
    rig.hub.seed('Cluster', 'store-0001');
    const get = await tether(['get', 'clusters', '-o', 'name'], env);
    expect(get).toEqual({ code: 0, out: 'cluster/store-0001\n', err: '' });
  });

  test('a wrong token is refused and nothing is saved', async () => {
    const r = await tether(['login', '--hub', rig.hub.url, '--token', 'wrong']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('(403)');
    expect(() => statSync(join(rig.dir, 'config.json'))).toThrow();
  });

  test('login without a hub or token is a usage error', async () => {
    const r = await tether(['login'], { TETHER_HUB: undefined, TETHER_TOKEN: undefined });
    expect(r).toEqual({ code: 2, out: '', err: 'error: tether login needs --hub URL and --token TOKEN (or TETHER_HUB / TETHER_TOKEN)\n' });
  });
});
