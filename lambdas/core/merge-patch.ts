import { ValidationError } from '../../shared/errors.js';
import { MAX_NESTING_DEPTH } from '../../shared/nesting.js';

/**
 * JSON Merge Patch (RFC 7396): objects merge recursively, `null` removes a member, anything else
 * (arrays included) replaces. A patch nested deeper than {@link MAX_NESTING_DEPTH} is refused with
 * a 422 before the recursion could reach the end of the stack (request bodies are already checked;
 * this guards every other caller).
 */
export function applyMergePatch(target: unknown, patch: unknown, depth = 0): unknown {
  if (depth > MAX_NESTING_DEPTH) {
    throw new ValidationError(`the merge patch is nested more than ${MAX_NESTING_DEPTH} levels deep`, [
      { path: '(body)', message: `nested deeper than ${MAX_NESTING_DEPTH} levels` },
    ]);
  }
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const base: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete base[key];
    else base[key] = applyMergePatch(base[key], value, depth + 1);
  }
  return base;
}
