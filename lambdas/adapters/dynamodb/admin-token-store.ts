import { DeleteItemCommand, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AdminTokenRecord, AdminTokenStore } from '../../ports/admin-token-store.js';
import { adminTokenKey } from './keys.js';
import { keyAttrs } from './raw-item.js';
import { TABLE } from './table.js';

/**
 * {@link AdminTokenStore} on the single table: one item per token hash (`T#{hash}` / `T`).
 *
 * Reads are strongly consistent: a revoked token must stop working at once, and admin requests are
 * rare next to agent polls, so the extra half read unit does not matter. Expiry is checked by the
 * caller; the `ttl` attribute only lets DynamoDB clean up expired tokens eventually.
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
    if (!out.Item) return undefined;
    const { hash: storedHash, role, description, createdAt, expiresAt } = unmarshall(out.Item) as AdminTokenRecord;
    const record: AdminTokenRecord = { hash: storedHash, role, createdAt };
    if (description !== undefined) record.description = description;
    if (expiresAt !== undefined) record.expiresAt = expiresAt;
    return record;
  }

  /** Creates or overwrites the record of `record.hash`. */
  async put(record: AdminTokenRecord): Promise<void> {
    const ttl = record.expiresAt === undefined ? undefined : Math.ceil(record.expiresAt / 1000);
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          ...keyAttrs(adminTokenKey(record.hash)),
          ...marshall({ ...record, [TABLE.ttlAttribute]: ttl }, { removeUndefinedValues: true }),
        },
      }),
    );
  }

  /** Idempotent: deleting an unknown hash is not an error. */
  async delete(hash: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: keyAttrs(adminTokenKey(hash)) }));
  }
}
