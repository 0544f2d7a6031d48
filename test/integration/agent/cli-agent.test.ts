import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../cli/main.js';
import type { CliIO } from '../../../cli/io.js';
import { renderImportManifest } from '../../../shared/agent-manifest.js';
import { FakeHub } from '../../unit/agent/support/fake-hub.js';

/** `tether agent` end to end in-process: flags, the import manifest, a fake hub, exit codes. */

function captureIO(cwd: string, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env: { HOME: cwd, ...env },
    cwd,
    readStdin: async () => '',
    now: () => new Date('2026-11-02T10:00:00Z'),
    isTTY: false,
  };
  return { io, out, err, text: () => out.join(''), errors: () => err.join('') };
}

async function until(probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('tether agent', () => {
  let hub: FakeHub;
  let dir: string;
  beforeEach(async () => {
    hub = await new FakeHub().start();
    hub.accepted = true;
    dir = mkdtempSync(join(tmpdir(), 'tether-agent-cli-'));
  });
  afterEach(async () => {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('--simulate --from-manifest --once joins, applies and reports, and never logs the token', async () => {
    const token = hub.issueBootstrapToken();
    writeFileSync(
      join(dir, 'import.yaml'),
      renderImportManifest({
        cluster: hub.cluster,
        hubUrl: hub.url,
        bootstrapToken: token,
        image: 'ghcr.io/tether-dev/tether-agent',
        version: '0.1.0',
      }),
    );
    hub.setWorks([
      {
        name: 'hello',
        uid: 'u1',
        generation: 1,
        manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hello', namespace: 'default' }, data: { greeting: 'hi' } }],
        manifestConfigs: [],
      },
    ]);
    const c = captureIO(dir);
    const code = await run(['agent', '--simulate', '--from-manifest', 'import.yaml', '--once', '--health-addr', '127.0.0.1:0'], c.io);
    expect(c.errors()).toMatch(
      /^tether agent \S+: cluster store-0042, hub http:\/\/127\.0\.0\.1:\d+, simulate, health on http:\/\/127\.0\.0\.1:\d+\n$/,
    );
    expect(code).toBe(0);
    expect(hub.joins).toHaveLength(1);
    const report = hub.reports.at(-1)!;
    expect(report.works?.[0]).toMatchObject({ name: 'hello' });
    expect(report.works?.[0].conditions.find((x) => x.type === 'Applied')?.status).toBe('True');
    // Logs are JSON lines; the token appears in none of them.
    const lines = c.text().trim().split('\n');
    expect(lines.every((l) => typeof JSON.parse(l).msg === 'string')).toBe(true);
    expect(c.text()).toContain('joined the hub');
    expect(c.text()).not.toContain('could not apply an object of the import manifest');
    expect(c.text()).not.toContain(token);
  });

  test('--seed fills the in-memory cluster (custom resources wait for their CRD): the walkthrough source declares the pki feature', async () => {
    writeFileSync(
      join(dir, 'import.yaml'),
      renderImportManifest({
        cluster: hub.cluster,
        hubUrl: hub.url,
        bootstrapToken: hub.issueBootstrapToken(),
        image: 'ghcr.io/tether-dev/tether-agent',
        version: '0.1.0',
      }),
    );
    const seed = join(process.cwd(), 'docs', 'examples', 'resource-sync', 'spoke', 'source-cluster.yaml');
    const c = captureIO(dir);
    const code = await run(
      ['agent', '--simulate', '--from-manifest', 'import.yaml', '--seed', seed, '--once', '--health-addr', 'off'],
      c.io,
    );
    expect(c.text()).toContain('simulated cluster seeded');
    expect(code).toBe(0);
    const claims = hub.joins[0].claims.concat(hub.reports.flatMap((r) => r.claims ?? []));
    expect(claims.map((x) => x.name)).toContain('feature.tether.dev/pki');

    // Only with --simulate, and only Kubernetes objects.
    writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: v1\nkind: ConfigMap\n');
    const bad = captureIO(dir);
    expect(await run(['agent', '--simulate', '--from-manifest', 'import.yaml', '--seed', 'bad.yaml', '--once'], bad.io)).toBe(2);
    expect(bad.errors()).toMatch(/--seed bad\.yaml: document 1 is not a Kubernetes object/);
    const real = captureIO(dir);
    expect(await run(['agent', '--kubeconfig', 'kc', '--from-manifest', 'import.yaml', '--seed', seed, '--once'], real.io)).toBe(2);
    expect(real.errors()).toMatch(/--seed needs --simulate/);
  });

  test('a second simulated agent takes another free health port; an agent whose port is taken says how to choose another', async () => {
    const first = captureIO(dir);
    const firstRun = run(
      ['agent', '--simulate', '--hub', hub.url, '--name', 'shop-a', '--bootstrap-token', hub.issueBootstrapToken()],
      first.io,
    );
    // Two simulated agents at once, both with the default address: neither fails with EADDRINUSE.
    const second = captureIO(dir);
    expect(
      await run(
        ['agent', '--simulate', '--once', '--hub', hub.url, '--name', hub.cluster, '--bootstrap-token', hub.issueBootstrapToken()],
        second.io,
      ),
    ).toBe(0);
    const port = (text: string) => Number(/health on http:\/\/127\.0\.0\.1:(\d+)\n/.exec(text)?.[1]);
    await until(() => port(first.errors()) > 0);
    expect(port(second.errors())).toBeGreaterThan(0);
    expect(port(second.errors())).not.toBe(port(first.errors()));
    expect(port(first.errors())).not.toBe(8081);

    // An agent asked for the port the first one holds: the error names --health-addr.
    const taken = port(first.errors());
    const third = captureIO(dir);
    const code = await run(
      [
        'agent',
        '--simulate',
        '--once',
        '--hub',
        hub.url,
        '--name',
        hub.cluster,
        '--bootstrap-token',
        'thb_x.y',
        '--health-addr',
        `127.0.0.1:${taken}`,
      ],
      third.io,
    );
    expect(code).toBe(2);
    expect(third.errors()).toContain(
      `cannot listen on 127.0.0.1:${taken} for /healthz, /readyz and /metrics: EADDRINUSE: the port is taken (another agent?); choose another with --health-addr 127.0.0.1:PORT`,
    );
    process.emit('SIGINT');
    await firstRun;
  });

  test('environment variables stand in for flags; the global --hub works too', async () => {
    const token = hub.issueBootstrapToken();
    const c = captureIO(dir, { TETHER_CLUSTER_NAME: hub.cluster, TETHER_BOOTSTRAP_TOKEN: token, TETHER_HUB_URL: 'http://127.0.0.1:1' });
    expect(await run(['agent', '--simulate', '--once', '--hub', hub.url, '--health-addr', 'off'], c.io)).toBe(0);
    expect(hub.joins).toHaveLength(1);
  });

  test.each([
    [['agent', '--simulate', '--once'], /missing --hub \(or TETHER_HUB_URL\) and --name \(or TETHER_CLUSTER_NAME\)/],
    [['agent', '--simulate', '--in-cluster', '--hub', 'http://x', '--name', 'a'], /choose one of --simulate, --in-cluster/],
    [['agent', '--simulate', '--hub', 'hub.example.com', '--name', 'a'], /is not an http\(s\) URL/],
    [['agent', '--simulate', '--hub', 'http://x', '--name', 'Store_1'], /must be a DNS-1123 label/],
    [['agent', '--simulate', '--hub', 'http://x', '--name', 'a', '--health-addr', '8081'], /--health-addr: "8081" is not host:port/],
    [['agent', '--from-manifest', 'nope.yaml'], /cannot read --from-manifest nope.yaml: ENOENT/],
    [['agent', '--simulate', '--hub', 'http://x', '--name', 'a', '--poll-interval', '0'], /must be whole seconds/],
  ])('usage errors exit 2: %j', async (argv, message) => {
    const c = captureIO(dir);
    expect(await run(argv, c.io)).toBe(2);
    expect(c.errors()).toMatch(message);
    expect(hub.requests).toHaveLength(0);
  });

  test('an import manifest without the bootstrap Secret is a usage error', async () => {
    writeFileSync(join(dir, 'other.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
    const c = captureIO(dir);
    expect(await run(['agent', '--simulate', '--from-manifest', 'other.yaml', '--once'], c.io)).toBe(2);
    expect(c.errors()).toMatch(/has no Secret "tether-agent-bootstrap"/);
  });

  test('--once exits 1 when the hub rejects the bootstrap token', async () => {
    const c = captureIO(dir);
    const code = await run(
      [
        'agent',
        '--simulate',
        '--once',
        '--hub',
        hub.url,
        '--name',
        hub.cluster,
        '--bootstrap-token',
        'thb_wrong.token-value',
        '--health-addr',
        'off',
      ],
      c.io,
    );
    expect(code).toBe(1);
    expect(c.errors()).toMatch(/the agent stopped: revoked/);
  });
});
