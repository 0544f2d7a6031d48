import { LIST_KEYS, listKeyOf } from '../kube/field-set.js';

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

/** The merge key of the list `field` as the policy gives it, or undefined when it has none (the rule server-side apply uses). */
export function mergeKeyOf(field: string, items: readonly unknown[]): string | undefined {
  return listKeyOf(field, [...items]);
}
