import { JSONPath } from 'jsonpath-plus';
import { isDeepStrictEqual } from 'node:util';
import { matchesSelector, type Labels } from './labels.js';
import type { SyncMatch, SyncRuleEntry } from './resources/sync-rule.js';

/**
 * Which objects a SyncRule selects, shared by the source agent (which lists and filters) and the
 * hub (which picks the entry whose mutations apply). Inside one match entry every field given must
 * match; the entries of a rule are ORed, and so are the selectors inside `labels` and
 * `annotations`. An entry with an empty or absent `match` list matches every object.
 */

/** The parts of a Kubernetes object the match reads. */
export interface MatchableObject {
  metadata?: { name?: string; namespace?: string; labels?: Labels; annotations?: Labels };
  [key: string]: unknown;
}

/**
 * Accepts kubectl's notation (`.data.tier`, `{.data.tier}`) and jsonpath-plus's (`$.data.tier`).
 * @example toJsonPath('.spec.replicas') === '$.spec.replicas'
 */
export function toJsonPath(path: string): string {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1).trim();
  if (p.startsWith('.')) return '$' + p;
  if (p.startsWith('$')) return p;
  return '$.' + p;
}

/** The values a JSONPath finds in an object (script filters only in jsonpath-plus's safe evaluator). */
export function jsonPathValues(obj: unknown, path: string): unknown[] {
  const found = JSONPath({ path: toJsonPath(path), json: obj as object, wrap: true, eval: 'safe', resultType: 'value' }) as unknown;
  return Array.isArray(found) ? found : [];
}

/**
 * A problem with a JSONPath expression (for a 422), or undefined when it parses.
 * @example jsonPathProblem('$.data[') !== undefined
 */
export function jsonPathProblem(path: string): string | undefined {
  try {
    JSONPath({ path: toJsonPath(path), json: {}, wrap: true, eval: 'safe', resultType: 'value' });
    return undefined;
  } catch (err) {
    return `not a valid JSONPath: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** Does one match entry select this object? */
export function matchesEntry(m: SyncMatch, obj: MatchableObject): boolean {
  const meta = obj.metadata ?? {};
  const namespace = meta.namespace ?? '';
  if (m.objectKey?.name !== undefined && m.objectKey.name !== meta.name) return false;
  if (m.objectKey?.namespace !== undefined && m.objectKey.namespace !== namespace) return false;
  if (m.namespaces && m.namespaces.length > 0 && !m.namespaces.includes(namespace)) return false;
  if (m.labels && m.labels.length > 0 && !m.labels.some((s) => matchesSelector(s, meta.labels))) return false;
  if (m.annotations && m.annotations.length > 0 && !m.annotations.some((s) => matchesSelector(s, meta.annotations))) return false;
  for (const c of m.content ?? []) {
    const values = jsonPathValues(obj, c.path);
    if (!values.some((v) => isDeepStrictEqual(v, c.value))) return false;
  }
  return true;
}

/** Does a list of match entries (ORed) select this object? An empty list selects everything. */
export function matchesAny(match: readonly SyncMatch[], obj: MatchableObject): boolean {
  return match.length === 0 || match.some((m) => matchesEntry(m, obj));
}

/**
 * The index of the first rule entry that selects this object (its mutations apply), or undefined.
 * @example firstMatchingEntry([{ match: [] }], anyObject) === 0
 */
export function firstMatchingEntry(rules: readonly Pick<SyncRuleEntry, 'match'>[], obj: MatchableObject): number | undefined {
  const i = rules.findIndex((r) => matchesAny(r.match, obj));
  return i < 0 ? undefined : i;
}
