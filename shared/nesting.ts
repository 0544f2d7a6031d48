import { ValidationError } from './errors.js';

/**
 * How deeply objects and arrays may nest in anything the hub reads from a client: request bodies,
 * manifests, merge patches. Kubernetes objects rarely pass 20 levels (a CRD's OpenAPI schema
 * perhaps 40); the limit leaves room for those while keeping every recursive walk of the hub
 * (merge patch, template rendering, canonical JSON, `JSON.stringify`) far from the stack's end.
 */
export const MAX_NESTING_DEPTH = 100;

/**
 * The nesting depth of a JSON-like value (a scalar is 0, `{}` and `[]` are 1), counted without
 * recursion so that a hostile value cannot overflow the stack here. Stops counting past `limit`
 * and returns `limit + 1`.
 */
export function nestingDepth(value: unknown, limit = MAX_NESTING_DEPTH): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const d = depth + 1;
    if (d > max) max = d;
    if (max > limit) return limit + 1;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) {
      if (child !== null && typeof child === 'object') stack.push([child, d]);
    }
  }
  return max;
}

/**
 * Refuses a value nested deeper than {@link MAX_NESTING_DEPTH} with a 422 that names the limit.
 * @throws ValidationError
 */
export function assertNestingDepth(value: unknown, what = 'request body', limit = MAX_NESTING_DEPTH): void {
  if (nestingDepth(value, limit) > limit) {
    throw new ValidationError(`${what} is nested more than ${limit} levels deep; the hub accepts at most ${limit}`, [
      { path: '(body)', message: `nested deeper than ${limit} levels` },
    ]);
  }
}
