import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The layering of docs/architecture.md, checked on the source text: no runtime import cycles, and the
 * dependency directions ESLint also enforces per file (kept here as one readable list).
 */
const ROOT = process.cwd();
const DIRS = ['shared', 'lambdas', 'agent', 'cli', 'cdk', 'bench'];

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
  const specs = [...src.matchAll(/^(?:import|export)\s+(?!type\b)[^'"]*?from\s+['"](\.[^'"]+)['"]|^import\s+['"](\.[^'"]+)['"]/gm)].map((m) => m[1] ?? m[2]);
  return specs.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

const files = sources();
const graph = new Map(files.map((f) => [f, runtimeImports(f)]));
const rel = (f: string) => relative(ROOT, f);

describe('architecture', () => {
  it('has no runtime import cycles', () => {
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
    for (const f of files) if (!state.get(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it.each([
    ['shared', ['lambdas/', 'agent/', 'cli/', 'cdk/', 'bench/']],
    ['lambdas/hub', ['lambdas/adapters/', 'lambdas/handlers/', 'lambdas/local/', 'lambdas/http/', 'agent/', 'cli/']],
    ['agent', ['lambdas/', 'cli/', 'cdk/', 'bench/']],
    ['lambdas', ['agent/', 'cli/', 'bench/']],
  ])('%s never imports %j', (from, forbidden) => {
    const offenders = files
      .filter((f) => rel(f).startsWith(`${from}/`))
      .flatMap((f) => (graph.get(f) ?? []).filter((d) => forbidden.some((p) => rel(d).startsWith(p))).map((d) => `${rel(f)} -> ${rel(d)}`));
    expect(offenders).toEqual([]);
  });
});
