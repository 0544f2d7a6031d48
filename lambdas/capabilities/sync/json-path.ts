import { JSONPath } from 'jsonpath-plus';
import { jsonPathProblem, toJsonPath } from '../../../shared/sync-match.js';

/**
 * Definite JSONPaths: the paths an override may set. A definite path names one place in an object
 * (`.data.tier`, `$.spec.template.spec.containers[0].image`, `.metadata.labels['app.kubernetes.io/name']`):
 * no wildcards, filters, slices, unions or recursive descent, which could name many places or none.
 */

/** The filter or script expression that starts at `i` (after `(`), up to its closing `)`, quotes and parentheses balanced. */
function scanExpression(p: string, i: number): { expr: string; end: number } | undefined {
  let depth = 1;
  let quote: string | undefined;
  for (let j = i; j < p.length; j++) {
    const ch = p[j];
    if (quote) {
      if (ch === '\\') j++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return { expr: p.slice(i, j), end: j + 1 };
  }
  return undefined;
}

const NAME = /^[A-Za-z_$][\w$-]*/;
const BRACKET_ITEM = /^\s*(-?\d*:-?\d*(:-?\d*)?|-?\d+|\*|'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")\s*/;

/**
 * Why a JSONPath is not well formed, or undefined. Stricter than evaluating it against an empty
 * object (which never reaches most of the path): brackets, quotes and parentheses must close,
 * every step must be a name, `*`, an index, a quoted key, a slice, a union of those or a filter,
 * and a filter must parse in the safe evaluator.
 * @example jsonPathSyntaxProblem('$.data[') !== undefined
 */
export function jsonPathSyntaxProblem(path: string): string | undefined {
  const base = jsonPathProblem(path);
  if (base) return base;
  const p = toJsonPath(path);
  const bad = (at: number, why: string) => `not a valid JSONPath: ${why} at character ${at + 1} of "${p}"`;
  let i = 1;
  while (i < p.length) {
    if (p.startsWith('..', i)) {
      i += 2;
      if (p[i] === '[') continue;
      if (p[i] === '*') {
        i++;
        continue;
      }
      const m = NAME.exec(p.slice(i));
      if (!m) return bad(i, 'expected a name, * or [ after ..');
      i += m[0].length;
    } else if (p[i] === '.') {
      i++;
      if (p[i] === '*') {
        i++;
        continue;
      }
      const m = NAME.exec(p.slice(i));
      if (!m) return bad(i, 'expected a name or * after .');
      i += m[0].length;
    } else if (p[i] === '[') {
      i++;
      if (p[i] === '?' || p[i] === '(') {
        const filter = p[i] === '?';
        if (filter) i++;
        if (p[i] !== '(') return bad(i, 'expected ( after ?');
        const scanned = scanExpression(p, i + 1);
        if (!scanned) return bad(i, 'unclosed (');
        if (p[scanned.end] !== ']') return bad(scanned.end, 'expected ] after the expression');
        if (filter) {
          try {
            JSONPath({ path: `$[?(${scanned.expr})]`, json: [{}], eval: 'safe', wrap: true });
          } catch (err) {
            return bad(i, `the filter does not parse (${err instanceof Error ? err.message : String(err)})`);
          }
        }
        i = scanned.end + 1;
        continue;
      }
      for (;;) {
        const m = BRACKET_ITEM.exec(p.slice(i));
        if (!m || m[0].trim() === '') return bad(i, 'expected an index, a quoted key, *, a slice or a filter inside [ ]');
        i += m[0].length;
        if (p[i] === ',') {
          i++;
          continue;
        }
        if (p[i] !== ']') return bad(i, 'expected ] or ,');
        i++;
        break;
      }
    } else {
      return bad(i, `unexpected "${p[i]}"`);
    }
  }
  return undefined;
}

/** One step of a definite path: a property name or an array index. */
export type PathSegment = string | number;

/**
 * Parses a definite path into its segments, or says why it is not one.
 * @example parseDefinitePath('.spec.containers[0].image') → { segments: ['spec', 'containers', 0, 'image'] }
 */
export function parseDefinitePath(path: string): { segments: PathSegment[] } | { problem: string } {
  const syntax = jsonPathSyntaxProblem(path);
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
