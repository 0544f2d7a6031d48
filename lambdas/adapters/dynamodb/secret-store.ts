import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretStore } from '../../ports/secret-store.js';
import { hubSecretKey } from './keys.js';
import { isConditionalCheckFailed, keyAttrs } from './raw-item.js';

/**
 * {@link SecretStore} on the single table: one item per name (`K#{name}` / `K`), created with a
 * conditional put so that concurrent first uses agree on one value. It lives with the data it
 * protects: a hub restarted on the same table (the local hub on the same data directory, a Lambda
 * after a cold start, a point-in-time restore) keeps it. Reads are consistent and happen once per
 * process (callers cache).
 */
export class DynamoSecretStore implements SecretStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async getOrCreate(name: string, create: () => string): Promise<string> {
    const existing = await this.read(name);
    if (existing !== undefined) return existing;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { ...keyAttrs(hubSecretKey(name)), s: { S: create() } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
    const stored = await this.read(name);
    if (stored === undefined) throw new Error(`the hub secret "${name}" could not be stored`);
    return stored;
  }

  private async read(name: string): Promise<string | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: keyAttrs(hubSecretKey(name)), ConsistentRead: true }),
    );
    return out.Item?.s?.S;
  }
}
