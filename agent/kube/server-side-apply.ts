import { KubeConflictError, type FieldConflict } from './errors.js';
import {
  flattenObject,
  formatFieldPath,
  fromFieldsV1,
  isItemKeyField,
  parsePathKey,
  pathKey,
  removeAt,
  setAt,
  toFieldsV1,
  valueAt,
  type FieldPath,
  type FieldScope,
} from './field-set.js';
import { jsonCopy, jsonEqual } from './json.js';
import type { KubeObject, ManagedFieldsEntry } from './types.js';

/**
 * Server-side apply and field ownership, as the API server does it, over plain objects: who owns
 * which field (`metadata.managedFields`), conflicts between managers, and removal of fields a
 * manager stops applying. Pure: takes the live object and returns the next one.
 */

interface Owner {
  entry: ManagedFieldsEntry;
  keys: Set<string>;
  changed: boolean;
}

function ownersOf(live: KubeObject | undefined): Owner[] {
  return (live?.metadata.managedFields ?? []).map((entry) => ({
    entry,
    keys: new Set(fromFieldsV1(entry.fieldsV1).map(pathKey)),
    changed: false,
  }));
}

function entriesOf(owners: Owner[]): ManagedFieldsEntry[] | undefined {
  const out: ManagedFieldsEntry[] = [];
  for (const o of owners) {
    if (o.keys.size === 0) continue;
    out.push(o.changed ? { ...o.entry, fieldsV1: toFieldsV1([...o.keys].map(parsePathKey)) } : o.entry);
  }
  return out.length ? out : undefined;
}

/** What a server-side apply needs to know. */
export interface ApplyInput {
  /** The stored object, or undefined to create. */
  live: KubeObject | undefined;
  /** The applied configuration, already stripped of status and server-owned metadata. */
  config: KubeObject;
  manager: string;
  force: boolean;
  /** Merge the keyed lists of built-in kinds item by item (false for custom resources). */
  keyedLists: boolean;
  /** Timestamp for the manager's entry. */
  now: string;
  /** The object for error messages (`Deployment shop/web`). */
  target: string;
}

/**
 * Applies `config` for `manager` onto `live` and returns the resulting object, with managedFields
 * updated. It is a new object; `live` is not modified.
 *
 * @throws KubeConflictError when another manager owns a field with a different value and force is false.
 */
export function serverSideApply(input: ApplyInput): KubeObject {
  const { live, config, manager, force, keyedLists } = input;
  const applied = flattenObject(config, 'main', keyedLists);
  const owners = ownersOf(live);
  const mine = owners.find((o) => o.entry.manager === manager && o.entry.operation === 'Apply' && !o.entry.subresource);
  const others = owners.filter((o) => o !== mine);

  const conflicts: FieldConflict[] = [];
  const taken = new Set<string>();
  if (live) {
    for (const [key, leaf] of applied) {
      if (leaf.marker || jsonEqual(valueAt(live, leaf.path), leaf.value)) continue;
      for (const o of others) {
        if (!o.keys.has(key)) continue;
        conflicts.push({ manager: o.entry.manager, field: formatFieldPath(leaf.path) });
        taken.add(key);
      }
    }
  }
  if (conflicts.length > 0 && !force) throw new KubeConflictError(input.target, conflicts);

  const result: KubeObject = live
    ? jsonCopy(live)
    : { apiVersion: config.apiVersion, kind: config.kind, metadata: { name: config.metadata.name } };
  if (!live && config.metadata.namespace) result.metadata.namespace = config.metadata.namespace;
  result.apiVersion = config.apiVersion;
  for (const leaf of applied.values()) setAt(result, leaf.path, leaf.value);

  // Forcing moves the contested fields to this manager.
  for (const o of others) {
    for (const key of taken) if (o.keys.delete(key)) o.changed = true;
  }
  const ownedByOthers = (key: string) => others.some((o) => o.keys.has(key));
  const ownsInside = (item: FieldPath) => others.some((o) => [...o.keys].some((k) => startsWith(parsePathKey(k), item.slice(0, -1))));
  const keep = (path: FieldPath) => {
    const key = pathKey(path);
    return applied.has(key) || ownedByOthers(key);
  };
  const dropped = [...(mine?.keys ?? [])].filter((k) => !applied.has(k)).map(parsePathKey);
  // Values first, then list items, deepest first, so emptied parents are pruned once.
  dropped.sort((a, b) => Number(a[a.length - 1] === '.') - Number(b[b.length - 1] === '.') || b.length - a.length);
  for (const path of dropped) {
    if (ownedByOthers(pathKey(path)) || isItemKeyField(path)) continue;
    if (path[path.length - 1] === '.' && ownsInside(path)) continue;
    removeAt(result, path, keep);
  }

  const entry: ManagedFieldsEntry = {
    manager,
    operation: 'Apply',
    apiVersion: config.apiVersion,
    time: input.now,
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1([...applied.values()].map((l) => l.path)),
  };
  const next: Owner = { entry, keys: new Set(applied.keys()), changed: false };
  const all = mine ? owners.map((o) => (o === mine ? next : o)) : [...owners, next];
  setManagedFields(result, entriesOf(all));
  return result;
}

