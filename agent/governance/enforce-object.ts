import type { ClusterApi } from '../kube/cluster-api.js';
import { isPlainObject, jsonCopy } from '../kube/json.js';
import { isBuiltinApiVersion } from '../kube/kinds.js';
import { withoutServerFields, type KubeObject, type ObjectRef } from '../kube/types.js';
import { comparable, compareObject, SYSTEM_SET_KEYS, type ComparisonMode, type Difference } from './compare.js';
import { mergeKeyOf } from './merge-keys.js';

/**
 * Enforcement of one named object (`remediationAction: enforce`), with the field manager
 * {@link POLICY_FIELD_MANAGER}. docs/governance.md ("Enforcement and field ownership") explains it.
 *
 * - musthave: a server-side apply, forced, of the fields the policy declares and nothing else, so
 *   the policy wins over other managers for exactly those fields and owns only them. Lists with a
 *   merge key merge item by item; because tether-policy owns the items it applied, an item removed
 *   from the policy is removed from the object at the next enforcement (unless another manager
 *   owns it too). Lists without a key are atomic in server-side apply: applying the policy's items
 *   alone would drop every other item, so musthave applies the live items plus the missing ones.
 * - mustonlyhave: the same apply with lists exactly as declared, then one JSON merge patch that
 *   removes what the apply cannot (map entries and list items other managers own, in the maps and
 *   lists the policy declares).
 */

/** Field manager of everything policies enforce (distinct from works' `tether-agent`). */
export const POLICY_FIELD_MANAGER = 'tether-policy';

/**
 * Makes the object `definition` names comply: creates it when `live` is undefined, updates it
 * otherwise.
 * @param definition the objectDefinition with its target namespace set.
 * @throws the ClusterApi's errors.
 */
export async function enforceObject(
  api: ClusterApi,
  definition: Record<string, unknown>,
  live: KubeObject | undefined,
  mode: ComparisonMode,
): Promise<void> {
  const target = applyConfiguration(definition, live, mode);
  const applied = await api.apply(target, { fieldManager: POLICY_FIELD_MANAGER, force: true });
  if (mode !== 'mustonlyhave') return;
  const patch = exactPatch(definition, applied);
  if (patch) await api.mergePatch(refOfDefinition(target), patch, { fieldManager: POLICY_FIELD_MANAGER });
}

/** The reference of a definition (with its namespace set). */
export function refOfDefinition(definition: Record<string, unknown>): ObjectRef {
  const meta = (isPlainObject(definition.metadata) ? definition.metadata : {}) as { name?: string; namespace?: string };
  const ref: ObjectRef = { apiVersion: String(definition.apiVersion), kind: String(definition.kind), name: meta.name ?? '' };
  if (meta.namespace) ref.namespace = meta.namespace;
  return ref;
}

/**
 * What is applied: the declared fields (a Secret's stringData as data), without server-owned
 * metadata and status; for musthave, lists the server treats as atomic keep their live items.
 */
export function applyConfiguration(definition: Record<string, unknown>, live: KubeObject | undefined, mode: ComparisonMode): KubeObject {
  const config = withoutServerFields(comparable(definition) as KubeObject);
  if (mode !== 'musthave' || !live) return config;
  const keyed = isBuiltinApiVersion(config.apiVersion);
  for (const [field, value] of Object.entries(config)) {
    if (field === 'apiVersion' || field === 'kind' || field === 'metadata') continue;
    config[field] = withLiveItems(field, value, live[field], keyed);
  }
  return config;
}

function withLiveItems(field: string, want: unknown, got: unknown, keyed: boolean): unknown {
  if (isPlainObject(want)) {
    const live = isPlainObject(got) ? got : {};
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(want)) out[k] = withLiveItems(k, v, live[k], keyed);
    return out;
  }
  if (!Array.isArray(want)) return want;
  const liveItems = Array.isArray(got) ? got : [];
  const key = mergeKeyOf(field, want);
  if (key && keyed) {
    // The server merges this list by key: apply only the policy's items (recursing for their own lists).
    return want.map((item: Record<string, unknown>) => {
      const match = liveItems.find((g) => isPlainObject(g) && g[key] === item[key]);
      return withLiveItems(field, item, match, keyed);
    });
  }
  // Atomic list: the live items, with the policy's items merged in (by key when they have one) or added.
  const out = jsonCopy(liveItems);
  for (const item of want) {
    const at = key ? out.findIndex((g) => isPlainObject(g) && isPlainObject(item) && g[key] === item[key]) : -1;
    if (at >= 0) {
      out[at] = deepMerge(out[at], item);
      continue;
    }
    const probe = { kind: 'probe', [field]: [item] };
    const present = compareObject(probe, { kind: 'probe', [field]: out }, 'musthave').length === 0;
    if (!present) out.push(jsonCopy(item));
  }
  return out;
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return jsonCopy(over);
  const out: Record<string, unknown> = jsonCopy(base);
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(out[k], v);
  return out;
}

/**
 * The JSON merge patch that makes the declared maps and lists of a mustonlyhave definition exact
 * on `live`: `null` for map entries the policy does not declare, and the declared list for a list
 * that holds more (or other) items. Undefined when nothing is left to remove.
 */
export function exactPatch(definition: Record<string, unknown>, live: KubeObject): Record<string, unknown> | undefined {
  const def = comparable(definition);
  const patch: Record<string, unknown> = {};
  for (const [field, want] of Object.entries(def)) {
    if (field === 'apiVersion' || field === 'kind' || field === 'status') continue;
    if (field === 'metadata' && isPlainObject(want)) {
      const meta: Record<string, unknown> = {};
      for (const m of ['labels', 'annotations']) {
        if (!isPlainObject(want[m])) continue;
        const p = mapPatch(want[m], live.metadata[m], SYSTEM_SET_KEYS);
        if (p) meta[m] = p;
      }
      if (Object.keys(meta).length) patch.metadata = meta;
      continue;
    }
    const p = valuePatch(field, want, live[field]);
    if (p !== undefined) patch[field] = p;
  }
  return Object.keys(patch).length ? patch : undefined;
}

function valuePatch(field: string, want: unknown, got: unknown): unknown {
  if (isPlainObject(want)) return mapPatch(want, got);
  if (Array.isArray(want) && Array.isArray(got)) {
    const diffs: Difference[] = compareObject({ kind: 'probe', [field]: want }, { kind: 'probe', [field]: got }, 'mustonlyhave');
    return diffs.length ? jsonCopy(want) : undefined;
  }
  return undefined;
}

function mapPatch(want: Record<string, unknown>, got: unknown, ignored?: ReadonlySet<string>): Record<string, unknown> | undefined {
  if (!isPlainObject(got)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(got)) {
    if (v === null || v === undefined) continue;
    if (!(k in want) || want[k] === null) {
      if (!ignored?.has(k)) out[k] = null;
      continue;
    }
    const p = valuePatch(k, want[k], v);
    if (p !== undefined) out[k] = p;
  }
  return Object.keys(out).length ? out : undefined;
}
