import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';

/**
 * Builds the agent as one ESM file for Node (the container image runs it):
 * `npx tsx agent/build.ts [--outfile dist/agent/tether-agent.mjs]`.
 *
 * Everything is bundled, @kubernetes/client-node included, so the image needs no node_modules.
 * CommonJS dependencies call `require`, which ESM lacks: the banner creates one.
 */

/** Options of {@link buildAgentBundle}. */
export interface AgentBuildOptions {
  /** Output file. Default `dist/agent/tether-agent.mjs` under `root`. */
  outfile?: string;
  /** Repository root (where package.json is). Default the current directory. */
  root?: string;
  /** Default true: smaller image, and stack traces still name functions (`keepNames`). */
  minify?: boolean;
}

/** Builds the bundle and returns where it is and how big. */
export async function buildAgentBundle(options: AgentBuildOptions = {}): Promise<{ outfile: string; bytes: number; metafile: Metafile }> {
  const root = resolve(options.root ?? process.cwd());
  const outfile = resolve(root, options.outfile ?? 'dist/agent/tether-agent.mjs');
  const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string };
  mkdirSync(dirname(outfile), { recursive: true });
  const result = await build({
    entryPoints: [resolve(root, 'agent/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: options.minify ?? true,
    keepNames: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: root,
    define: { TETHER_AGENT_VERSION: JSON.stringify(pkg.version) },
    banner: { js: "import { createRequire as __tetherCreateRequire } from 'node:module'; const require = __tetherCreateRequire(import.meta.url);" },
  });
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  return { outfile, bytes, metafile: result.metafile };
}

// `npx tsx agent/build.ts [--outfile PATH]`
if (/agent[\\/]build\.ts$/.test(process.argv[1] ?? '')) {
  const i = process.argv.indexOf('--outfile');
  const { outfile, bytes } = await buildAgentBundle({ outfile: i > 0 ? process.argv[i + 1] : undefined });
  process.stdout.write(`built ${outfile} (${(bytes / 1024 / 1024).toFixed(2)} MB)\n`);
}
