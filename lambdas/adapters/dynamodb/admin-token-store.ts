import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AdminTokenRecord, AdminTokenStore } from '../../ports/admin-token-store.js';
import { adminTokenKey, TOKEN_NAMES_PK, tokenNameKey } from './keys.js';
import { keyAttrs } from './raw-item.js';
import { TABLE } from './table.js';

const FIELDS = [
  'hash',
  'name',
  'role',
  'clusterSets',
  'description',
  'createdAt',
  'createdBy',
  'expiresAt',
  'lastUsedAt',
  'revokedAt',
] as const satisfies readonly (keyof AdminTokenRecord)[];

function toRecord(item: Record<string, unknown>): AdminTokenRecord {
  const record: Record<string, unknown> = {};
  for (const f of FIELDS) if (item[f] !== undefined) record[f] = item[f];
  return record as unknown as AdminTokenRecord;
}

/**
 * {@link AdminTokenStore} on the single table: one item per token hash (`T#{hash}` / `T`), what
 * authentication reads, and for named tokens one entry in the name index (`T#names` / `{name}`),
 * what listing reads.
 *
 * Reads by hash are strongly consistent: a revoked token must stop working at once, and admin
 * requests are rare next to agent polls, so the extra half read unit does not matter. Expiry is
 * checked by the caller; the `ttl` attribute only lets DynamoDB clean up expired tokens eventually.
 */
export class DynamoAdminTokenStore implements AdminTokenStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async getByHash(hash: string): Promise<AdminTokenRecord | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: keyAttrs(adminTokenKey(hash)), ConsistentRead: true }),
    );
    return out.Item ? toRecord(unmarshall(out.Item)) : undefined;
  }

  async getByName(name: string): Promise<AdminTokenRecord | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: keyAttrs(tokenNameKey(name)), ConsistentRead: true }),
    );
    return out.Item ? toRecord(unmarshall(out.Item)) : undefined;
  }

  async list(): Promise<AdminTokenRecord[]> {
    const out: AdminTokenRecord[] = [];
    let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: TOKEN_NAMES_PK } },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const item of page.Items ?? []) out.push(toRecord(unmarshall(item)));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /** Creates or overwrites the record of `record.hash`, then its name's entry. */
  async put(record: AdminTokenRecord): Promise<void> {
    const ttl = record.expiresAt === undefined ? undefined : Math.ceil(record.expiresAt / 1000);
    const attrs = marshall({ ...record, [TABLE.ttlAttribute]: ttl }, { removeUndefinedValues: true });
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: { ...keyAttrs(adminTokenKey(record.hash)), ...attrs } }));
    if (record.name) {
      await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: { ...keyAttrs(tokenNameKey(record.name)), ...attrs } }));
    }
  }

  /** Sets `lastUsedAt` on the token's item and its name's entry (only where they still exist and match). */
  async touch(record: AdminTokenRecord, at: number): Promise<void> {
    const keys = [adminTokenKey(record.hash), ...(record.name ? [tokenNameKey(record.name)] : [])];
    await Promise.all(
      keys.map((key) =>
        this.client
          .send(
            new UpdateItemCommand({
              TableName: this.tableName,
              Key: keyAttrs(key),
              UpdateExpression: 'SET lastUsedAt = :at',
              ConditionExpression: '#h = :hash',
              ExpressionAttributeNames: { '#h': 'hash' },
              ExpressionAttributeValues: { ':at': { N: String(at) }, ':hash': { S: record.hash } },
            }),
          )
          .catch((err: unknown) => {
            // Gone or replaced (revoked and re-created) meanwhile: nothing to record.
            if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
          }),
      ),
    );
  }

  /** Idempotent: deleting an unknown hash is not an error. */
  async delete(hash: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: keyAttrs(adminTokenKey(hash)) }));
  }
}
