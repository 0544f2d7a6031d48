import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AUDIT_SCAN_BUDGET, DynamoAuditStore } from '../../../lambdas/adapters/dynamodb/audit-store.js';
import { createTableIfMissing } from '../../../lambdas/adapters/dynamodb/index.js';
import { MemoryAuditStore } from '../../../lambdas/adapters/memory/audit-store.js';
import type { AuditQuery, AuditStore, LegacyAuditRecord } from '../../../lambdas/ports/audit-store.js';
import { auditKey, encodeCursor } from '../../../lambdas/adapters/dynamodb/keys.js';
import { AuditEventSchema, type AuditEvent } from '../../../shared/tenancy.js';
import { createTestDynamoClient, DYNAMO_BACKENDS, type DynamoServer } from '../../support/dynamo-servers.js';

/** The audit store on dynalite, DynamoDB Local and in memory: the same answers from each. */

const NOW = Date.parse('2026-12-05T12:00:00Z');
const HOUR = 3_600_000;

function ev(id: string, hoursAgo: number, extra: Partial<AuditEvent> = {}): AuditEvent {
  const at = new Date(NOW - hoursAgo * HOUR).toISOString();
  return AuditEventSchema.parse({
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Event',
    level: 'Metadata',
    auditID: id,
    stage: 'ResponseComplete',
    requestURI: '/v1/policies/pci',
    verb: 'patch',
    user: { username: 'token:alice', uid: 'alice', groups: [] },
    objectRef: { resource: 'policies', name: 'pci' },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: at,
    stageTimestamp: at,
    decision: { allowed: true, reason: 'binding/ops: allow' },
    ...extra,
  });
}

/** A record of the shape the trail stored before it took the Kubernetes shape, written raw. */
async function putLegacy(client: DynamoDBClient, table: string, r: LegacyAuditRecord): Promise<void> {
  const key = auditKey(r.time, r.id);
  await client.send(
    new PutItemCommand({
      TableName: table,
      Item: { pk: { S: key.pk }, sk: { S: key.sk }, r: { S: JSON.stringify(r) }, ttl: { N: String(Math.floor(NOW / 1000) + 86_400) } },
    }),
  );
}

async function all(store: AuditStore, q: AuditQuery): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.query({ ...q, cursor });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

const Q = { since: NOW - 72 * HOUR, until: NOW, limit: 100 };

/** The events every backend is tested with, ids prefixed per test so they do not mix. */
function sample(p: string): AuditEvent[] {
  return [
    ev(`${p}-1`, 1, { clusterSets: ['stores-east'] }),
    ev(`${p}-2`, 30, { verb: 'delete', objectRef: { resource: 'works', name: 'pos', namespace: 'store-1' }, clusterSets: ['stores-west'] }),
    ev(`${p}-3`, 50, {
      verb: 'create',
      user: { username: 'system:anonymous' },
      responseStatus: { code: 403 },
      decision: { allowed: false, reason: 'unknown token' },
      annotations: { 'tether.dev/count': '40' },
    }),
    ev(`${p}-4`, 2, {
      user: { username: 'bob@example.com', groups: ['ops'] },
      verb: 'control',
      objectRef: { resource: 'fleetdeployments', name: 'pos', subresource: 'pause' },
    }),
    ev(`${p}-5`, 24 * 400),
  ];
}

