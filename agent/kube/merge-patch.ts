import { isPlainObject, jsonCopy } from './json.js';

/**
 * JSON merge patch (RFC 7386), as the API server applies `application/merge-patch+json`: a map in
 * the patch merges into the target key by key, `null` removes a key, and anything else (lists
 * included) replaces the target's value whole. Pure: returns a new value.
 *
 * @example
 * applyMergePatch({ data: { a: '1', b: '2' } }, { data: { b: null } }) // { data: { a: '1' } }
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return jsonCopy(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? jsonCopy(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}
