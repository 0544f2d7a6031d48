import { isPlainObject, jsonCopy } from './json.js';
import type { FieldsV1 } from './types.js';

/**
 * Field paths for server-side apply, in the API server's own token notation so that they map 1:1
 * onto `managedFields[].fieldsV1`: `f:<name>` selects a map field, `k:<json>` an item of a keyed
 * list, and a trailing `.` the list item itself. `spec.template.spec.containers[name=web].image`
 * is `['f:spec','f:template','f:spec','f:containers','k:{"name":"web"}','f:image']`.
 *
 * Lists are keyed (merged item by item) only where Kubernetes declares them so for built-in kinds
 * and the key is a single field; every other list is atomic (owned and replaced as a whole), which
 * is also the default for custom resources.
 */

/** A field path as tokens. */
export type FieldPath = readonly string[];

/** One owned field of an object: a leaf value, or the existence of a keyed list item (`marker`). */
export interface FieldLeaf {
  path: FieldPath;
  value: unknown;
  marker: boolean;
}

/** Leaves by {@link pathKey}, in document order. */
export type FieldMap = Map<string, FieldLeaf>;

/** Which part of an object a field set covers: the main resource, its status subresource, or both. */
export type FieldScope = 'main' | 'status' | 'all';

/** Metadata the server owns: never part of anyone's field set. */
const SYSTEM_METADATA: ReadonlySet<string> = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

/** Keyed lists of built-in kinds, by field name, with their (single) key field. */
export const LIST_KEYS: Readonly<Record<string, readonly string[]>> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  imagePullSecrets: ['name'],
  volumeMounts: ['mountPath'],
  volumeDevices: ['devicePath'],
  ownerReferences: ['uid'],
  conditions: ['type'],
  hostAliases: ['ip'],
  // Container ports are keyed by containerPort, Service ports by port (the real key adds protocol).
  ports: ['containerPort', 'port'],
};

/** A stable string key of a path, for sets and maps. */
export function pathKey(path: FieldPath): string {
  return JSON.stringify(path);
}

/** The inverse of {@link pathKey}. */
export function parsePathKey(key: string): string[] {
  return JSON.parse(key) as string[];
}

/**
 * Lists every owned leaf of an object (apiVersion, kind and server-owned metadata excluded).
 * @param keyedLists merge the well-known lists of built-in kinds item by item.
 */
export function flattenObject(obj: Record<string, unknown>, scope: FieldScope, keyedLists: boolean): FieldMap {
  const out: FieldMap = new Map();
  for (const field of Object.keys(obj)) {
    const value = obj[field];
    if (field === 'apiVersion' || field === 'kind') continue;
    if (field === 'status' ? scope === 'main' : scope === 'status') continue;
    if (field === 'metadata' && isPlainObject(value)) {
      for (const m of Object.keys(value)) {
        if (!SYSTEM_METADATA.has(m)) walk(['f:metadata', `f:${m}`], m, value[m], out, keyedLists);
      }
      continue;
    }
    walk([`f:${field}`], field, value, out, keyedLists);
  }
  return out;
}

function walk(path: string[], field: string, value: unknown, out: FieldMap, keyed: boolean): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    const key = keyed ? listKeyOf(field, value) : undefined;
    if (!key) {
      out.set(pathKey(path), { path, value, marker: false });
      return;
    }
    for (const item of value as Record<string, unknown>[]) {
      const itemPath = [...path, itemToken(key, item[key])];
      const markerPath = [...itemPath, '.'];
      out.set(pathKey(markerPath), { path: markerPath, value: undefined, marker: true });
      for (const f of Object.keys(item)) walk([...itemPath, `f:${f}`], f, item[f], out, keyed);
    }
    return;
  }
  if (isPlainObject(value)) {
    const fields = Object.keys(value).filter((f) => value[f] !== undefined && value[f] !== null);
    if (fields.length === 0) {
      out.set(pathKey(path), { path, value: {}, marker: false });
      return;
    }
    for (const f of fields) walk([...path, `f:${f}`], f, value[f], out, keyed);
    return;
  }
  out.set(pathKey(path), { path, value, marker: false });
}

/** The key field of a keyed list, or undefined when the list must be treated as atomic. */
export function listKeyOf(field: string, items: unknown[]): string | undefined {
  const candidates = LIST_KEYS[field];
  if (!candidates || items.length === 0) return undefined;
  for (const key of candidates) {
    const seen = new Set<unknown>();
    const ok = items.every((item) => {
      if (!isPlainObject(item)) return false;
      const v = item[key];
      if ((typeof v !== 'string' && typeof v !== 'number') || seen.has(v)) return false;
      seen.add(v);
      return true;
    });
    if (ok) return key;
  }
  return undefined;
}

function itemToken(key: string, value: unknown): string {
  return `k:${JSON.stringify({ [key]: value })}`;
}

function parseItemToken(token: string): [string, unknown] {
  const parsed = JSON.parse(token.slice(2)) as Record<string, unknown>;
  const key = Object.keys(parsed)[0];
  return [key, parsed[key]];
}

