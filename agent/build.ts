import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

/**
 * Builds the agent for Node (the container image runs it): `npx tsx agent/build.ts [--outdir dist/agent]`.
 *
 * ESM with code splitting: the entry `tether-agent.mjs` plus chunks under `chunks/`. Modules the
 * agent imports lazily (`import()`) land in their own chunks and are read only when used; above all
 * the Kubernetes adapter with @kubernetes/client-node, which `--simulate` and `--help` never load.
 * Everything is bundled, so the image needs no node_modules. CommonJS dependencies call `require`,
 * which ESM lacks: the banner of every file creates one.
 */

/** Options of {@link buildAgentBundle}. */
export interface AgentBuildOptions {
  /** Output directory; emptied first. Default `dist/agent` under `root`. */
  outdir?: string;
  /** Repository root (where package.json is). Default the checkout this module belongs to. */
  root?: string;
  /** Default true: smaller image, and stack traces still name functions (`keepNames`). */
  minify?: boolean;
}

/** One output file of the bundle. */
export interface BundleFile {
  /** Path relative to the output directory, e.g. `chunks/node-adapter-XXXX.mjs`. */
  path: string;
  bytes: number;
}

/** What {@link buildAgentBundle} produced. */
export interface AgentBundle {
  outdir: string;
  /** The entry file node runs: `<outdir>/tether-agent.mjs`. */
  entry: string;
  /** All files together. */
  bytes: number;
  entryBytes: number;
  /** The chunk holding the Kubernetes adapter (and client-node), loaded only with --kubeconfig or --in-cluster. */
  kubeChunk: BundleFile;
  files: BundleFile[];
  metafile: Metafile;
}

/**
 * What client-node's `dist/config.js` imports for code the agent never calls, and the names it
 * takes from each: the generated API and model classes and their header middleware (for
 * `makeApiClient`), and the npm `undici` (dispatchers for client-node's own `fetch` calls).
 */
const KUBECONFIG_STAND_INS: Readonly<Record<string, readonly string[]>> = {
  './gen/index.js': ['createConfiguration', 'ServerConfiguration'],
  './middleware.js': ['setHeaderMiddleware'],
  undici: ['Agent', 'ProxyAgent'],
};

/**
 * The agent uses only client-node's KubeConfig (agent/kube/node-adapter.ts imports its module,
 * `dist/config.js`), and of it only loading, contexts and `applyToHTTPSOptions`. Bundled, the rest
 * that module imports ({@link KUBECONFIG_STAND_INS}) would be about 1.9 MB the kube chunk parses at
 * start (client-node 2.0.1: the generated classes 1.1 MB, undici 0.76 MB; the chunk is 0.22 MB
 * without them), and loading undici alone adds over 20 MiB of RSS (measured on Node 22). This
 * plugin gives config.js stand-ins instead, which throw if ever used.
 */
export const kubeConfigOnly: Plugin = {
  name: 'kubeconfig-only',
  setup(b) {
    b.onResolve({ filter: /^(\.\/gen\/index\.js|\.\/middleware\.js|undici)$/ }, (args) =>
      /@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/.test(args.importer)
        ? { path: args.path, namespace: 'kubeconfig-only' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'kubeconfig-only' }, (args) => ({
      loader: 'js',
      contents: [
        `const absent = (name) => new Error(\`client-node's \${name} (from ${args.path}) is not in the Tether agent bundle (agent/build.ts)\`);`,
        ...(KUBECONFIG_STAND_INS[args.path] ?? []).map((name) =>
          /^[A-Z]/.test(name)
            ? `export class ${name} { constructor() { throw absent('${name}'); } }`
            : `export function ${name}() { throw absent('${name}'); }`,
        ),
      ].join('\n'),
    }));
  },
};

/**
 * `node:http` through `require`, not an ES import. Since Node 22, `node:http` has lazy getters
 * (`WebSocket`, `CloseEvent`, `MessageEvent`) that load Node's undici when read, and importing a
 * builtin as an ES module reads every export to build the module's namespace. So a plain
 * `import http from 'node:http'` loads undici: about 18 MiB of RSS the agent never uses and, under
 * the image's `--jitless` (no WebAssembly), an unhandled rejection that ends the process. `require`
 * returns the CommonJS object as it is, getters unread. This plugin serves the agent's (and its
 * dependencies') imports of `node:http` from a module that requires it and re-exports its plain
 * values; a getter the agent would import fails the build ("No matching export"), not the agent.
 */
