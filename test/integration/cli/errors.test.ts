import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useCliRig } from './support/cli-rig.js';

const rig = useCliRig('errors');
const tether = (args: string[], env: Record<string, string | undefined> = {}, isTTY = false) => rig.tether(args, { env, isTTY });

/** A port on 127.0.0.1 where nothing listens: bound, then released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('errors are one clear line on stderr with a documented exit code', () => {
  test('validation problem: the hub detail in one line; -v adds every field error, type and status', async () => {
    rig.hub.overrides.set('POST /v1/clusters', {
      status: 422,
      contentType: 'application/problem+json',
      body: {
        type: 'https://tether.dev/problems/validation-failed',
        title: 'Unprocessable Entity',
        status: 422,
        detail:
          'Cluster "store-1" is invalid: spec.taints.0.effect: effect must be one of NoSelect, PreferNoSelect, NoSelectIfNew (and 1 more)',
        errors: [
          { path: 'spec.taints.0.effect', message: 'effect must be one of NoSelect, PreferNoSelect, NoSelectIfNew' },
          { path: 'spec.leaseDurationSeconds', message: 'must be at least 10' },
        ],
      },
    });
    const brief = await tether(['cluster', 'create', 'store-1']);
    expect(brief.code).toBe(1);
    expect(brief.out).toBe('');
    expect(brief.err).toBe(
      'error: Cluster "store-1" is invalid: spec.taints.0.effect: effect must be one of NoSelect, PreferNoSelect, NoSelectIfNew (and 1 more) (422)\n',
    );

    const verbose = await tether(['cluster', 'create', 'store-1', '-v']);
    expect(verbose.code).toBe(1);
    const lines = verbose.err.trimEnd().split('\n');
    expect(lines[0]).toBe(`POST ${rig.hub.url}/v1/clusters -> 422 (${lines[0].match(/\((\d+) ms\)/)?.[1]} ms)`);
    expect(lines.slice(1)).toEqual([
      'error: Cluster "store-1" is invalid: spec.taints.0.effect: effect must be one of NoSelect, PreferNoSelect, NoSelectIfNew (and 1 more) (422)',
      '  status:   422 Unprocessable Entity',
      '  type:     https://tether.dev/problems/validation-failed',
      `  request:  POST ${rig.hub.url}/v1/clusters`,
      '  field errors:',
      '    spec.taints.0.effect: effect must be one of NoSelect, PreferNoSelect, NoSelectIfNew',
      '    spec.leaseDurationSeconds: must be at least 10',
    ]);
  });

  test('not found is exit 4, conflict is exit 5', async () => {
    const missing = await tether(['get', 'cluster', 'ghost']);
    expect(missing).toEqual({ code: 4, out: '', err: 'error: Cluster "ghost" not found (404)\n' });
    rig.hub.seed('Cluster', 'store-0001');
    const exists = await tether(['cluster', 'create', 'store-0001']);
    expect(exists).toEqual({ code: 5, out: '', err: 'error: Cluster "store-0001" already exists (409)\n' });
  });

  test('a hub that cannot be reached: exit 3 with the reason and a hint', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const r = await tether(['get', 'clusters'], { TETHER_HUB: url });
    expect(r.code).toBe(3);
    expect(r.err).toBe(`error: cannot reach the hub at ${url}: ECONNREFUSED — is it running? (tether dev)\n`);
  });

  test('no hub or token anywhere: exit 3 and how to fix it; nothing is sent', async () => {
    const r = await tether(['get', 'clusters'], { TETHER_HUB: undefined, TETHER_TOKEN: undefined });
    expect(r.code).toBe(3);
    expect(r.err).toBe(
      'error: no hub URL and no token configured: run "tether login --hub URL --token TOKEN" or set TETHER_HUB and TETHER_TOKEN\n',
    );
    const noToken = await tether(['get', 'clusters'], { TETHER_TOKEN: '' });
    expect(noToken.code).toBe(3);
    expect(noToken.err).toContain('no token configured');
    expect(rig.hub.requests).toHaveLength(0);
  });

  test('a token the hub does not know: 403 is exit 1 with a hint; a 401 is exit 3', async () => {
    const wrong = await tether(['get', 'clusters'], { TETHER_TOKEN: 'nope' });
    expect(wrong.code).toBe(1);
    expect(rig.hub.requests[0].headers.authorization).toBe('Bearer nope');
    expect(wrong.err).toBe('error: the token is not valid (403) — the token does not grant this; check it with "tether login"\n');
    rig.hub.overrides.set('GET /v1/clusters', {
      status: 401,
      contentType: 'application/problem+json',
      body: { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'token expired' },
    });
    const expired = await tether(['get', 'clusters']);
    expect(expired.code).toBe(3);
    expect(expired.err).toBe('error: token expired (401) — run "tether login" or set TETHER_TOKEN\n');
  });

  test('a non-problem error page (a proxy 502) still makes one readable line', async () => {
    rig.hub.overrides.set('GET /v1/clusters', { status: 502, contentType: 'text/html', body: '<html><body>Bad Gateway</body></html>' });
    const r = await tether(['get', 'clusters']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('error: the hub answered 502 Bad Gateway: <html><body>Bad Gateway</body></html> (502)\n');
  });

  test('an answer of the wrong shape is reported, not printed as garbage', async () => {
    rig.hub.overrides.set('GET /v1/clusters', { status: 200, body: { hello: 'world' } });
    const r = await tether(['get', 'clusters']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: unexpected answer to GET \/v1\/clusters: /);
  });

  test('a hub that repeats a continue token is stopped instead of looping', async () => {
    rig.hub.overrides.set('GET /v1/clusters', {
      status: 200,
      body: { apiVersion: 'tether.dev/v1alpha1', kind: 'ClusterList', metadata: { continue: 'same' }, items: [] },
    });
    const r = await tether(['get', 'clusters']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('error: the hub returned the same continue token twice while listing clusters\n');
    expect(rig.hub.requests).toHaveLength(2);
  });

  test('usage errors are exit 2 and send nothing', async () => {
    const cases: Array<[string[], string]> = [
      [['get', 'pods'], 'error: unknown resource kind "pods"; known kinds: clusters (cluster, cl), clustersets (clusterset, cs)'],
      [['get', 'clusters', '-l', 'tier in (a,'], 'error: invalid label selector "tier in (a,": '],
      [['get', 'clusters', '--limit', '0'], 'error: invalid --limit "0": expected a positive whole number\n'],
      [['get', 'cluster', 'Bad_Name'], 'error: invalid name "Bad_Name"'],
      [['get', 'cluster', 'a', '-l', 'x=y'], 'error: a name cannot be combined with --selector or --limit\n'],
      [['get'], "error: missing required argument 'kind'\n"],
      [['get', 'clusters', '--frobnicate'], "error: unknown option '--frobnicate'\n"],
      [
        ['get', 'clusters', '-o', 'xml'],
        'error: unknown output format "xml"; use one of: table, wide, json, yaml, name, jsonpath=TEMPLATE',
      ],
      [['frobnicate'], "error: unknown command 'frobnicate'"],
      [['cluster', 'create', 'x', '--label', 'novalue'], 'error: invalid --label "novalue": expected key=value\n'],
      [['get', 'clusters', '--hub', 'ftp://x'], 'error: invalid hub URL "ftp://x" (from --hub): only http and https are supported\n'],
    ];
    for (const [args, message] of cases) {
      const r = await tether(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.err.slice(0, message.length)).toBe(message);
    }
    expect(rig.hub.requests).toHaveLength(0);
  });

  test('colour only on a terminal, and never with --no-color or NO_COLOR', async () => {
    const tty = await tether(['get', 'cluster', 'ghost'], {}, true);
    expect(tty.err).toBe('\u001b[31merror:\u001b[39m Cluster "ghost" not found (404)\n');
    const flag = await tether(['get', 'cluster', 'ghost', '--no-color'], {}, true);
    expect(flag.err).toBe('error: Cluster "ghost" not found (404)\n');
    const env = await tether(['get', 'cluster', 'ghost'], { NO_COLOR: '1' }, true);
    expect(env.err).toBe('error: Cluster "ghost" not found (404)\n');
  });
});
