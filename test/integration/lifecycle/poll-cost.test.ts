import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { countOperations, type OperationCounter } from '../../../lambdas/adapters/dynamodb/op-counter.js';
import { HEARTBEAT_FLUSH_INTERVAL_MS } from '../../../lambdas/adapters/dynamodb/heartbeat-log.js';
import { onDynamoClientCreated } from '../../../lambdas/handlers/compose.js';
import { joinedCluster, startTestHub, type TestHub } from './support.js';

/**
 * What an agent's poll costs in DynamoDB, measured on the hub's real client: an idle poll is one
 * GetItem and no write to the head; the lease is written only on the transition to live, and the
 * heartbeat log writes at most one batch per flush interval per process, however many polls.
 */

let t: TestHub;
let ops: OperationCounter;
let cred = '';
let etag = '';
const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'];

const writes = () => WRITES.reduce((n, op) => n + (ops.counts[op] ?? 0), 0);

beforeAll(async () => {
  const clients: DynamoDBClient[] = [];
  const remove = onDynamoClientCreated((c) => clients.push(c));
  try {
    t = await startTestHub();
  } finally {
    remove();
  }
  expect(clients).toHaveLength(1);
  ops = countOperations(clients[0]);
  cred = await joinedCluster(t, 'cost-1');
  const first = await t.agent('GET', '/agent/v1/desired', { token: cred });
  expect(first.status).toBe(200);
  etag = first.headers.get('etag') ?? '';
  await t.hub.settle();
}, 60_000);

afterAll(async () => {
  ops?.detach();
  await t?.close();
}, 30_000);

describe('poll cost', () => {
  it('an idle poll is exactly one GetItem and no write', async () => {
    ops.reset();
    const res = await t.agent('GET', '/agent/v1/desired', { token: cred, headers: { 'if-none-match': etag } });
    expect(res.status).toBe(304);
    const snap = ops.snapshot();
    expect(snap.counts).toEqual({ GetItem: 1 });
    expect(writes()).toBe(0);
    // dynalite reports capacity as DynamoDB does: an eventually consistent read of a small item.
    expect(snap.capacity).toEqual({ GetItem: 0.5 });
  });

  it('polls of a live cluster never write its head; the heartbeat log writes at most one batch per flush interval', async () => {
    const interval = HEARTBEAT_FLUSH_INTERVAL_MS / 1000;
    // A flush interval after the first heartbeat, the next poll writes the buffered batch; the
    // rest of the interval reads only, and so on: 30 polls one second apart, 3 batches.
    t.clock.advance(interval);
    ops.reset();
    for (let i = 0; i < 3 * interval; i++) {
      const res = await t.agent('GET', '/agent/v1/desired', { token: cred, headers: { 'if-none-match': etag } });
      expect(res.status).toBe(304);
      if (i < 3 * interval - 1) t.clock.advance(1);
    }
    expect(ops.counts).toEqual({ GetItem: 3 * interval, PutItem: 3 });
    expect(writes()).toBe(3);
    // One cluster's batch is one small item: 1 write unit.
    expect(ops.capacity.PutItem).toBe(3);
    // The lease was live throughout: no transition, so no availability step.
    await t.hub.settle();
    const head = await t.hub.ctx.ports.heads.get('cost-1', { consistent: true });
    expect(head?.leaseRenewedAt).toBeDefined();
  });

  it("a 200 answer reads the head and queries the cluster's works, its policies, the inventory exports and its sync rules, and writes nothing", async () => {
    ops.reset();
    const res = await t.agent('GET', '/agent/v1/desired', { token: cred });
    expect(res.status).toBe(200);
    // One Query of the works, one of the cluster's policy relation (none: no policy or record read),
    // one of the ClusterInventoryExports (none: no record or decision read), and two of resource
    // sync's relations: the rules this cluster is a source of, and the rules it receives (none: no
    // rule or object read).
    expect(ops.snapshot().counts).toEqual({ GetItem: 1, Query: 5 });
  });
});
