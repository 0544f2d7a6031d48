import type { NamespaceSelector } from '../../shared/resources/policy.js';
import type { ClusterApi } from '../kube/cluster-api.js';

/**
 * Which namespaces a namespaced object without `metadata.namespace` is checked in, after OCM's
 * `namespaceSelector`:
 *
 * - the candidates are every namespace, or those whose labels match `matchLabels` and
 *   `matchExpressions` when given (one list of Namespaces, with the label selector sent to the
 *   API server);
 * - `include` globs keep the candidates whose name matches one of them; without `include` a label
 *   selector alone chooses (and a selector with neither chooses nothing, as in OCM);
 * - `exclude` globs then drop names.
 *
 * Globs are Go's `filepath.Match` patterns, as OCM's: `*` any run of characters, `?` one
 * character, `[a-c]` / `[^a-c]` a class. This small matcher avoids a glob library in the agent
 * bundle; namespace names hold no `/`, the one character filepath.Match treats specially.
 */

/** Does `name` match the filepath.Match-style `pattern`? A malformed class never matches. */
export function globMatch(pattern: string, name: string): boolean {
  return globRegExp(pattern)?.test(name) ?? false;
}

const cache = new Map<string, RegExp | undefined>();

function globRegExp(pattern: string): RegExp | undefined {
  if (cache.has(pattern)) return cache.get(pattern);
  let source = '';
  let ok = true;
  for (let i = 0; i < pattern.length && ok; i++) {
    const c = pattern[i];
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) ok = false;
      else {
        let body = pattern.slice(i + 1, end);
        const negated = body.startsWith('^') || body.startsWith('!');
        if (negated) body = body.slice(1);
        source += `[${negated ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
        i = end;
      }
    } else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const re = ok ? safeRegExp(`^${source}$`) : undefined;
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, re);
  return re;
}

function safeRegExp(source: string): RegExp | undefined {
  try {
    return new RegExp(source);
  } catch {
    return undefined;
  }
}

/** Whether the selector chooses anything at all (OCM: include globs or a label selector). */
export function selectorChoosesSomething(selector: NamespaceSelector | undefined): boolean {
  if (!selector) return false;
  return Boolean(selector.include?.length || Object.keys(selector.matchLabels ?? {}).length || selector.matchExpressions?.length);
}

/**
 * Filters namespace names (with their labels already matched by the API server) by include and
 * exclude globs.
 */
export function filterNamespaces(names: readonly string[], selector: NamespaceSelector): string[] {
  const include = selector.include ?? [];
  const exclude = selector.exclude ?? [];
  return names.filter((n) => (include.length === 0 || include.some((p) => globMatch(p, n))) && !exclude.some((p) => globMatch(p, n)));
}

/**
 * The namespaces a selector chooses on the cluster, sorted. Lists Namespaces once, with the label
 * part of the selector as a label selector.
 */
export async function selectNamespaces(api: ClusterApi, selector: NamespaceSelector): Promise<string[]> {
  if (!selectorChoosesSomething(selector)) return [];
  const labelSelector =
    selector.matchLabels || selector.matchExpressions
      ? { matchLabels: selector.matchLabels, matchExpressions: selector.matchExpressions }
      : undefined;
  const namespaces = await api.list({ apiVersion: 'v1', kind: 'Namespace', ...(labelSelector ? { labelSelector } : {}) });
  return filterNamespaces(
    namespaces.filter((n) => !n.metadata.deletionTimestamp).map((n) => n.metadata.name),
    selector,
  ).sort();
}
