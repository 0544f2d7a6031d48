import { jsonPathProblem, toJsonPath } from '../../../shared/sync-match.js';

/**
 * Definite JSONPaths: the paths an override may set. A definite path names one place in an object
 * (`.data.tier`, `$.spec.template.spec.containers[0].image`, `.metadata.labels['app.kubernetes.io/name']`):
 * no wildcards, filters, slices, unions or recursive descent, which could name many places or none.
 */

/** One step of a definite path: a property name or an array index. */
export type PathSegment = string | number;

/**
 * Parses a definite path into its segments, or says why it is not one.
 * @example parseDefinitePath('.spec.containers[0].image') → { segments: ['spec', 'containers', 0, 'image'] }
 */
export function parseDefinitePath(path: string): { segments: PathSegment[] } | { problem: string } {
  const syntax = jsonPathProblem(path);
  if (syntax) return { problem: syntax };
  const p = toJsonPath(path);
  if (p.includes('..')) return { problem: 'an override path must be definite: no recursive descent (..)' };
  const segments: PathSegment[] = [];
  let i = 1; // after '$'
  while (i < p.length) {
    if (p[i] === '.') {
      const m = /^[A-Za-z_$][\w$-]*/.exec(p.slice(i + 1));
      if (!m) return { problem: `an override path must be definite: "${p.slice(i, i + 20)}" is not a property name` };
      segments.push(m[0]);
      i += 1 + m[0].length;
    } else if (p[i] === '[') {
      const rest = p.slice(i);
      const index = /^\[(\d+)\]/.exec(rest);
      const quoted = /^\[(['"])((?:\\.|(?!\1).)*)\1\]/.exec(rest);
      if (index) {
        segments.push(Number(index[1]));
        i += index[0].length;
      } else if (quoted) {
        segments.push(quoted[2].replace(/\\(.)/g, '$1'));
        i += quoted[0].length;
      } else {
        return { problem: `an override path must be definite: no wildcards, filters, slices or unions ("${rest.slice(0, 20)}")` };
      }
    } else {
      return { problem: `an override path must be definite: unexpected "${p.slice(i, i + 20)}"` };
    }
  }
  if (!segments.length) return { problem: 'an override path must name a field, not the whole object' };
  return { segments };
}

/** Sets `value` at a definite path, creating objects (or arrays, before an index) on the way. Mutates `target`. */
export function setAtPath(target: Record<string, unknown>, segments: readonly PathSegment[], value: unknown): void {
  let node: Record<string | number, unknown> = target;
  segments.forEach((seg, i) => {
    if (i === segments.length - 1) {
      node[seg] = structuredClone(value);
      return;
    }
    const nextIsIndex = typeof segments[i + 1] === 'number';
    const child = node[seg];
    if (child === null || typeof child !== 'object') node[seg] = nextIsIndex ? [] : {};
    node = node[seg] as Record<string | number, unknown>;
  });
}
