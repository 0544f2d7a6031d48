import type { KindInfo } from './kinds.js';
import type { KubeObject } from './types.js';

/**
 * The in-memory cluster's storage: objects by group and kind (one bucket for every served version
 * of a kind), then by namespace and name. Keys sort as etcd's do, so lists come out in the API
 * server's order. Objects are stored as given and never modified in place by the store.
 */
export class ObjectStore {
  private readonly buckets = new Map<string, { info: KindInfo; items: Map<string, KubeObject> }>();

  get(info: KindInfo, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.buckets.get(bucketKey(info.group, info.kind))?.items.get(itemKey(namespace, name));
  }

  put(info: KindInfo, obj: KubeObject): void {
    const key = bucketKey(info.group, info.kind);
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = { info, items: new Map() }));
    bucket.items.set(itemKey(obj.metadata.namespace, obj.metadata.name), obj);
  }

  /** Removes an object; false when it was not stored. */
  delete(info: KindInfo, obj: KubeObject): boolean {
    return this.buckets.get(bucketKey(info.group, info.kind))?.items.delete(itemKey(obj.metadata.namespace, obj.metadata.name)) ?? false;
  }

  /** Objects of one kind (any version), sorted by namespace, then name. */
  ofKind(group: string, kind: string): KubeObject[] {
    const items = this.buckets.get(bucketKey(group, kind))?.items;
    if (!items) return [];
    return [...items.keys()].sort().map((k) => items.get(k)!);
  }

  /** How many objects of one kind are stored. */
  count(group: string, kind: string): number {
    return this.buckets.get(bucketKey(group, kind))?.items.size ?? 0;
  }

  /** The kind a stored group and kind is served as (for custom resources: one of its versions). */
  kindOf(group: string, kind: string): KindInfo | undefined {
    return this.buckets.get(bucketKey(group, kind))?.info;
  }

  /** A snapshot of every stored object with its kind; safe to modify the store while iterating it. */
  all(): [KindInfo, KubeObject][] {
    const out: [KindInfo, KubeObject][] = [];
    for (const b of this.buckets.values()) for (const o of b.items.values()) out.push([b.info, o]);
    return out;
  }

  hasUid(uid: string): boolean {
    for (const b of this.buckets.values()) for (const o of b.items.values()) if (o.metadata.uid === uid) return true;
    return false;
  }
}

function bucketKey(group: string, kind: string): string {
  return `${group}|${kind}`;
}

function itemKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}
