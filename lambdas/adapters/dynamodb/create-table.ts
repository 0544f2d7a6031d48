import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { TABLE } from './table.js';

/** How long {@link createTableIfMissing} waits for the table to become ACTIVE. */
const ACTIVE_TIMEOUT_MS = 60_000;

/**
 * Creates the single table with the shape of {@link TABLE} (on-demand billing, `gsi1` with ALL
 * projection) unless it exists, then waits until the table and its index are ACTIVE.
 *
 * For the local hub and tests only: in AWS the CDK construct owns the table (with TTL, PITR and
 * deletion protection, which emulators do not all support). Safe to call concurrently.
 */
export async function createTableIfMissing(client: DynamoDBClient, tableName: string): Promise<void> {
  if (!(await describe(client, tableName))) {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: TABLE.partitionKey, AttributeType: 'S' },
            { AttributeName: TABLE.sortKey, AttributeType: 'S' },
            { AttributeName: TABLE.gsi1.partitionKey, AttributeType: 'S' },
            { AttributeName: TABLE.gsi1.sortKey, AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
            { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: [
            {
              IndexName: TABLE.gsi1.indexName,
              KeySchema: [
                { AttributeName: TABLE.gsi1.partitionKey, KeyType: 'HASH' },
                { AttributeName: TABLE.gsi1.sortKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
        }),
      );
    } catch (err) {
      // Another process created it between our describe and create: fine, wait for it below.
      if (!(err instanceof ResourceInUseException)) throw err;
    }
  }
  await waitUntilActive(client, tableName);
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
}

async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
  for (let delay = 20; ; delay = Math.min(delay * 2, 1000)) {
    const table = await describe(client, tableName);
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) {
      throw new Error(`table ${tableName} is not ACTIVE after ${ACTIVE_TIMEOUT_MS} ms (status ${table?.TableStatus ?? 'missing'})`);
    }
    await sleep(delay);
  }
}
