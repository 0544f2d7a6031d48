import {
  CreateTableCommand,
  ResourceInUseException,
  UpdateTableCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { rebuildTable, resumeRebuild } from './rebuild-table.js';
import { TABLE, TABLE_INDEXES } from './table.js';
import { describeTable, waitUntilActive } from './table-status.js';

type IndexShape = (typeof TABLE_INDEXES)[number];

function indexAttributes(index: IndexShape): AttributeDefinition[] {
  return [
    { AttributeName: index.partitionKey, AttributeType: 'S' },
    { AttributeName: index.sortKey, AttributeType: 'S' },
  ];
}

function indexDefinition(index: IndexShape): GlobalSecondaryIndex {
  return {
    IndexName: index.indexName,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' },
      { AttributeName: index.sortKey, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'ALL' },
  };
}

/** The CreateTable request of the single table with every index of {@link TABLE_INDEXES}. */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: TABLE.partitionKey, AttributeType: 'S' },
      { AttributeName: TABLE.sortKey, AttributeType: 'S' },
      ...TABLE_INDEXES.flatMap(indexAttributes),
    ],
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: TABLE_INDEXES.map(indexDefinition),
  };
}

/**
 * Creates the single table with the shape of {@link TABLE} (on-demand billing, every GSI with ALL
 * projection) unless it exists, adds the indexes an existing table lacks (a developer's `.tether`
 * data from an older version), then waits until the table and its indexes are ACTIVE.
 *
 * For the local hub and tests only: in AWS the CDK construct owns the table (with TTL, PITR and
 * deletion protection, which emulators do not all support). Safe to call concurrently.
 */
export async function createTableIfMissing(client: DynamoDBClient, tableName: string): Promise<void> {
  await resumeRebuild(client, tableName, tableDefinition);
  if (!(await describeTable(client, tableName))) {
    try {
      await client.send(new CreateTableCommand(tableDefinition(tableName)));
    } catch (err) {
      // Another process created it between our describe and create: fine, wait for it below.
      if (!(err instanceof ResourceInUseException)) throw err;
    }
  }
  await waitUntilActive(client, tableName);
  await addMissingIndexes(client, tableName);
}

/**
 * Adds, one at a time (DynamoDB creates one index per update), each index of {@link TABLE_INDEXES}
 * the table lacks. DynamoDB and DynamoDB Local build it online (UpdateTable, then backfill until
 * ACTIVE). dynalite cannot (it refuses the request or ignores it); then the table is rebuilt with
 * the full shape by copying its items (see rebuild-table.ts), which is fine for local data.
 */
async function addMissingIndexes(client: DynamoDBClient, tableName: string): Promise<void> {
  for (const index of TABLE_INDEXES) {
    if (hasIndex(await describeTable(client, tableName), index.indexName)) continue;
    try {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: indexAttributes(index),
          GlobalSecondaryIndexUpdates: [{ Create: indexDefinition(index) }],
        }),
      );
    } catch (err) {
      // Another process started the same index between our describe and update: wait for it.
      // dynalite refuses an on-demand index Create as invalid (it wants provisioned throughput):
      // rebuild below. Anything else is a real failure.
      if (
        !hasIndex(await describeTable(client, tableName), index.indexName) &&
        !(err instanceof Error && err.name === 'ValidationException')
      ) {
        throw err;
      }
    }
    if (!hasIndex(await describeTable(client, tableName), index.indexName)) {
      await rebuildTable(client, tableName, tableDefinition);
    }
    await waitUntilActive(client, tableName);
  }
}

function hasIndex(table: TableDescription | undefined, indexName: string): boolean {
  return (table?.GlobalSecondaryIndexes ?? []).some((index) => index.IndexName === indexName);
}
