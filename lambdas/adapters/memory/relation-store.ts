import { ValidationError } from '../../../shared/errors.js';
import type { RelationItem, RelationStore } from '../../ports/relation-store.js';
import { decodeKeyCursor, encodeCursor, relationPartition } from '../dynamodb/keys.js';

type RelationData = Record<string, string | number | boolean>;

/**
 * {@link RelationStore} in process memory: one map of targets per `relation#from`, keyed and paged
 * with the table's key and cursor functions (so relation names and foreign cursors are refused as
 * the table refuses them). Writes are idempotent puts and deletes, as on the table.
 */
export class MemoryRelationStore implements RelationStore {
  private readonly partitions = new Map<string, Map<string, RelationData | undefined>>();

  async put(relation: string, from: string, to: string, data?: RelationData): Promise<void> {
    this.set({ relation, from, to, data });
  }

  async putMany(items: readonly RelationItem[]): Promise<void> {
    for (const i of items) this.set(i);
  }

  async remove(relation: string, from: string, to: string): Promise<void> {
    this.partitions.get(relationPartition(relation, from))?.delete(to);
  }

  async removeMany(items: readonly Omit<RelationItem, 'data'>[]): Promise<void> {
    for (const i of items) await this.remove(i.relation, i.from, i.to);
  }

  async list(
    relation: string,
    from: string,
    opts: { limit: number; cursor?: string },
  ): Promise<{ items: { to: string; data?: RelationData }[]; cursor?: string }> {
    if (!Number.isInteger(opts.limit) || opts.limit < 1)
      throw new ValidationError(`list limit must be a positive integer, got ${opts.limit}`);
    const pk = relationPartition(relation, from);
    const after = opts.cursor ? decodeKeyCursor(opts.cursor, pk).sk : undefined;
    const partition = this.partitions.get(pk) ?? new Map<string, RelationData | undefined>();
    const targets = [...partition.keys()].filter((to) => after === undefined || to > after).sort();
    const page = targets.slice(0, Math.min(opts.limit, 1000));
    const items = page.map((to) => {
      const data = partition.get(to);
      return data ? { to, data: { ...data } } : { to };
    });
    return targets.length > page.length ? { items, cursor: encodeCursor({ pk, sk: page[page.length - 1] }) } : { items };
  }

  async count(relation: string, from: string): Promise<number> {
    return this.partitions.get(relationPartition(relation, from))?.size ?? 0;
  }

  private set(i: RelationItem): void {
    const pk = relationPartition(i.relation, i.from);
    let partition = this.partitions.get(pk);
    if (!partition) this.partitions.set(pk, (partition = new Map()));
    partition.set(i.to, i.data === undefined ? undefined : { ...i.data });
  }
}
