import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAgentBundle, imageNodeFlags, type AgentBundle } from '../../../agent/build.js';
import { StubApiServer } from '../../support/stub-apiserver.js';
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

/**
 * A module to preload (`node --import`) that prints, at exit, whether the process loaded Node's
 * fetch implementation (undici): about 18 MiB of RSS the agent avoids (B5, agent footprint).
 */
const REPORT_UNDICI = `data:text/javascript,process.on('exit', () => process.stderr.write('undici loaded: ' + process.moduleLoadList.some((m) => m.includes('undici')) + '\\n'))`;

/** The Node options the image runs the agent with (agent/Dockerfile), e.g. `--jitless`. */
const IMAGE_FLAGS = imageNodeFlags(process.cwd());

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
    const inputsOf = (file: string) => Object.keys(Object.entries(built.metafile.outputs).find(([out]) => out.endsWith(file))![1].inputs);
    expect(inputsOf(built.kubeChunk.path)).toContainEqual(expect.stringMatching(/@kubernetes\/client-node\/dist\/config\.js$/));
    const entryImports = [...readFileSync(built.entry, 'utf8').matchAll(/from\s*"\.\/(chunks\/[^"]+)"/g)].map((m) => m[1]);
    expect(entryImports.length).toBeGreaterThan(0);
    for (const file of ['tether-agent.mjs', ...entryImports]) {
      expect(inputsOf(file).filter((i) => i.includes('@kubernetes/client-node'))).toEqual([]);
      expect(readFileSync(join(built.outdir, file), 'utf8')).not.toMatch(/from\s*"\.\/(chunks\/)?node-adapter-/);
    }
    // node:http only through require: an ES import of it loads undici on Node 22 (agent/build.ts, httpViaRequire).
    for (const file of built.files) {
      const text = readFileSync(join(built.outdir, file.path), 'utf8');
      expect({ file: file.path, imports: text.match(/(?:from|import)\s*\(?\s*"(?:node:)?http"/g) }).toEqual({
        file: file.path,
        imports: null,
      });
    }
    // Only client-node's kubeconfig module: not its generated API and model classes, nor an HTTP client (undici, node-fetch).
    const all = built.files.flatMap((f) => inputsOf(f.path));
    expect(all.filter((i) => /client-node\/dist\/gen\/|node_modules\/(undici|node-fetch)\//.test(i))).toEqual([]);
  });

  test('--simulate runs without the Kubernetes chunk (deleted from a copy)', async () => {
    const copy = join(dir, 'no-kube');
    cpSync(built.outdir, copy, { recursive: true });
    rmSync(join(copy, built.kubeChunk.path));
    const hub = await new FakeHub().start();
    try {
      hub.accepted = true;
      const token = hub.issueBootstrapToken();
      const res = await node(
        [
          join(copy, 'tether-agent.mjs'),
          'agent',
          '--simulate',
          '--once',
          '--hub',
          hub.url,
          '--name',
          hub.cluster,
          '--bootstrap-token',
          token,
          '--health-addr',
          'off',
        ],
        dir,
      );
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
      const res = await node(
        [
          ...IMAGE_FLAGS,
          '--import',
          REPORT_UNDICI,
          bundle,
          'agent',
          '--simulate',
          '--once',
          '--hub',
          hub.url,
          '--name',
          hub.cluster,
          '--bootstrap-token',
          token,
          '--health-addr',
          '127.0.0.1:0',
        ],
        dir,
      );
      expect(res.stderr).toMatch(/simulate/);
      expect(res.code).toBe(0);
      expect(res.stderr).toContain('undici loaded: false');
      expect(hub.reports).toHaveLength(1);
      expect(res.stdout).not.toContain(token);
    } finally {
      await hub.close();
    }
  });

  test('runs an agent once with the bundled Kubernetes adapter against a stub API server', async () => {
    const hub = await new FakeHub().start();
    const stub = new StubApiServer();
    try {
      const kubeconfig = join(dir, 'stub-kubeconfig.yaml');
      writeFileSync(
        kubeconfig,
        `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${await stub.start()}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: stub-token}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
      );
      hub.accepted = true;
      const token = hub.issueBootstrapToken();
      const res = await node(
        [
          ...IMAGE_FLAGS,
          '--import',
          REPORT_UNDICI,
          bundle,
          'agent',
          '--kubeconfig',
          kubeconfig,
          '--once',
          '--hub',
          hub.url,
          '--name',
          hub.cluster,
          '--bootstrap-token',
          token,
          '--health-addr',
          'off',
        ],
        dir,
      );
      expect(res.stderr).toMatch(/kubeconfig/);
      expect(res.code).toBe(0);
      expect(res.stderr).toContain('undici loaded: false');
      expect(hub.reports).toHaveLength(1);
      expect(stub.requests.length).toBeGreaterThan(0);
      expect(stub.requests.every((q) => q.headers.authorization === 'Bearer stub-token')).toBe(true);
      // The credential the hub issued is kept in the agent's Secret, applied server-side.
      const secretApply = stub.requests.find(
        (q) => q.method === 'PATCH' && q.path === '/api/v1/namespaces/tether-agent/secrets/tether-agent-credential',
      );
      expect(secretApply?.headers['content-type']).toBe('application/apply-patch+yaml');
      expect(secretApply?.query.get('fieldManager')).toBe('tether-agent');
    } finally {
      await stub.stop();
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
    const res = await node(
      [
        bundle,
        'agent',
        '--kubeconfig',
        kubeconfig,
        '--once',
        '--hub',
        'http://127.0.0.1:1',
        '--name',
        'c1',
        '--bootstrap-token',
        'thb_c1.xxxxxxxxxxxx',
        '--health-addr',
        'off',
      ],
      dir,
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:1/);
    expect(res.stderr).toMatch(/^error: /m);
    expect(res.stderr + res.stdout).not.toMatch(/Dynamic require|Cannot find module|is not a function/);
  });
});
