import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type ConditionalCheckFailedException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { AlreadyExistsError, ConflictError, NotFoundError, ValidationError } from '../../../shared/errors.js';
import type { Resource } from '../../../shared/resources/meta.js';
import type { ListOptions, ListPage, ResourceKey, ResourceStore } from '../../ports/resource-store.js';
import { batchGet, keyString } from './batch.js';
import { isConditionalCheckFailed, keyAttrs, numberAttr, oldItemOf } from './raw-item.js';
import { decodeKeyCursor, encodeCursor, resourceKey, resourcePartition, type TableKey } from './keys.js';
import { fromResourceItem, storedBodyBytes, toResourceItem } from './resource-item.js';

/** Tuning of {@link DynamoResourceStore}; the defaults suit the admin API. */
export interface DynamoResourceStoreOptions {
  /**
   * Most Query pages one `list` call reads while a filter keeps dropping items. Bounds the latency
   * of a selective filter over a big kind; the caller gets a short page and a cursor to go on.
   */
  maxPagesPerList?: number;
  /** Query page size while a filter is active (more items per round trip; capped by 1 MB anyway). */
  filteredPageSize?: number;
}

const VERSION_NAMES = { '#v': 'v' };

/**
 * {@link ResourceStore} on the single table: one item per resource (see ./keys.ts), every write one
 * conditional PutItem or DeleteItem on the item's numeric version `v`; `getMany` is BatchGetItem.
 */
