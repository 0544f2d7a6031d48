import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { useCliRig } from './support/cli-rig.js';

const rig = useCliRig('completion-names');
const exec = promisify(execFile);
const BIN = resolve('bin/tether.js');

/** `tether __complete ...` in-process, as the scripts call it. */
async function complete(...args: string[]): Promise<string[]> {
  const r = await rig.tether(['__complete', ...args]);
  expect(r.code).toBe(0);
  expect(r.err).toBe('');
  return r.out.split('\n').filter(Boolean);
}

describe('completion of object names from the hub', () => {
  beforeEach(() => {
    rig.hub.seed('Cluster', 'store-0001');
    rig.hub.seed('Cluster', 'store-0002');
    rig.hub.seed('Cluster', 'edge-0001');
    rig.hub.seed('Work', 'pos', { namespace: 'store-0001' });
    rig.hub.seed('FleetDeployment', 'pos');
  });

  test('names of the kind after get, describe, delete, label, annotate; already given names are not offered again', async () => {
    expect(await complete('get', 'clusters', '')).toEqual(['edge-0001', 'store-0001', 'store-0002']);
    expect(await complete('describe', 'cl', 'st')).toEqual(['store-0001', 'store-0002']);
    expect(await complete('delete', 'clusters', 'store-0001', 'st')).toEqual(['store-0002']);
    expect(await complete('label', 'cluster', '-l', 'x', '')).toEqual(['edge-0001', 'store-0001', 'store-0002']);
    const list = rig.hub.requests.filter((q) => q.path === '/v1/clusters');
    expect(list.every((q) => q.query.limit === '500')).toBe(true);
  });

  test('works need their cluster on the line; rollout and cluster actions complete their NAME; -n completes clusters', async () => {
    expect(await complete('get', 'works', '')).toEqual([]);
    expect(await complete('get', 'works', '-n', 'store-0001', '')).toEqual(['pos']);
    expect(await complete('rollout', 'status', '')).toEqual(['pos']);
    expect(await complete('cluster', 'accept', 'e')).toEqual(['edge-0001']);
    expect(await complete('get', 'works', '-n', 'e')).toEqual(['edge-0001']);
    expect(await complete('get', 'clusters', '-o', 'j')).toEqual(['json', 'jsonpath=']);
    expect(await complete('apply', '-f', '')).toEqual([':files']);
  });

  test('a hub that is down, slow to refuse or unconfigured gives no names and no noise', async () => {
    rig.hub.overrides.set('GET /v1/clusters', { status: 500, body: { title: 'boom', status: 500 } });
    expect(await complete('get', 'clusters', '')).toEqual([]);
    const r = await rig.tether(['__complete', 'get', 'clusters', ''], { env: { TETHER_HUB: 'http://127.0.0.1:9', TETHER_TOKEN: 't' } });
    expect(r).toMatchObject({ code: 0, out: '', err: '' });
  });

  test('the bash script asks "tether __complete" for names (a real bash, the real bin)', async () => {
    const script = (await rig.tether(['completion', 'bash'])).out;
    const probe = `${script}\ntether() { node ${JSON.stringify(BIN)} "$@"; }\nCOMP_WORDS=(tether get clusters st); COMP_CWORD=3; _tether; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const env = {
      PATH: process.env.PATH ?? '',
      TETHER_HUB: rig.hub.url,
      TETHER_TOKEN: rig.hub.token,
      TETHER_CONFIG: `${rig.dir}/none.json`,
    };
    const r = await exec('bash', ['--norc', '--noprofile', '-c', probe], { env, encoding: 'utf8', timeout: 20_000 });
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(['store-0001', 'store-0002']);
  }, 30_000);

  test('the fish script completes every word through "tether __complete"', async () => {
    const fish = (await rig.tether(['completion', 'fish'])).out;
    expect(fish).toContain('set -l out (tether __complete $words "$current" 2>/dev/null)');
    expect(fish).toContain("complete -c tether -f -a '(__tether_complete)'");
    expect(await complete('')).toEqual(expect.arrayContaining(['get', 'label', 'diff']));
    expect(await complete('get', '')).toEqual(expect.arrayContaining(['clusters', 'cl', 'works', 'events']));
    expect(await complete('describe', 'ev')).toEqual([]);
    expect(await complete('get', 'clusters', '--sh')).toEqual(['--show-labels']);
  });
});
