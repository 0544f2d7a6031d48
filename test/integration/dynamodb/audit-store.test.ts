import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoAuditStore } from '../../../lambdas/adapters/dynamodb/audit-store.js';
import { createTableIfMissing } from '../../../lambdas/adapters/dynamodb/index.js';
import { MemoryAuditStore } from '../../../lambdas/adapters/memory/audit-store.js';
import type { AuditRecord, AuditStore } from '../../../lambdas/ports/audit-store.js';
import { encodeCursor } from '../../../lambdas/adapters/dynamodb/keys.js';
import { createTestDynamoClient, startDynaliteServer, type DynamoServer } from '../../support/dynamo-servers.js';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const HOUR = 3_600_000;

function rec(i: number, hoursAgo: number, extra: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: `id-${String(i).padStart(4, '0')}`,
    time: new Date(NOW - hoursAgo * HOUR).toISOString(),
    action: 'cluster.accept',
    outcome: 'allowed',
    count: 1,
    ...extra,
  };
}

let server: DynamoServer;
let client: DynamoDBClient;
beforeAll(async () => {
  server = await startDynaliteServer();
  client = createTestDynamoClient(server.endpoint);
  await createTableIfMissing(client, 'audit');
}, 60_000);
afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

const backends: [string, () => AuditStore][] = [
  ['dynalite', () => new DynamoAuditStore(client, 'audit', 366, () => NOW)],
  ['memory', () => new MemoryAuditStore()],
];

describe.each(backends)('audit store on %s', (name, make) => {
  it('answers newest first across days, filtered by action prefix, outcome and cluster, in pages', async () => {
    const store = make();
    const records = [
      rec(1, 1, { cluster: 'store-1' }),
      rec(2, 30, { action: 'cluster.deny', cluster: 'store-2' }),
      rec(3, 50, { action: 'admin.authenticate', outcome: 'denied', count: 40, firstTime: new Date(NOW - 51 * HOUR).toISOString() }),
      rec(4, 2, { action: 'fleetdeployment.pause', details: { fleetDeployment: 'pos' } }),
      rec(5, 24 * 400, { action: 'cluster.accept' }),
    ].map((r) => ({ ...r, id: `${name}-${r.id}` }));
    await store.append(records);
    const q = { since: NOW - 72 * HOUR, until: NOW, limit: 100 };
    const all = (await store.query(q)).items.filter((r) => r.id.startsWith(name));
    expect(all.map((r) => r.id.slice(name.length + 1))).toEqual(['id-0001', 'id-0004', 'id-0002', 'id-0003']);
    expect((await store.query({ ...q, action: 'cluster.' })).items.filter((r) => r.id.startsWith(name)).map((r) => r.action)).toEqual([
      'cluster.accept',
      'cluster.deny',
    ]);
    expect((await store.query({ ...q, outcome: 'denied' })).items.filter((r) => r.id.startsWith(name)).map((r) => r.count)).toEqual([40]);
    expect((await store.query({ ...q, cluster: 'store-2' })).items.filter((r) => r.id.startsWith(name)).map((r) => r.action)).toEqual([
      'cluster.deny',
    ]);
    // Pages of one, following the cursor, give the same records in the same order.
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.query({ ...q, limit: 1, cursor });
      paged.push(...page.items.map((r) => r.id));
      cursor = page.cursor;
    } while (cursor);
    expect(paged.filter((id) => id.startsWith(name))).toEqual(all.map((r) => r.id));
  });

  it('refuses a cursor that does not belong to the query', async () => {
    const store = make();
    const q = { since: NOW - HOUR, until: NOW, limit: 10 };
    await expect(store.query({ ...q, cursor: encodeCursor({ day: '1999-01-01', sk: '1999-01-01T00:00:00.000Z#x' }) })).rejects.toThrow(
      /invalid continue cursor/,
    );
    await expect(store.query({ ...q, cursor: 'not-a-cursor' })).rejects.toThrow(/invalid continue cursor/);
  });
});

describe('audit store retention on dynalite', () => {
  it('skips records older than the retention, whatever the query asks for', async () => {
    const store = new DynamoAuditStore(client, 'audit', 1, () => NOW);
    await store.append([rec(9001, 36, { id: 'old-one' }), rec(9002, 3, { id: 'new-one' })]);
    const ids = (await store.query({ since: NOW - 72 * HOUR, until: NOW, limit: 100 })).items.map((r) => r.id);
    expect(ids).toContain('new-one');
    expect(ids).not.toContain('old-one');
  });
});
