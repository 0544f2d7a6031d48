import { isPlainObject, jsonEqual } from '../kube/json.js';
import { SERVER_OWNED_METADATA } from '../kube/types.js';
import { mergeKeyOf } from './merge-keys.js';

/**
 * Compliance semantics: how an object a policy states (`objectDefinition`) compares with a live
 * object. Pure. docs/governance.md ("Compliance semantics") describes it with examples.
 *
 * - `musthave`: every field given is present with that value. Maps are compared key by key,
 *   recursively. In a list, every item given must be present: items of a list with a merge key
 *   (see merge-keys.ts) are matched by it and compared recursively as musthave; other items must
 *   be present somewhere in the list (equal for scalars, a musthave match for objects).
 * - `mustonlyhave`: as musthave, and every map and list the definition declares (at any depth
 *   below the object's top level) is exact: no entries beyond the given ones. Keyed lists must
 *   hold the same keys, in any order; lists without a key must hold the same items in the same order.
 *
 * Only what the definition gives is looked at: fields it does not mention (`status`, undeclared
 * top-level fields, server-set metadata) never matter. The top level and `metadata` are envelopes,
 * never exact; `metadata.labels` and `metadata.annotations`, when given, are exact for mustonlyhave
 * only, and even then a few keys the system sets by itself ({@link SYSTEM_SET_KEYS}) are ignored.
 * Identity (`metadata.name`, `metadata.namespace`) and server-owned metadata (uid, resourceVersion,
 * generation, timestamps, managedFields) are never compared.
 */

/** How strictly a definition is compared. */
export type ComparisonMode = 'musthave' | 'mustonlyhave';

/** One difference between the definition and the live object. */
export interface Difference {
  /** Where, e.g. `spec.template.spec.containers[name=web].image`, `data.mode`, `spec.rules[1]`. */
  path: string;
  /** `missing`: wanted and absent; `mismatch`: present with another value; `extra`: present and not allowed (mustonlyhave). */
  kind: 'missing' | 'mismatch' | 'extra';
  want?: unknown;
  got?: unknown;
}

/** Labels and annotations the API server or common tools set by themselves; never an `extra` entry. */
export const SYSTEM_SET_KEYS: ReadonlySet<string> = new Set([
  'kubernetes.io/metadata.name',
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
]);

const IDENTITY_METADATA: ReadonlySet<string> = new Set(['name', 'namespace', 'generateName', ...SERVER_OWNED_METADATA]);

/**
 * Compares a definition with a live object.
 * @returns the differences; empty when the object complies.
 */
export function compareObject(definition: Record<string, unknown>, live: Record<string, unknown>, mode: ComparisonMode): Difference[] {
  const out: Difference[] = [];
  const def = comparable(definition);
  for (const [field, want] of Object.entries(def)) {
    if (field === 'apiVersion' || field === 'kind' || want === null || want === undefined) continue;
    if (field === 'metadata' && isPlainObject(want)) {
      compareMetadata(want, isPlainObject(live.metadata) ? live.metadata : {}, mode, out);
      continue;
    }
    compareValue(field, field, want, live[field], mode, out);
  }
  return out;
}

/** Whether `live` complies with `definition` (no differences). */
export function complies(definition: Record<string, unknown>, live: Record<string, unknown>, mode: ComparisonMode): boolean {
  return compareObject(definition, live, mode).length === 0;
}

/**
 * The definition as it is compared: a Secret's `stringData` counts as the base64 `data` the API
 * server stores it as (live Secrets never show stringData).
 */
export function comparable(definition: Record<string, unknown>): Record<string, unknown> {
  if (definition.kind !== 'Secret' || !isPlainObject(definition.stringData)) return definition;
  const data: Record<string, unknown> = isPlainObject(definition.data) ? { ...definition.data } : {};
  for (const [k, v] of Object.entries(definition.stringData)) {
    if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
  }
  const { stringData: _ignored, ...rest } = definition;
  return { ...rest, data };
}

function compareMetadata(want: Record<string, unknown>, got: Record<string, unknown>, mode: ComparisonMode, out: Difference[]): void {
  for (const [field, value] of Object.entries(want)) {
    if (IDENTITY_METADATA.has(field) || value === null || value === undefined) continue;
    const path = `metadata.${field}`;
    if ((field === 'labels' || field === 'annotations') && isPlainObject(value)) {
      compareMap(path, value, got[field], mode, out, SYSTEM_SET_KEYS);
      continue;
    }
    compareValue(path, field, value, got[field], mode, out);
  }
}

