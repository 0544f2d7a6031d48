import { DeleteItemCommand, PutItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { PendingChange, PendingChangeStore } from '../../ports/pending-changes.js';
import { PENDING_CHANGE_SHARDS, pendingChangeKey, pendingChangePartition } from './keys.js';
import { keyAttrs } from './raw-item.js';
import { TABLE } from './table.js';

/**
 * A change left open this long is dropped by TTL even if no sweep replayed it (a safety valve for
 * a hub whose scheduler never runs; the sweep normally closes changes within minutes).
 */
const TTL_SECONDS = 30 * 86_400;

/**
 * {@link PendingChangeStore} on the single table: `PC#{shard}` / `{openedAt}#{id}`. Opening is one
 * PutItem, closing one DeleteItem; the sweep is one Query per shard (an empty Query when nothing is
 * pending), so its cost follows the changes left open, not the fleet.
 */
export class DynamoPendingChanges implements PendingChangeStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async open(change: PendingChange): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          ...keyAttrs(pendingChangeKey(change.id, change.openedAt)),
          c: { S: JSON.stringify(change) },
          ttl: { N: String(Math.floor(change.openedAt / 1000) + TTL_SECONDS) },
        },
      }),
    );
  }

  async close(change: Pick<PendingChange, 'id' | 'openedAt'>): Promise<void> {
    await this.client.send(
      new DeleteItemCommand({ TableName: this.tableName, Key: keyAttrs(pendingChangeKey(change.id, change.openedAt)) }),
    );
  }

  async due(before: number, limit: number): Promise<PendingChange[]> {
    const out: PendingChange[] = [];
    for (let shard = 0; shard < PENDING_CHANGE_SHARDS && out.length < limit; shard++) {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND #sk < :before',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
          ExpressionAttributeValues: { ':pk': { S: pendingChangePartition(shard) }, ':before': { S: String(before).padStart(13, '0') } },
          ConsistentRead: true,
          Limit: limit - out.length,
        }),
      );
      for (const item of page.Items ?? []) out.push(JSON.parse(item.c?.S ?? '{}') as PendingChange);
    }
    return out;
  }
}
