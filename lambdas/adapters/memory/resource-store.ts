import { AlreadyExistsError, ConflictError, NotFoundError, ValidationError } from '../../../shared/errors.js';
import type { Resource } from '../../../shared/resources/meta.js';
import type { ListOptions, ListPage, ResourceKey, ResourceStore } from '../../ports/resource-store.js';
import { decodeKeyCursor, encodeCursor, resourceKey, resourcePartition } from '../dynamodb/keys.js';
import { storedBodyBytes, toResourceItem } from '../dynamodb/resource-item.js';

/** Tuning of {@link MemoryResourceStore}: the same page budget as the table's store, so short pages can be provoked. */
export interface MemoryResourceStoreOptions {
  /** Most "pages" (of {@link filteredPageSize} items) one `list` call reads while a filter keeps dropping items. */
  maxPagesPerList?: number;
  /** Items read per page while a filter is active. */
  filteredPageSize?: number;
}

/** One stored object: its version and its JSON, so that no caller ever holds the stored copy. */
interface Stored {
  version: number;
  json: string;
}

/**
 * {@link ResourceStore} in process memory, for tests and tools that need no DynamoDB. It keys,
 * pages and refuses exactly as the table does: the table's key and cursor functions (a cursor of
 * another list is a ValidationError), conditional writes on a numeric version, pages that stop
 * early under a filter's page budget, and the table's item-size limit measured with the table's
 * own encoding. Reads are always consistent (read-your-writes).
 */
export class MemoryResourceStore implements ResourceStore {
  private readonly partitions: Map<string, Map<string, Stored>>;
  private readonly maxPages: number;
  private readonly filteredPageSize: number;

  /**
   * With `sharing`, this store reads and writes the objects of that one (as a second store on the
   * same table would), with its own options.
   */
  /** The same measure as the table's: the stored body's bytes (compressed past the threshold). */
  storedBodyBytes(json: string): number {
    return storedBodyBytes(json);
  }

  constructor(options: MemoryResourceStoreOptions = {}, sharing?: MemoryResourceStore) {
    this.partitions = sharing?.partitions ?? new Map();
    this.maxPages = options.maxPagesPerList ?? 20;
    this.filteredPageSize = options.filteredPageSize ?? 100;
  }

  async get(key: ResourceKey): Promise<Resource | undefined> {
    return this.read(key);
  }

  async getMany(keys: readonly ResourceKey[]): Promise<(Resource | undefined)[]> {
    return keys.map((k) => this.read(k));
  }

  async list(kind: string, opts: ListOptions): Promise<ListPage> {
    if (!Number.isInteger(opts.limit) || opts.limit < 1) {
      throw new ValidationError(`list limit must be a positive integer, got ${opts.limit}`);
    }
    const pk = resourcePartition(kind, opts.namespace);
    let after = opts.cursor ? decodeKeyCursor(opts.cursor, pk).sk : undefined;
    const partition = this.partitions.get(pk);
    const names = partition ? [...partition.keys()].sort(byName) : [];
    const items: Resource[] = [];
    for (let page = 0; page < this.maxPages; page++) {
      const needed = opts.limit - items.length;
      const size = Math.min(1000, opts.filter ? Math.max(needed, this.filteredPageSize) : needed);
      const start = after === undefined ? 0 : names.findIndex((n) => n > (after as string));
      const rows = start < 0 ? [] : names.slice(start, start + size);
      for (let i = 0; i < rows.length; i++) {
        const resource = decode(partition?.get(rows[i]) as Stored);
        if (opts.filter && !opts.filter(resource)) continue;
        items.push(resource);
        if (items.length === opts.limit) {
          const more = start + i + 1 < names.length;
          return more ? { items, cursor: encodeCursor({ pk, sk: rows[i] }) } : { items };
        }
      }
      if (start < 0 || start + rows.length >= names.length) return { items };
      after = rows[rows.length - 1];
    }
    return { items, cursor: encodeCursor({ pk, sk: after }) };
  }

  async create(resource: Resource): Promise<Resource> {
    const { stored } = toResourceItem(resource, 1);
    const key = keyOf(resource);
    const partition = this.partition(key.pk);
    if (partition.has(key.sk)) throw new AlreadyExistsError(resource.kind, resource.metadata.name);
    partition.set(key.sk, { version: 1, json: JSON.stringify(stored) });
    return stored;
  }

  async replace(resource: Resource, expectedVersion: string): Promise<Resource> {
    const expected = parseVersion(expectedVersion);
    const { stored } = toResourceItem(resource, expected + 1);
    const key = keyOf(resource);
    this.check({ kind: resource.kind, name: resource.metadata.name }, key, expected);
    this.partition(key.pk).set(key.sk, { version: expected + 1, json: JSON.stringify(stored) });
    return stored;
  }

  async delete(key: ResourceKey, expectedVersion?: string): Promise<void> {
    const expected = expectedVersion === undefined ? undefined : parseVersion(expectedVersion);
    const tableKey = resourceKey(key);
    this.check(key, tableKey, expected);
    this.partitions.get(tableKey.pk)?.delete(tableKey.sk);
  }

  /** The condition of a write: the object exists, at `expected` when given (the table's wording). */
  private check(key: Pick<ResourceKey, 'kind' | 'name'>, tableKey: { pk: string; sk: string }, expected: number | undefined): void {
    const current = this.partitions.get(tableKey.pk)?.get(tableKey.sk);
    if (!current) throw new NotFoundError(key.kind, key.name);
    if (expected !== undefined && current.version !== expected) {
      throw new ConflictError(
        `${key.kind} "${key.name}" was modified: resourceVersion is ${current.version}, the request expected ${expected}`,
        String(current.version),
      );
    }
  }

  private read(key: ResourceKey): Resource | undefined {
    const tableKey = resourceKey(key);
    const stored = this.partitions.get(tableKey.pk)?.get(tableKey.sk);
    return stored ? decode(stored) : undefined;
  }

  private partition(pk: string): Map<string, Stored> {
    let partition = this.partitions.get(pk);
    if (!partition) this.partitions.set(pk, (partition = new Map()));
    return partition;
  }
}

function keyOf(resource: Resource): { pk: string; sk: string } {
  return resourceKey({ kind: resource.kind, name: resource.metadata.name, namespace: resource.metadata.namespace });
}

function decode(stored: Stored): Resource {
  const resource = JSON.parse(stored.json) as Resource;
  resource.metadata.resourceVersion = String(stored.version);
  return resource;
}

/** Sort-key order of the table: names are DNS labels (ASCII), so code-unit order is byte order. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function parseVersion(version: string): number {
  if (!/^\d{1,15}$/.test(version)) {
    throw new ValidationError('resourceVersion must be the decimal string the hub returned', [
      { path: 'metadata.resourceVersion', message: `"${version}" is not a resourceVersion` },
    ]);
  }
  return Number(version);
}
