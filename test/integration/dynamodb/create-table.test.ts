import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateTableCommand, PutItemCommand, QueryCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoPorts, createTableIfMissing } from '../../../lambdas/adapters/dynamodb/index.js';
import { tableDefinition } from '../../../lambdas/adapters/dynamodb/create-table.js';
import { rebuildTableName } from '../../../lambdas/adapters/dynamodb/rebuild-table.js';
import { describeTable, waitUntilActive } from '../../../lambdas/adapters/dynamodb/table-status.js';
import { TABLE } from '../../../lambdas/adapters/dynamodb/table.js';
import type { ComplianceEvent } from '../../../shared/compliance.js';
import { createTestDynamoClient, DYNAMO_BACKENDS, type DynamoServer } from '../../support/dynamo-servers.js';

/** The table as versions before the compliance history created it: gsi1 only. */
async function createOldTable(client: DynamoDBClient, name: string): Promise<void> {
  const full = tableDefinition(name);
  await client.send(
    new CreateTableCommand({
      ...full,
      AttributeDefinitions: full.AttributeDefinitions?.filter((a) => !a.AttributeName?.startsWith('gsi2')),
      GlobalSecondaryIndexes: full.GlobalSecondaryIndexes?.filter((i) => i.IndexName === TABLE.gsi1.indexName),
    }),
  );
  await waitUntilActive(client, name);
}

/** Items of an older hub's data: a resource, a live head (in gsi1), and 60 more to copy. */
async function seed(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new PutItemCommand({
      TableName: name,
      Item: { pk: { S: 'H#store-1' }, sk: { S: 'H' }, gsi1pk: { S: 'LEASE#3' }, gsi1sk: { S: 'store-1' }, v: { N: '4' } },
    }),
  );
  for (let i = 0; i < 60; i++) {
    await client.send(
      new PutItemCommand({
        TableName: name,
        Item: { pk: { S: 'R#Cluster#-' }, sk: { S: `c-${String(i).padStart(3, '0')}` }, v: { N: String(i) } },
      }),
    );
  }
}

async function count(client: DynamoDBClient, name: string): Promise<number> {
  let n = 0;
  let start: Record<string, never> | undefined;
  do {
    const out = await client.send(
      new ScanCommand({ TableName: name, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    n += out.Count ?? 0;
    start = out.LastEvaluatedKey as typeof start;
  } while (start);
  return n;
}

const event: ComplianceEvent = {
  id: 'e-1',
  time: '2026-03-01T10:00:00.000Z',
  cluster: 'store-1',
  policy: 'owner-label',
  compliance: 'NonCompliant',
  message: 'namespace pos has no owner label',
  violations: 1,
  standards: ['PCI DSS'],
  categories: [],
  controls: [],
  policyGeneration: 1,
  reportedBy: 'agent',
};

describe.each(DYNAMO_BACKENDS)('createTableIfMissing on $name', (backend) => {
  let server: DynamoServer;
  let client: DynamoDBClient;
  beforeAll(async () => {
    server = await backend.start();
    client = createTestDynamoClient(server.endpoint);
  }, 90_000);
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  }, 30_000);

  it('creates the table with gsi1 and gsi2, ACTIVE', async () => {
    await createTableIfMissing(client, 'fresh');
    const table = await describeTable(client, 'fresh');
    expect(table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.IndexStatus]).sort()).toEqual([
      ['gsi1', 'ACTIVE'],
      ['gsi2', 'ACTIVE'],
    ]);
    await createTableIfMissing(client, 'fresh');
  });

  it('adds gsi2 to a table of an older version, keeping every item and gsi1', async () => {
    await createOldTable(client, 'older');
    await seed(client, 'older');
    await createTableIfMissing(client, 'older');
    const table = await describeTable(client, 'older');
    expect(table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.IndexStatus]).sort()).toEqual([
      ['gsi1', 'ACTIVE'],
      ['gsi2', 'ACTIVE'],
    ]);
    expect(await count(client, 'older')).toBe(61);
    const live = await client.send(
      new QueryCommand({
        TableName: 'older',
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': { S: 'LEASE#3' } },
      }),
    );
    expect(live.Items?.map((i) => i.gsi1sk?.S)).toEqual(['store-1']);
    expect(await describeTable(client, rebuildTableName('older'))).toBeUndefined();
    // The history works on the upgraded table, by policy through gsi2 included.
    const { complianceHistory } = createDynamoPorts(client, 'older');
    await complianceHistory.append([event], 2_000_000_000);
    const q = { since: 0, until: Date.parse('2027-01-01'), direction: 'desc' as const, limit: 10 };
    expect((await complianceHistory.query({ ...q, policy: 'owner-label' })).items).toEqual([event]);
    expect((await complianceHistory.query({ ...q, standard: 'PCI DSS' })).items).toEqual([event]);
    await createTableIfMissing(client, 'older');
    expect(await count(client, 'older')).toBe(63);
  }, 60_000);

  it('finishes a rebuild that a previous process left half done', async () => {
    // The process stopped after dropping the old table: only the side table holds the items.
    await client.send(new CreateTableCommand(tableDefinition(rebuildTableName('halfway'))));
    await waitUntilActive(client, rebuildTableName('halfway'));
    await seed(client, rebuildTableName('halfway'));
    await createTableIfMissing(client, 'halfway');
    expect(await count(client, 'halfway')).toBe(61);
    expect(await describeTable(client, rebuildTableName('halfway'))).toBeUndefined();
    expect((await describeTable(client, 'halfway'))?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(['gsi1', 'gsi2']);
  }, 60_000);

  it('starts a rebuild again when the process stopped while copying out of the old table', async () => {
    await createOldTable(client, 'copying');
    await seed(client, 'copying');
    await client.send(new CreateTableCommand(tableDefinition(rebuildTableName('copying'))));
    await waitUntilActive(client, rebuildTableName('copying'));
    await createTableIfMissing(client, 'copying');
    expect(await count(client, 'copying')).toBe(61);
    expect(await describeTable(client, rebuildTableName('copying'))).toBeUndefined();
    expect((await describeTable(client, 'copying'))?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(['gsi1', 'gsi2']);
  }, 60_000);
});
