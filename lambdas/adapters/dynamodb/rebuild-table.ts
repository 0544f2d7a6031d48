import {
  CreateTableCommand,
  DeleteTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { batchWrite } from './batch.js';
import type { RawItem } from './raw-item.js';
import { describeTable, waitUntilActive, waitUntilGone } from './table-status.js';

/**
 * Rebuilding a local table with a new shape, for emulators that cannot add an index to an existing
 * table (dynalite refuses UpdateTable's GlobalSecondaryIndexUpdates.Create on an on-demand table, and
 * ignores it on a provisioned one). Only the
 * local hub and tests get here: in AWS the CDK construct adds indexes online.
 *
 * The items are copied to a side table `<name>.rebuild`, the table is deleted and created again with
 * the full shape, and the items are copied back. Each step is idempotent (puts of the same items),
 * and a process that stops half way resumes on its next start ({@link resumeRebuild}): the side
 * table exists only while a rebuild is unfinished, and the table is deleted only once the side table
 * holds every item.
 */

/** Name of the side table a rebuild of `tableName` copies through. */
export function rebuildTableName(tableName: string): string {
  return `${tableName}.rebuild`;
}

/** Copies every item of `from` into `to` (Scan pages, BatchWriteItem puts). */
async function copyItems(client: DynamoDBClient, from: string, to: string): Promise<void> {
  let start: RawItem | undefined;
  do {
    const out = await client.send(
      new ScanCommand({ TableName: from, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    if (out.Items?.length)
      await batchWrite(
        client,
        to,
        out.Items.map((Item) => ({ PutRequest: { Item } })),
      );
    start = out.LastEvaluatedKey;
  } while (start);
}

async function create(client: DynamoDBClient, input: CreateTableCommandInput): Promise<void> {
  try {
    await client.send(new CreateTableCommand(input));
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  await waitUntilActive(client, input.TableName ?? '');
}

async function drop(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
  }
  await waitUntilGone(client, tableName);
}

/** Copies the side table back into the (new) table, then deletes the side table. */
async function finish(client: DynamoDBClient, tableName: string, definition: (name: string) => CreateTableCommandInput) {
  await create(client, definition(tableName));
  await copyItems(client, rebuildTableName(tableName), tableName);
  await drop(client, rebuildTableName(tableName));
}

/** Rebuilds `tableName` with the shape `definition` gives, keeping every item. */
export async function rebuildTable(
  client: DynamoDBClient,
  tableName: string,
  definition: (name: string) => CreateTableCommandInput,
): Promise<void> {
  const side = rebuildTableName(tableName);
  await create(client, definition(side));
  await copyItems(client, tableName, side);
  await drop(client, tableName);
  await finish(client, tableName, definition);
}

/**
 * Finishes a rebuild a previous process left half done, if any: with the side table present, the
 * table is either still the old one (its copy may be incomplete: start again) or already dropped or
 * recreated (the side table is complete: copy back).
 */
export async function resumeRebuild(
  client: DynamoDBClient,
  tableName: string,
  definition: (name: string) => CreateTableCommandInput,
): Promise<void> {
  if (!(await describeTable(client, rebuildTableName(tableName)))) return;
  const table = await describeTable(client, tableName);
  const wanted = new Set((definition(tableName).GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  const complete = table && [...wanted].every((name) => (table.GlobalSecondaryIndexes ?? []).some((index) => index.IndexName === name));
  if (table && !complete) await rebuildTable(client, tableName, definition);
  else await finish(client, tableName, definition);
}