export class DynamoResourceStore implements ResourceStore {
  private readonly maxPages: number;
  private readonly filteredPageSize: number;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    options: DynamoResourceStoreOptions = {},
  ) {
    this.maxPages = options.maxPagesPerList ?? 20;
    this.filteredPageSize = options.filteredPageSize ?? 100;
  }

  /** The body's size as {@link toResourceItem} writes it: gzipped above the compression threshold. */
  storedBodyBytes(json: string): number {
    return storedBodyBytes(json);
  }

  /** Eventually consistent unless `opts.consistent`: half the read cost for plain reads. */
  async get(key: ResourceKey, opts?: { consistent?: boolean }): Promise<Resource | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: keyAttrs(resourceKey(key)), ConsistentRead: opts?.consistent ?? false }),
    );
    return out.Item ? fromResourceItem(out.Item) : undefined;
  }

  /** BatchGetItem, 100 keys per request (see ./batch.ts); half-price eventually consistent reads unless `opts.consistent`. */
  async getMany(keys: readonly ResourceKey[], opts?: { consistent?: boolean }): Promise<(Resource | undefined)[]> {
    if (keys.length === 0) return [];
    const raw = keys.map((k) => keyAttrs(resourceKey(k)));
    const found = await batchGet(this.client, this.tableName, raw, { consistent: opts?.consistent ?? false });
    const decoded = new Map<string, Resource>();
    return raw.map((k) => {
      const id = keyString(k);
      const item = found.get(id);
      if (!item) return undefined;
      // A key asked for twice shares one decoded object; callers treat answers as read-only.
      let res = decoded.get(id);
      if (!res) decoded.set(id, (res = fromResourceItem(item)));
      return res;
    });
  }

  async list(kind: string, opts: ListOptions): Promise<ListPage> {
    if (!Number.isInteger(opts.limit) || opts.limit < 1) {
      throw new ValidationError(`list limit must be a positive integer, got ${opts.limit}`);
    }
    const pk = resourcePartition(kind, opts.namespace);
    let start: TableKey | undefined = opts.cursor ? decodeKeyCursor(opts.cursor, pk) : undefined;
    const items: Resource[] = [];
    for (let page = 0; page < this.maxPages; page++) {
      const needed = opts.limit - items.length;
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: pk } },
          ExclusiveStartKey: start ? keyAttrs(start) : undefined,
          Limit: Math.min(1000, opts.filter ? Math.max(needed, this.filteredPageSize) : needed),
          ConsistentRead: opts.consistent ?? false,
        }),
      );
      const rows = out.Items ?? [];
      for (let i = 0; i < rows.length; i++) {
        const resource = fromResourceItem(rows[i]);
        if (opts.filter && !opts.filter(resource)) continue;
        items.push(resource);
        if (items.length === opts.limit) {
          // Resume right after this item, not after the page: the rest of the page is unread.
          const more = i < rows.length - 1 || out.LastEvaluatedKey !== undefined;
          return more ? { items, cursor: encodeCursor({ pk, sk: rows[i].sk.S }) } : { items };
        }
      }
      if (!out.LastEvaluatedKey) return { items };
      start = { pk, sk: out.LastEvaluatedKey.sk.S as string };
    }
    // Page budget spent: everything up to `start` was read and either returned or filtered out.
    return { items, cursor: encodeCursor(start) };
  }

  async create(resource: Resource): Promise<Resource> {
    const { item, stored } = toResourceItem(resource, 1);
    try {
      await this.client.send(
        new PutItemCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    } catch (err) {
      if (isConditionalCheckFailed(err)) throw new AlreadyExistsError(resource.kind, resource.metadata.name, { cause: err });
      throw err;
    }
    return stored;
  }

  async replace(resource: Resource, expectedVersion: string): Promise<Resource> {
    const expected = parseVersion(expectedVersion);
    const { item, stored } = toResourceItem(resource, expected + 1);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: '#v = :expected',
          ExpressionAttributeNames: VERSION_NAMES,
          ExpressionAttributeValues: { ':expected': { N: String(expected) } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (err) {
      if (isConditionalCheckFailed(err)) throw await this.explainFailure(resourceKeyOf(resource), expected, err);
      throw err;
    }
    return stored;
  }

  async delete(key: ResourceKey, expectedVersion?: string): Promise<void> {
    const expected = expectedVersion === undefined ? undefined : parseVersion(expectedVersion);
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: keyAttrs(resourceKey(key)),
          ConditionExpression: expected === undefined ? 'attribute_exists(pk)' : 'attribute_exists(pk) AND #v = :expected',
          ExpressionAttributeNames: expected === undefined ? undefined : VERSION_NAMES,
          ExpressionAttributeValues: expected === undefined ? undefined : { ':expected': { N: String(expected) } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      if (expected === undefined) throw new NotFoundError(key.kind, key.name, { cause: err });
      throw await this.explainFailure(key, expected, err);
    }
  }

  /**
   * Tells a missing object from a stale version after a failed condition. Uses the old item the
   * server returned; dynalite returns none, so then one consistent read of `v` decides.
   */
  private async explainFailure(key: ResourceKey, expected: number, err: ConditionalCheckFailedException): Promise<Error> {
    let old = oldItemOf(err);
    if (!old) {
      const out = await this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: keyAttrs(resourceKey(key)),
          ConsistentRead: true,
          ProjectionExpression: '#v',
          ExpressionAttributeNames: VERSION_NAMES,
        }),
      );
      old = out.Item;
    }
    const current = numberAttr(old, 'v');
    if (current === undefined) return new NotFoundError(key.kind, key.name, { cause: err });
    return new ConflictError(
      `${key.kind} "${key.name}" was modified: resourceVersion is ${current}, the request expected ${expected}`,
      String(current),
      { cause: err },
    );
  }
}

function resourceKeyOf(resource: Resource): ResourceKey {
  return { kind: resource.kind, name: resource.metadata.name, namespace: resource.metadata.namespace };
}

function parseVersion(version: string): number {
  if (!/^\d{1,15}$/.test(version)) {
    throw new ValidationError('resourceVersion must be the decimal string the hub returned', [
      { path: 'metadata.resourceVersion', message: `"${version}" is not a resourceVersion` },
    ]);
  }
  return Number(version);
}
