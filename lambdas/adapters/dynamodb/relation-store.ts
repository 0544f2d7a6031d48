import { DeleteItemCommand, PutItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ValidationError } from '../../../shared/errors.js';
import type { RelationItem, RelationStore } from '../../ports/relation-store.js';
import { batchWrite } from './batch.js';
import { decodeKeyCursor, encodeCursor, relationKey, relationPartition } from './keys.js';
import { keyAttrs, type RawItem } from './raw-item.js';

type RelationData = Record<string, string | number | boolean>;

/**
 * {@link RelationStore} on the single table: one item per `from -> to` (`X#{relation}#{from}` /
 * `{to}`), so the targets of one object are one Query in name order. Writes are unconditional
 * puts and deletes (single, or BatchWriteItem for many), which makes every one of them idempotent.
 */
export class DynamoRelationStore implements RelationStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async put(relation: string, from: string, to: string, data?: RelationData): Promise<void> {
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: relationItem({ relation, from, to, data }) }));
  }

  /** BatchWriteItem, 25 puts per request, unprocessed items retried (see ./batch.ts). */
  async putMany(items: readonly RelationItem[]): Promise<void> {
    if (items.length === 0) return;
    await batchWrite(
      this.client,
      this.tableName,
      items.map((i) => ({ PutRequest: { Item: relationItem(i) } })),
    );
  }

  /** BatchWriteItem, 25 deletes per request, unprocessed items retried (see ./batch.ts). */
  async removeMany(items: readonly Omit<RelationItem, 'data'>[]): Promise<void> {
    if (items.length === 0) return;
    await batchWrite(
      this.client,
      this.tableName,
      items.map((i) => ({ DeleteRequest: { Key: keyAttrs(relationKey(i.relation, i.from, i.to)) } })),
    );
  }

  async remove(relation: string, from: string, to: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: keyAttrs(relationKey(relation, from, to)) }));
  }

  async list(
    relation: string,
    from: string,
    opts: { limit: number; cursor?: string },
  ): Promise<{ items: { to: string; data?: RelationData }[]; cursor?: string }> {
    if (!Number.isInteger(opts.limit) || opts.limit < 1)
      throw new ValidationError(`list limit must be a positive integer, got ${opts.limit}`);
    const pk = relationPartition(relation, from);
    const start = opts.cursor ? decodeKeyCursor(opts.cursor, pk) : undefined;
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: pk } },
        ExclusiveStartKey: start ? keyAttrs(start) : undefined,
        Limit: Math.min(opts.limit, 1000),
      }),
    );
    const items = (out.Items ?? []).map((row) => {
      const to = row.sk.S as string;
      return row.data?.M ? { to, data: unmarshall(row.data.M) as RelationData } : { to };
    });
    const last = out.LastEvaluatedKey;
    return last ? { items, cursor: encodeCursor({ pk, sk: last.sk.S }) } : { items };
  }

  /** Query with `Select: COUNT`, paged: the count reads only keys, never returns items. */
  async count(relation: string, from: string): Promise<number> {
    const pk = relationPartition(relation, from);
    let total = 0;
    let start: RawItem | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: pk } },
          ExclusiveStartKey: start,
          Select: 'COUNT',
        }),
      );
      total += out.Count ?? 0;
      start = out.LastEvaluatedKey;
    } while (start);
    return total;
  }
}

function relationItem(i: RelationItem): RawItem {
  const item: RawItem = keyAttrs(relationKey(i.relation, i.from, i.to));
  if (i.data !== undefined) item.data = { M: marshall(i.data) };
  return item;
}