function compareValue(path: string, field: string, want: unknown, got: unknown, mode: ComparisonMode, out: Difference[]): void {
  if (want === null || want === undefined) return;
  if (got === undefined || got === null) {
    out.push({ path, kind: 'missing', want });
    return;
  }
  if (isPlainObject(want)) {
    if (!isPlainObject(got)) out.push({ path, kind: 'mismatch', want, got });
    else compareMap(path, want, got, mode, out);
    return;
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(got)) out.push({ path, kind: 'mismatch', want, got });
    else compareList(path, field, want, got, mode, out);
    return;
  }
  if (!scalarEqual(want, got)) out.push({ path, kind: 'mismatch', want, got });
}

function compareMap(
  path: string,
  want: Record<string, unknown>,
  got: unknown,
  mode: ComparisonMode,
  out: Difference[],
  ignoredExtras?: ReadonlySet<string>,
): void {
  const live = isPlainObject(got) ? got : {};
  if (!isPlainObject(got) && got !== undefined && got !== null) {
    out.push({ path, kind: 'mismatch', want, got });
    return;
  }
  for (const [k, v] of Object.entries(want)) compareValue(childPath(path, k), k, v, live[k], mode, out);
  if (mode !== 'mustonlyhave') return;
  for (const [k, v] of Object.entries(live)) {
    if (k in want && want[k] !== null && want[k] !== undefined) continue;
    if (v === null || v === undefined || ignoredExtras?.has(k)) continue;
    out.push({ path: childPath(path, k), kind: 'extra', got: v });
  }
}

function compareList(path: string, field: string, want: unknown[], got: unknown[], mode: ComparisonMode, out: Difference[]): void {
  const key = mergeKeyOf(field, want);
  if (key) {
    const wantedKeys = new Set<unknown>();
    for (const item of want as Record<string, unknown>[]) {
      const value = item[key];
      wantedKeys.add(value);
      const itemPath = `${path}[${key}=${String(value)}]`;
      const match = got.find((g) => isPlainObject(g) && g[key] === value);
      if (match === undefined) out.push({ path: itemPath, kind: 'missing', want: item });
      else compareMap(itemPath, item, match, mode, out);
    }
    if (mode === 'mustonlyhave') {
      for (const g of got) {
        const value = isPlainObject(g) ? g[key] : undefined;
        if (!wantedKeys.has(value)) out.push({ path: `${path}[${key}=${String(value)}]`, kind: 'extra', got: g });
      }
    }
    return;
  }
  if (mode === 'mustonlyhave') {
    // Without a key, an exact list is the same items in the same order.
    const same = want.length === got.length && want.every((w, i) => itemMatches(w, got[i], field, mode));
    if (!same) out.push({ path, kind: 'mismatch', want, got });
    return;
  }
  want.forEach((w, i) => {
    if (!got.some((g) => itemMatches(w, g, field, mode))) out.push({ path: `${path}[${i}]`, kind: 'missing', want: w });
  });
}

/** Does a live list item match a wanted one (equal scalar, or an object that complies)? */
function itemMatches(want: unknown, got: unknown, field: string, mode: ComparisonMode): boolean {
  if (isPlainObject(want)) {
    if (!isPlainObject(got)) return false;
    const diffs: Difference[] = [];
    compareMap(field, want, got, mode, diffs);
    return diffs.length === 0;
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(got)) return false;
    const diffs: Difference[] = [];
    compareList(field, field, want, got, mode, diffs);
    return diffs.length === 0;
  }
  return scalarEqual(want, got);
}

/**
 * Scalar equality, with one leniency the API server itself has: a number and its decimal string are
 * the same (`cpu: 1` and `cpu: "1"`, `port: 8080` and `"8080"` as YAML gives them).
 */
function scalarEqual(a: unknown, b: unknown): boolean {
  if (jsonEqual(a, b)) return true;
  if (typeof a === 'number' && typeof b === 'string') return String(a) === b;
  if (typeof a === 'string' && typeof b === 'number') return a === String(b);
  return false;
}

function childPath(path: string, key: string): string {
  return /^[A-Za-z_][\w-]*$/.test(key) ? `${path}.${key}` : `${path}["${key}"]`;
}