function findItem(list: unknown[], token: string): Record<string, unknown> | undefined {
  const [key, value] = parseItemToken(token);
  return list.find((item): item is Record<string, unknown> => isPlainObject(item) && item[key] === value);
}

/** Is this the key field of the list item that directly contains it? (It lives and dies with the item.) */
export function isItemKeyField(path: FieldPath): boolean {
  const n = path.length;
  if (n < 2 || !path[n - 2].startsWith('k:') || !path[n - 1].startsWith('f:')) return false;
  return parseItemToken(path[n - 2])[0] === path[n - 1].slice(2);
}

/** The value at a path; for a marker, the list item. */
export function valueAt(root: unknown, path: FieldPath): unknown {
  let cur: unknown = root;
  for (const token of path) {
    if (token === '.') return cur;
    if (token.startsWith('f:')) {
      if (!isPlainObject(cur)) return undefined;
      cur = cur[token.slice(2)];
    } else {
      if (!Array.isArray(cur)) return undefined;
      cur = findItem(cur, token);
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Sets the value at a path (a copy of it), creating maps, lists and list items on the way. */
export function setAt(root: Record<string, unknown>, path: FieldPath, value: unknown): void {
  let cur: Record<string, unknown> | unknown[] = root;
  for (let i = 0; i < path.length; i++) {
    const token = path[i];
    const next = path[i + 1];
    const last = i === path.length - 1;
    if (token === '.') return;
    if (token.startsWith('f:')) {
      const obj = cur as Record<string, unknown>;
      const name = token.slice(2);
      if (last) {
        obj[name] = jsonCopy(value);
        return;
      }
      const wantList = next.startsWith('k:');
      if (wantList ? !Array.isArray(obj[name]) : !isPlainObject(obj[name])) obj[name] = wantList ? [] : {};
      cur = obj[name] as Record<string, unknown> | unknown[];
    } else {
      const list = cur as unknown[];
      let item = findItem(list, token);
      if (!item) {
        const [key, keyValue] = parseItemToken(token);
        item = { [key]: keyValue };
        list.push(item);
      }
      cur = item;
    }
  }
}

/**
 * Removes the value at a path (for a marker: the whole list item), then removes maps and lists
 * left empty above it unless `keep` says someone owns them as values of their own.
 */
export function removeAt(root: Record<string, unknown>, path: FieldPath, keep: (path: FieldPath) => boolean): void {
  const isMarker = path[path.length - 1] === '.';
  const containerDepth = isMarker ? path.length - 2 : path.length - 1;
  const container = valueAt(root, path.slice(0, containerDepth));
  const token = path[containerDepth];
  if (isMarker) {
    if (!Array.isArray(container)) return;
    const item = findItem(container, token);
    if (item) container.splice(container.indexOf(item), 1);
  } else {
    if (!isPlainObject(container)) return;
    delete container[token.slice(2)];
  }
  for (let depth = containerDepth; depth >= 1; depth--) {
    const prefix = path.slice(0, depth);
    if (prefix[prefix.length - 1].startsWith('k:')) return;
    if (depth === 1 && prefix[0] === 'f:metadata') return;
    const node = valueAt(root, prefix);
    const empty = Array.isArray(node) ? node.length === 0 : isPlainObject(node) && Object.keys(node).length === 0;
    if (!empty || keep(prefix)) return;
    const parent = valueAt(root, prefix.slice(0, -1));
    if (isPlainObject(parent)) delete parent[prefix[prefix.length - 1].slice(2)];
  }
}

/** Encodes paths as the API server's `fieldsV1` tree. */
export function toFieldsV1(paths: Iterable<FieldPath>): FieldsV1 {
  const root: FieldsV1 = {};
  const leafNodes = new Set<FieldsV1>();
  for (const path of paths) {
    let node = root;
    for (const token of path) node = node[token] ??= {};
    leafNodes.add(node);
  }
  // A node owned in its own right that also has owned children says so with a '.' child.
  for (const node of leafNodes) if (Object.keys(node).length > 0 && !('.' in node)) node['.'] = {};
  return root;
}

/** Decodes a `fieldsV1` tree into paths (the inverse of {@link toFieldsV1}). */
export function fromFieldsV1(tree: FieldsV1 | undefined): string[][] {
  const out: string[][] = [];
  const visit = (node: FieldsV1, prefix: string[]) => {
    const tokens = Object.keys(node);
    if (tokens.length === 0) {
      if (prefix.length > 0) out.push(prefix);
      return;
    }
    for (const token of tokens) {
      if (token === '.') {
        const ownerIsItem = prefix.length > 0 && prefix[prefix.length - 1].startsWith('k:');
        out.push(ownerIsItem ? [...prefix, '.'] : prefix);
      } else {
        visit(node[token], [...prefix, token]);
      }
    }
  };
  if (tree) visit(tree, []);
  return out;
}

/** A path as the API server writes it in conflict messages: `.spec.template.spec.containers[name="web"].image`. */
export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const token of path) {
    if (token === '.') continue;
    if (token.startsWith('f:')) out += `.${token.slice(2)}`;
    else {
      const [key, value] = parseItemToken(token);
      out += `[${key}=${JSON.stringify(value)}]`;
    }
  }
  return out;
}
