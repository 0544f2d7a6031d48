import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { countOperations, type OperationCounter } from '../../../lambdas/adapters/dynamodb/op-counter.js';
import { onDynamoClientCreated } from '../../../lambdas/handlers/compose.js';
import { joinedCluster, startTestHub, type TestHub } from './support.js';

/**
 * What an agent's poll costs in DynamoDB, measured on the hub's real client: an idle poll is one
 * GetItem and no write, and the lease is written at most once per lease duration.
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

  it('polls within one lease duration write the lease at most once', async () => {
    // Move to the moment the lease is due: the first poll renews, the rest of the period reads only.
    t.clock.advance(60);
    ops.reset();
    for (let i = 0; i < 10; i++) {
      const res = await t.agent('GET', '/agent/v1/desired', { token: cred, headers: { 'if-none-match': etag } });
      expect(res.status).toBe(304);
      t.clock.advance(5);
    }
    expect(ops.counts.GetItem).toBe(10);
    expect(ops.counts.UpdateItem).toBe(1);
    expect(writes()).toBe(1);
    expect(ops.capacity.UpdateItem).toBe(1);
    // The renewal was of a live lease: no availability step was needed.
    await t.hub.settle();
  });

  it('a 200 answer reads the head and queries the cluster\'s works, and writes nothing', async () => {
    ops.reset();
    const res = await t.agent('GET', '/agent/v1/desired', { token: cred });
    expect(res.status).toBe(200);
    expect(ops.snapshot().counts).toEqual({ GetItem: 1, Query: 1 });
  });
});
