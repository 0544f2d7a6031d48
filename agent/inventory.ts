import { z } from 'zod';
import { TETHER_FIELD_MANAGER, type ClusterApi } from './kube/cluster-api.js';
import type { FieldsV1, KubeObject, ObjectRef } from './kube/types.js';
import type { AgentLog } from './log.js';
import { packJson, unpackJson } from './pack.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from './state-store.js';
import { DeleteOptionSchema, UpdateStrategyTypes } from './work-config.js';

/**
 * What each work applied, kept in a ConfigMap per work in the agent's namespace
 * (`tether-work-<work>`), so that the agent can prune objects removed from a work, delete a removed
 * work's objects, and clean up on detach, after a restart as well. It never touches an object that
 * is not in an inventory, and deletes only objects it created.
 */

/** Label on inventory ConfigMaps. */
export const INVENTORY_LABEL = 'tether.dev/inventory';
/** Label naming the work of an inventory ConfigMap. */
export const WORK_LABEL = 'tether.dev/work';
/** Prefix of inventory ConfigMap names. */
export const INVENTORY_PREFIX = 'tether-work-';

const FieldsSchema: z.ZodType<FieldsV1> = z.lazy(() => z.record(z.string(), FieldsSchema));

/** One object a work applied (or reads). */
export const InventoryEntrySchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  /** Plural resource name, for orphaning rules. */
  resource: z.string().optional(),
  /** Hash of the manifest and its policy as last applied: unchanged means no apply is needed. */
  hash: z.string(),
  strategy: z.enum(UpdateStrategyTypes),
  /** The field manager it was applied with. */
  manager: z.string(),
  /** The agent created the object (and so may delete it). False for objects that existed before. */
  created: z.boolean(),
  /** The fields the manager owned right after the last apply: the baseline for drift. */
  fields: FieldsSchema.optional(),
  /** Drift already reported and not corrected, so it is reported once, not every resync. */
  drift: z.string().optional(),
});
export type InventoryEntry = z.infer<typeof InventoryEntrySchema>;

export const InventorySchema = z.object({
  work: z.string(),
  uid: z.string(),
  generation: z.number().int(),
  /** Hash of everything the work asked for when last applied. */
  appliedHash: z.string(),
  deleteOption: DeleteOptionSchema,
  entries: z.array(InventoryEntrySchema),
});
export type Inventory = z.infer<typeof InventorySchema>;

/** The ConfigMap name of a work's inventory. */
export function inventoryName(work: string): string {
  return INVENTORY_PREFIX + work;
}

/** The reference of an inventory entry's object. */
export function entryRef(e: Pick<InventoryEntry, 'apiVersion' | 'kind' | 'namespace' | 'name'>): ObjectRef {
  return e.namespace
    ? { apiVersion: e.apiVersion, kind: e.kind, namespace: e.namespace, name: e.name }
    : { apiVersion: e.apiVersion, kind: e.kind, name: e.name };
}

/**
 * Identity of an object across API versions (`apps/v1beta1` and `apps/v1` Deployments are one object):
 * group, kind, namespace and name.
 */
export function objectKey(ref: Pick<ObjectRef, 'apiVersion' | 'kind' | 'namespace' | 'name'>): string {
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  return `${group}|${ref.kind}|${ref.namespace ?? ''}|${ref.name}`;
}

/** Reads and writes inventory ConfigMaps. */
export class InventoryStore {
  constructor(
    private readonly api: ClusterApi,
    private readonly namespace: string,
    private readonly log: AgentLog,
  ) {}

  /** Every inventory in the namespace, by work name. Unreadable ones are logged and skipped (their objects are left alone). */
  async loadAll(): Promise<Map<string, Inventory>> {
    const list = await this.api.list({ apiVersion: 'v1', kind: 'ConfigMap', namespace: this.namespace, labelSelector: INVENTORY_LABEL });
    const out = new Map<string, Inventory>();
    for (const cm of list) {
      const inv = this.decode(cm);
      if (inv) out.set(inv.work, inv);
    }
    return out;
  }

  /** Writes a work's inventory. */
  async save(inv: Inventory): Promise<void> {
    const { encoding, payload } = packJson(inv);
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: inventoryName(inv.work),
        namespace: this.namespace,
        labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [INVENTORY_LABEL]: 'true', [WORK_LABEL]: inv.work },
      },
      data: { encoding, inventory: payload },
    };
    await this.api.apply(cm, { fieldManager: TETHER_FIELD_MANAGER, force: true });
  }

  /** Removes a work's inventory (after its objects are gone). */
  async remove(work: string): Promise<void> {
    await this.api.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: this.namespace, name: inventoryName(work) });
  }

  private decode(cm: KubeObject): Inventory | undefined {
    const data = (cm.data ?? {}) as Record<string, string>;
    try {
      const parsed = InventorySchema.safeParse(unpackJson(data.encoding, data.inventory ?? ''));
      if (parsed.success) return parsed.data;
      this.log.warn('ignoring an unreadable inventory; its objects are left untouched', { configMap: cm.metadata.name });
    } catch (err) {
      this.log.warn('ignoring an unreadable inventory; its objects are left untouched', { configMap: cm.metadata.name, error: err });
    }
    return undefined;
  }
}