function storeCases(make: () => AuditStore, legacy?: (r: LegacyAuditRecord) => Promise<void>) {
  it('answers newest first across days, with every filter, in pages', async () => {
    const store = make();
    await store.append(sample('a'));
    const mine = (items: AuditEvent[]) => items.map((e) => e.auditID).filter((id) => id.startsWith('a-'));
    expect(mine(await all(store, Q))).toEqual(['a-1', 'a-4', 'a-2', 'a-3']);
    expect(mine(await all(store, { ...Q, user: 'bob@example.com' }))).toEqual(['a-4']);
    expect(mine(await all(store, { ...Q, verb: 'delete' }))).toEqual(['a-2']);
    expect(mine(await all(store, { ...Q, verb: 'del' }))).toEqual([]);
    expect(mine(await all(store, { ...Q, resource: 'works' }))).toEqual(['a-2']);
    expect(mine(await all(store, { ...Q, name: 'pos' }))).toEqual(['a-4', 'a-2']);
    expect(mine(await all(store, { ...Q, clusterSet: 'stores-east' }))).toEqual(['a-1']);
    expect(mine(await all(store, { ...Q, outcome: 'denied' }))).toEqual(['a-3']);
    expect(mine(await all(store, { ...Q, outcome: 'allowed', resource: 'policies' }))).toEqual(['a-1']);
    expect(mine(await all(store, { ...Q, since: NOW - 3 * HOUR }))).toEqual(['a-1', 'a-4']);
    expect(mine(await all(store, { ...Q, until: NOW - 10 * HOUR }))).toEqual(['a-2', 'a-3']);
    // Pages of one, following the cursor, give the same events in the same order.
    expect(mine(await all(store, { ...Q, limit: 1 }))).toEqual(['a-1', 'a-4', 'a-2', 'a-3']);
    // What comes back is what went in.
    const [first] = (await store.query({ ...Q, name: 'pci', clusterSet: 'stores-east' })).items;
    expect(first).toEqual(sample('a')[0]);
  });

  it('keeps one event when the same one is appended twice (idempotent per auditID)', async () => {
    const store = make();
    const e = ev('b-1', 5);
    await store.append([e]);
    await store.append([e]);
    expect((await all(store, Q)).filter((x) => x.auditID === 'b-1')).toHaveLength(1);
  });

  it('refuses a cursor that does not belong to the query', async () => {
    const store = make();
    const q = { since: NOW - HOUR, until: NOW, limit: 10 };
    await expect(store.query({ ...q, cursor: encodeCursor({ day: '1999-01-01', sk: '1999-01-01T00:00:00.000Z#x' }) })).rejects.toThrow(
      /invalid continue cursor/,
    );
    await expect(store.query({ ...q, cursor: 'not-a-cursor' })).rejects.toThrow(/invalid continue cursor/);
  });

  if (legacy) {
    it('shows records of the old shape, converted to audit events, and filters them like new ones', async () => {
      const store = make();
      await legacy({
        id: '0000000001-old',
        time: new Date(NOW - 4 * HOUR).toISOString(),
        action: 'cluster.accept',
        outcome: 'allowed',
        cluster: 'store-old',
        sourceIp: '198.51.100.7',
        count: 1,
      });
      await legacy({
        id: '0000000002-old',
        time: new Date(NOW - 3 * HOUR).toISOString(),
        firstTime: new Date(NOW - 4 * HOUR).toISOString(),
        action: 'admin.authenticate',
        outcome: 'denied',
        reason: 'unknown token',
        count: 12,
        details: { path: '/v1/works' },
      });
      const old = (await all(store, Q)).filter((e) => e.auditID.endsWith('-old'));
      for (const e of old) expect(AuditEventSchema.safeParse(e).success).toBe(true);
      expect(old.map((e) => [e.verb, e.user.username, e.objectRef?.name, e.responseStatus.code])).toEqual([
        ['admin.authenticate', 'system:anonymous', undefined, 403],
        ['cluster.accept', 'system:agent:store-old', 'store-old', 200],
      ]);
      expect(old[0]).toMatchObject({
        requestURI: '/v1/works',
        annotations: { 'tether.dev/count': '12', 'tether.dev/reason': 'unknown token' },
      });
      expect((await all(store, { ...Q, outcome: 'denied' })).filter((e) => e.auditID.endsWith('-old')).map((e) => e.verb)).toEqual([
        'admin.authenticate',
      ]);
      expect((await all(store, { ...Q, resource: 'clusters', name: 'store-old' })).map((e) => e.auditID)).toEqual(['0000000001-old']);
      expect((await all(store, { ...Q, verb: 'admin.' })).map((e) => e.auditID)).toEqual(['0000000002-old']);
    });
  }
}

describe('audit store in memory', () => {
  storeCases(() => new MemoryAuditStore());
});

describe.each(DYNAMO_BACKENDS)('audit store on $name', (backend) => {
  let server: DynamoServer;
  let client: DynamoDBClient;
  let n = 0;
  const table = () => `audit-${++n}`;
  let current = '';
  beforeAll(async () => {
    server = await backend.start();
    client = createTestDynamoClient(server.endpoint);
  }, 90_000);
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  const make = () => new DynamoAuditStore(client, current, 366, () => NOW);
  describe('cases', () => {
    beforeAll(async () => {
      current = table();
      await createTableIfMissing(client, current);
    }, 60_000);
    storeCases(make, (r) => putLegacy(client, current, r));
  });

  it('never reads past the retention, whatever the query asks for (TTL only cleans up)', async () => {
    current = table();
    await createTableIfMissing(client, current);
    const store = new DynamoAuditStore(client, current, 1, () => NOW);
    await store.append([ev('old-one', 36), ev('new-one', 3)]);
    const ids = (await all(store, Q)).map((e) => e.auditID);
    expect(ids).toEqual(['new-one']);
  }, 30_000);

  it('bounds the items one filtered page reads, and carries on from where it stopped', async () => {
    current = table();
    await createTableIfMissing(client, current);
    const budget = 300;
    const store = new DynamoAuditStore(client, current, 366, () => NOW, budget);
    const noise = Array.from({ length: budget + 150 }, (_, i) =>
      ev(`noise-${String(i).padStart(5, '0')}`, 1 + i / 10_000, { user: { username: 'token:ci' } }),
    );
    await store.append([ev('needle', 1.5, { user: { username: 'token:rare' } }), ...noise]);
    const first = await store.query({ ...Q, user: 'token:rare' });
    // The needle lies past the first page's budget: the page is empty but says where to go on.
    expect(first.items).toEqual([]);
    expect(first.cursor).toBeDefined();
    expect((await all(store, { ...Q, user: 'token:rare' })).map((e) => e.auditID)).toEqual(['needle']);
    // The default budget is what the documentation prices.
    expect(AUDIT_SCAN_BUDGET).toBe(2_000);
  }, 60_000);
});