export const httpViaRequire: Plugin = {
  name: 'http-via-require',
  setup(b) {
    b.onResolve({ filter: /^(node:)?http$/ }, (args) =>
      args.namespace === 'http-via-require' ? undefined : { path: 'node:http', namespace: 'http-via-require' },
    );
    b.onLoad({ filter: /.*/, namespace: 'http-via-require' }, () => {
      const http = createRequire(import.meta.url)('node:http') as object;
      const plain = Object.keys(http).filter(
        (name) => /^[A-Za-z_$][\w$]*$/.test(name) && !Object.getOwnPropertyDescriptor(http, name)?.get,
      );
      return {
        loader: 'js',
        contents: [`const http = require('node:http');`, 'export default http;', `export const { ${plain.join(', ')} } = http;`].join('\n'),
      };
    });
  },
};

/** The checkout this module belongs to (agent/..): the build's default root, from any folder. */
const CHECKOUT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The entry's file name in the output directory. */
export const AGENT_ENTRY = 'tether-agent.mjs';

/** Builds the bundle and returns where it is and how big. */
export async function buildAgentBundle(options: AgentBuildOptions = {}): Promise<AgentBundle> {
  const root = resolve(options.root ?? CHECKOUT);
  const outdir = resolve(root, options.outdir ?? 'dist/agent');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: { [basename(AGENT_ENTRY, '.mjs')]: resolve(root, 'agent/main.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: options.minify ?? true,
    keepNames: true,
    legalComments: 'none',
    metafile: true,
    plugins: [kubeConfigOnly, httpViaRequire],
    logLevel: 'warning',
    absWorkingDir: root,
    banner: {
      js: "import { createRequire as __tetherCreateRequire } from 'node:module'; const require = __tetherCreateRequire(import.meta.url);",
    },
  });
  const files = Object.entries(result.metafile.outputs)
    .map(([path, o]) => ({ path: relative(outdir, resolve(root, path)), bytes: o.bytes, inputs: Object.keys(o.inputs) }))
    .sort((a, b) => a.path.localeCompare(b.path));
  const entryFile = files.find((f) => f.path === AGENT_ENTRY);
  const kubeFile = files.find((f) => f.inputs.some((i) => /agent[\\/]kube[\\/]node-adapter\.ts$/.test(i)));
  if (!entryFile || !kubeFile) throw new Error(`unexpected bundle layout: ${files.map((f) => f.path).join(', ')}`);
  const strip = ({ path, bytes }: BundleFile): BundleFile => ({ path, bytes });
  return {
    outdir,
    entry: join(outdir, AGENT_ENTRY),
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    entryBytes: entryFile.bytes,
    kubeChunk: strip(kubeFile),
    files: files.map(strip),
    metafile: result.metafile,
  };
}

/**
 * The Node options the agent image runs with, so tests and bench B5 run what a cluster runs: those of
 * agent/Dockerfile's `ENV NODE_OPTIONS=...`, then those its ENTRYPOINT passes before the bundle
 * (`["/nodejs/bin/node", <options...>, "/app/tether-agent.mjs"]`). Callers pass them on the command line.
 */
export function imageNodeFlags(root = CHECKOUT): string[] {
  let text: string;
  try {
    text = readFileSync(join(root, 'agent', 'Dockerfile'), 'utf8');
  } catch {
    return [];
  }
  const env = /^ENV\s+NODE_OPTIONS=(?:"([^"]*)"|(\S+))\s*$/m.exec(text);
  const fromEnv = (env?.[1] ?? env?.[2] ?? '').split(/\s+/).filter(Boolean);
  const line = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(text)?.[1];
  if (!line) return fromEnv;
  const parts = JSON.parse(line) as string[];
  const bundle = parts.findIndex((p) => p.endsWith('.mjs'));
  return [...fromEnv, ...(bundle > 1 ? parts.slice(1, bundle) : [])];
}

// `npx tsx agent/build.ts [--outdir DIR]`
if (/agent[\\/]build\.ts$/.test(process.argv[1] ?? '')) {
  const i = process.argv.indexOf('--outdir');
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;
  // A path typed on the command line is the user's, relative to where they are.
  const bundle = await buildAgentBundle({ outdir: i > 0 ? resolve(process.argv[i + 1]) : undefined });
  process.stdout.write(
    `built ${bundle.entry}: ${mb(bundle.bytes)} in ${bundle.files.length} files; entry ${mb(bundle.entryBytes)}, Kubernetes chunk ${bundle.kubeChunk.path} ${mb(bundle.kubeChunk.bytes)}\n`,
  );
}
