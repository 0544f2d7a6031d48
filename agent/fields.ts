import { SERVER_OWNED_METADATA, type FieldsV1, type KubeObject } from './kube/types.js';

/**
 * Drift detection by field ownership. After each apply the agent records which fields its field
 * manager owns (from the object's `managedFields`). Whoever changes one of those fields later
 * (`kubectl edit`, a controller, another apply with force) takes it over, and the API server records
 * that; so a field the agent no longer owns is a field someone changed. This avoids comparing values,
 * which the API server normalises (`500m` vs `0.5`, defaulted ports) and would report as false drift.
 *
 * For objects without managedFields (an API server that strips them), {@link valueDrift} compares
 * the applied values instead.
 */

/** The fields a manager owns on an object (main resource only, every operation), or undefined when the object carries no managedFields at all. */
export function ownedFields(live: KubeObject, manager: string): FieldsV1 | undefined {
  const entries = live.metadata.managedFields;
  if (!Array.isArray(entries) || entries.length === 0) return undefined;
  const merged: FieldsV1 = {};
  for (const e of entries) {
    if (e.manager !== manager || e.subresource) continue;
    mergeInto(merged, e.fieldsV1 ?? {});
  }
  return merged;
}

function mergeInto(target: FieldsV1, source: FieldsV1): void {
  for (const [token, child] of Object.entries(source)) mergeInto((target[token] ??= {}), child ?? {});
}

/** Leaf paths of a fieldsV1 tree, as token lists (`['f:spec','f:replicas']`). Markers (`.`) are left out: their children say more. */
export function leafPaths(tree: FieldsV1 | undefined): string[][] {
  const out: string[][] = [];
  const visit = (node: FieldsV1, prefix: string[]) => {
    const tokens = Object.keys(node).filter((t) => t !== '.');
    if (tokens.length === 0) {
      if (prefix.length > 0) out.push(prefix);
      return;
    }
    for (const t of tokens) visit(node[t] ?? {}, [...prefix, t]);
  };
  if (tree) visit(tree, []);
  return out;
}

/** Fields owned in `recorded` that are no longer owned in `current`, formatted for people (`spec.replicas`). */
export function lostFields(recorded: FieldsV1 | undefined, current: FieldsV1 | undefined): string[] {
  const now = new Set(leafPaths(current).map((p) => p.join('\u0000')));
  return leafPaths(recorded)
    .filter((p) => !now.has(p.join('\u0000')))
    .map(formatPath);
}

/**
 * A path of fieldsV1 tokens as a person reads it: `f:x` is `.x`, `k:{"name":"web"}` is `[name=web]`,
 * `v:"a"` is `[="a"]`, `i:3` is `[3]`. The leading dot is dropped: `spec.template.spec.containers[name=web].image`.
 */
export function formatPath(tokens: readonly string[]): string {
  let out = '';
  for (const t of tokens) {
    if (t.startsWith('f:')) out += `.${t.slice(2)}`;
    else if (t.startsWith('k:')) out += `[${formatKey(t.slice(2))}]`;
    else if (t.startsWith('v:')) out += `[=${t.slice(2)}]`;
    else if (t.startsWith('i:')) out += `[${t.slice(2)}]`;
    else out += `.${t}`;
  }
  return out.replace(/^\./, '');
}

function formatKey(json: string): string {
  try {
    const key = JSON.parse(json) as Record<string, unknown>;
    return Object.entries(key)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(',');
  } catch {
    return json;
  }
}

/** Metadata fields the server owns; never compared. */
const SERVER_METADATA: ReadonlySet<string> = new Set(SERVER_OWNED_METADATA);

/**
 * Fields whose applied value differs from the live one, comparing only what `applied` sets:
 * fields the server or others added are ignored; list items that have a `name` are matched by name,
 * other list items by position. Used when the live object has no managedFields.
 */
export function valueDrift(applied: KubeObject, live: KubeObject): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(applied)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'status') continue;
    if (key === 'metadata' && isObject(value)) {
      for (const [m, v] of Object.entries(value)) {
        if (m === 'name' || m === 'namespace' || SERVER_METADATA.has(m)) continue;
        compare(v, (live.metadata as Record<string, unknown>)[m], `metadata.${m}`, out);
      }
      continue;
    }
    compare(value, live[key], key, out);
  }
  return out.slice(0, 50);
}

function compare(want: unknown, have: unknown, path: string, out: string[]): void {
  if (out.length >= 50) return;
  if (want === null || want === undefined) return;
  if (Array.isArray(want)) {
    if (!Array.isArray(have)) {
      out.push(path);
      return;
    }
    const byName = want.every((w) => isObject(w) && typeof w.name === 'string');
    want.forEach((w, i) => {
      if (byName) {
        const name = (w as Record<string, unknown>).name as string;
        const match = have.find((h) => isObject(h) && h.name === name);
        if (match === undefined) out.push(`${path}[name=${name}]`);
        else compare(w, match, `${path}[name=${name}]`, out);
      } else {
        compare(w, have[i], `${path}[${i}]`, out);
      }
    });
    return;
  }
  if (isObject(want)) {
    if (!isObject(have)) {
      out.push(path);
      return;
    }
    for (const [k, v] of Object.entries(want)) compare(v, have[k], `${path}.${k}`, out);
    return;
  }
  if (want !== have) out.push(path);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
