import { DescribeTableCommand, ResourceNotFoundException, type DynamoDBClient, type TableDescription } from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long the waits below wait for a table to become ACTIVE or to disappear. */
const WAIT_TIMEOUT_MS = 60_000;

/** The table's description, or undefined when it does not exist. */
export async function describeTable(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
}

async function waitFor(client: DynamoDBClient, tableName: string, done: (table: TableDescription | undefined) => boolean, what: string) {
  const deadline = Date.now() + WAIT_TIMEOUT_MS;
  for (let delay = 20; ; delay = Math.min(delay * 2, 1000)) {
    const table = await describeTable(client, tableName);
    if (done(table)) return;
    if (Date.now() > deadline) {
      throw new Error(`table ${tableName} is not ${what} after ${WAIT_TIMEOUT_MS} ms (status ${table?.TableStatus ?? 'missing'})`);
    }
    await sleep(delay);
  }
}

/** Waits until the table and every one of its indexes are ACTIVE. */
export function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  return waitFor(
    client,
    tableName,
    (table) => table?.TableStatus === 'ACTIVE' && (table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE'),
    'ACTIVE',
  );
}

/** Waits until the table no longer exists. */
export function waitUntilGone(client: DynamoDBClient, tableName: string): Promise<void> {
  return waitFor(client, tableName, (table) => table === undefined, 'deleted');
}