/** What a non-apply write (create, update, edit, a controller's status update) needs to know. */
export interface UpdateInput {
  before: KubeObject | undefined;
  after: KubeObject;
  manager: string;
  apiVersion: string;
  /** Which fields the write could change: `status` for a status subresource update. */
  scope: FieldScope;
  subresource?: string;
  keyedLists: boolean;
  now: string;
}

/**
 * Records an update's field ownership on `after` (modified in place): the updater takes every
 * field it changed or added, away from whoever owned it; removed fields are owned by nobody.
 */
export function recordUpdate(input: UpdateInput): void {
  const { before, after, manager, scope } = input;
  const was = before ? flattenObject(before, scope, input.keyedLists) : new Map();
  const now = flattenObject(after, scope, input.keyedLists);
  const changed = new Set<string>();
  for (const [key, leaf] of now) {
    const old = was.get(key);
    if (!old || (!leaf.marker && !jsonEqual(old.value, leaf.value))) changed.add(key);
  }
  const removed = [...was.keys()].filter((k) => !now.has(k));
  if (changed.size === 0 && removed.length === 0) {
    setManagedFields(after, before?.metadata.managedFields ? jsonCopy(before.metadata.managedFields) : undefined);
    return;
  }
  const owners = ownersOf(before);
  for (const o of owners) {
    for (const key of [...changed, ...removed]) if (o.keys.delete(key)) o.changed = true;
  }
  let mine = owners.find((o) => o.entry.manager === manager && o.entry.operation === 'Update' && o.entry.subresource === input.subresource);
  if (!mine) {
    const entry: ManagedFieldsEntry = { manager, operation: 'Update', apiVersion: input.apiVersion, fieldsType: 'FieldsV1', fieldsV1: {} };
    if (input.subresource) entry.subresource = input.subresource;
    mine = { entry, keys: new Set(), changed: true };
    owners.push(mine);
  }
  for (const key of changed) mine.keys.add(key);
  mine.changed = true;
  mine.entry = { ...mine.entry, apiVersion: input.apiVersion, time: input.now };
  setManagedFields(after, jsonCopy(entriesOf(owners)));
}

/** Are two objects the same apart from the timestamps in managedFields? (A no-op write.) */
export function sameExceptTimes(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => ({
    ...o,
    metadata: { ...o.metadata, managedFields: o.metadata.managedFields?.map((e) => ({ ...e, time: undefined })) },
  });
  return jsonEqual(strip(a), strip(b));
}

function setManagedFields(obj: KubeObject, entries: ManagedFieldsEntry[] | undefined): void {
  if (entries) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

function startsWith(path: FieldPath, prefix: FieldPath): boolean {
  if (path.length <= prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (path[i] !== prefix[i]) return false;
  return true;
}
