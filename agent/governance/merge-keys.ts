import { LIST_KEYS } from '../kube/field-set.js';
import { isPlainObject } from '../kube/json.js';

/**
 * Merge keys of lists, for comparing a policy's lists with live ones item by item. They are the
 * strategic-merge keys Kubernetes declares for the common lists of built-in kinds, the same table
 * server-side apply uses in this agent, so what the check matches by key is what enforcement
 * merges by key:
 *
 * | list field | key |
 * | --- | --- |
 * | containers, initContainers, ephemeralContainers, env, volumes, imagePullSecrets | name |
 * | ports | containerPort (container ports), else port (Service ports) |
 * | volumeMounts | mountPath |
 * | volumeDevices | devicePath |
 * | hostAliases | ip |
 * | conditions | type |
 * | ownerReferences | uid |
 *
 * A list is keyed only when every item the policy gives is an object carrying the key with a
 * distinct string or number value; otherwise it is compared as a list without a key.
 */
export const MERGE_KEYS: Readonly<Record<string, readonly string[]>> = LIST_KEYS;

/** The merge key of the list `field` as the policy gives it, or undefined when it has none. */
export function mergeKeyOf(field: string, items: readonly unknown[]): string | undefined {
  const candidates = MERGE_KEYS[field];
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
