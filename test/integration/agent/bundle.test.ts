import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAgentBundle, type AgentBundle } from '../../../agent/build.js';
import { FakeHub } from '../../unit/agent/support/fake-hub.js';

/**
 * The agent bundle as the container runs it: built with esbuild's JS API into a temp dir (the entry
 * and its chunks), then run with plain `node` (no tsx, no node_modules next to it).
 */

function node(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, timeout: 30_000, env: { PATH: process.env.PATH ?? '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('agent bundle', () => {
  let dir: string;
  let bundle: string;
  let built: AgentBundle;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tether-agent-bundle-'));
    built = await buildAgentBundle({ outdir: join(dir, 'app'), root: process.cwd() });
    bundle = built.entry;
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('is under 5 MB in all, with the Kubernetes client in a chunk the entry does not import', () => {
    expect(built.bytes).toBeGreaterThan(100_000);
    expect(built.bytes).toBeLessThan(5 * 1024 * 1024);
    expect(built.bytes).toBe(built.files.reduce((n, f) => n + f.bytes, 0));
    expect(built.kubeChunk.path).toMatch(/^chunks\/node-adapter-[A-Z0-9]+\.mjs$/);
    expect(built.kubeChunk.bytes).toBeGreaterThan(built.entryBytes);
    const entryImports = readFileSync(built.entry, 'utf8').match(/from\s*"\.\/chunks\/[^"]+"/g) ?? [];
    expect(entryImports.length).toBeGreaterThan(0);
    expect(entryImports.join(' ')).not.toContain(built.kubeChunk.path);
    // Nor does any chunk the entry imports statically name it.
    for (const imported of entryImports) {
      const file = join(built.outdir, /"\.\/(chunks\/[^"]+)"/.exec(imported)![1]);
      expect(readFileSync(file, 'utf8')).not.toMatch(/from\s*"\.\/node-adapter-/);
    }
  });

  test('--simulate runs without the Kubernetes chunk (deleted from a copy)', async () => {
    const copy = join(dir, 'no-kube');
    cpSync(built.outdir, copy, { recursive: true });
    rmSync(join(copy, built.kubeChunk.path));
    const hub = await new FakeHub().start();
    try {
      hub.accepted = true;
      const token = hub.issueBootstrapToken();
      const res = await node([join(copy, 'tether-agent.mjs'), 'agent', '--simulate', '--once', '--hub', hub.url, '--name', hub.cluster, '--bootstrap-token', token, '--health-addr', 'off'], dir);
      expect(res.code).toBe(0);
      expect(hub.reports).toHaveLength(1);
    } finally {
      await hub.close();
    }
  });

  test('--help and agent --help run', async () => {
    const top = await node([bundle, '--help'], dir);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/agent \[options\]/);
    const sub = await node([bundle, 'agent', '--help'], dir);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/--in-cluster/);
    expect(sub.stdout).toMatch(/--from-manifest <file>/);
    const version = await node([bundle, '--version'], dir);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  test('runs a simulated agent once against a hub', async () => {
    const hub = await new FakeHub().start();
    try {
      hub.accepted = true;
      const token = hub.issueBootstrapToken();
      const res = await node([bundle, 'agent', '--simulate', '--once', '--hub', hub.url, '--name', hub.cluster, '--bootstrap-token', token, '--health-addr', '127.0.0.1:0'], dir);
      expect(res.stderr).toMatch(/simulate/);
      expect(res.code).toBe(0);
      expect(hub.reports).toHaveLength(1);
      expect(res.stdout).not.toContain(token);
    } finally {
      await hub.close();
    }
  });

  test('loads the bundled Kubernetes client on this Node', async () => {
    // An API server that does not exist: the client loads, tries, and the agent reports a clean error.
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    writeFileSync(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: abc}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
    );
    const res = await node([bundle, 'agent', '--kubeconfig', kubeconfig, '--once', '--hub', 'http://127.0.0.1:1', '--name', 'c1', '--bootstrap-token', 'thb_c1.xxxxxxxxxxxx', '--health-addr', 'off'], dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:1/);
    expect(res.stderr).toMatch(/^error: /m);
    expect(res.stderr + res.stdout).not.toMatch(/Dynamic require|Cannot find module|is not a function/);
  });
});
