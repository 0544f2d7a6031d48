import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The layering of docs/architecture.md, checked on the source text: no runtime import cycles, and the
 * dependency directions ESLint also enforces per file (kept here as one readable list).
 */
const ROOT = process.cwd();
const DIRS = ['shared', 'lambdas', 'agent', 'cli', 'cdk', 'sim', 'bench'];

function sources(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'node_modules' && name !== 'dist') walk(path);
      } else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) out.push(resolve(path));
    }
  };
  DIRS.forEach((d) => walk(join(ROOT, d)));
  return out;
}

/** Relative runtime imports of a file (type-only imports are erased and cannot form cycles). */
function runtimeImports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const specs = [...src.matchAll(/^(?:import|export)\s+(?!type\b)[^'"]*?from\s+['"](\.[^'"]+)['"]|^import\s+['"](\.[^'"]+)['"]/gm)].map(
    (m) => m[1] ?? m[2],
  );
  return specs.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

/**
 * Every relative import of a file: runtime, type-only and dynamic `import('...')`. Dependency
 * directions use these, since a lazily loaded module is as much a dependency as a static one.
 */
function allImports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const specs = [
    ...src.matchAll(
      /^(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|^import\s+['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/gm,
    ),
  ].map((m) => m[1] ?? m[2] ?? m[3]);
  return specs.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

/** Import cycles in a graph, each as `a -> b -> a`. */
function cyclesOf(graph: Map<string, string[]>): string[] {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (n: string) => {
    state.set(n, 1);
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      if (!graph.has(d)) continue;
      if (state.get(d) === 1) cycles.push([...stack.slice(stack.indexOf(d)), d].map(rel).join(' -> '));
      else if (!state.get(d)) visit(d);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const f of graph.keys()) if (!state.get(f)) visit(f);
  return cycles;
}

const files = sources();
const graph = new Map(files.map((f) => [f, runtimeImports(f)]));
const deps = new Map(files.map((f) => [f, allImports(f)]));
const rel = (f: string) => relative(ROOT, f);

describe('architecture', () => {
  it('shared/ (the kinds above all) has no import cycles, type-only imports included', () => {
    const shared = new Map(files.filter((f) => rel(f).startsWith('shared/')).map((f) => [f, allImports(f)]));
    expect(cyclesOf(shared)).toEqual([]);
  });

  it('has no runtime import cycles', () => {
    expect(cyclesOf(graph)).toEqual([]);
  });

  it.each([
    ['shared', ['lambdas/', 'agent/', 'cli/', 'cdk/', 'sim/', 'bench/', 'test/']],
    [
      'lambdas/core',
      ['lambdas/capabilities/', 'lambdas/adapters/', 'lambdas/handlers/', 'lambdas/local/', 'lambdas/http/', 'agent/', 'cli/'],
    ],
    ['lambdas/http', ['lambdas/capabilities/', 'lambdas/adapters/', 'lambdas/handlers/', 'lambdas/local/']],
    ['lambdas/capabilities', ['lambdas/adapters/', 'lambdas/handlers/', 'lambdas/local/']],
    ['agent', ['lambdas/', 'cli/', 'cdk/', 'sim/', 'bench/', 'test/']],
    ['lambdas', ['agent/', 'cli/', 'sim/', 'bench/', 'test/']],
    // The CLI and the simulator ship to users; the benchmarks and the tests do not.
    ['cli', ['bench/', 'test/']],
    ['sim', ['cli/', 'bench/', 'test/']],
  ])('%s never imports %j', (from, forbidden) => {
    const offenders = files
      .filter((f) => rel(f).startsWith(`${from}/`))
      .flatMap((f) => (deps.get(f) ?? []).filter((d) => forbidden.some((p) => rel(d).startsWith(p))).map((d) => `${rel(f)} -> ${rel(d)}`));
    expect(offenders).toEqual([]);
  });

  it("keeps HTTP out of the capabilities' domain files: only their route files and capability.ts import lambdas/http", () => {
    const isEdge = (f: string) => /\/(?:[a-z-]*routes|capability|index)\.ts$/.test(f);
    const offenders = files
      .filter((f) => rel(f).startsWith('lambdas/capabilities/') && !isEdge(rel(f)))
      .flatMap((f) => (graph.get(f) ?? []).filter((d) => rel(d).startsWith('lambdas/http/')).map((d) => `${rel(f)} -> ${rel(d)}`));
    expect(offenders).toEqual([]);
  });

  it('registers nothing at import time: no module-level register*/add*Routes calls fill a registry', () => {
    const offenders = files
      .filter((f) => rel(f).startsWith('lambdas/') || rel(f).startsWith('shared/'))
      .filter((f) => /^(?:register[A-Z]\w*|add(?:Admin|Agent)Routes)\(/m.test(readFileSync(f, 'utf8')))
      .map(rel);
    expect(offenders).toEqual([]);
  });

  it('sees lazy imports, so a dynamic import of bench/ from cli/ would count', () => {
    const cliSim = join(ROOT, 'cli', 'commands', 'sim.ts');
    expect((deps.get(resolve(cliSim)) ?? []).map(rel)).toContain(join('sim', 'sim-runner.ts'));
  });
});
