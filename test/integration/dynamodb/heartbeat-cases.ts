import { DeleteTableCommand, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createTableIfMissing, DynamoHeartbeatLog, HEARTBEAT_FLUSH_INTERVAL_MS } from '../../../lambdas/adapters/dynamodb/index.js';
import { decodeBatch, splitEntries } from '../../../lambdas/adapters/dynamodb/heartbeat-log.js';
import { heartbeatPartition } from '../../../lambdas/adapters/dynamodb/keys.js';
import type { OperationCounter } from '../../../lambdas/adapters/dynamodb/op-counter.js';
import { countOperationsOf, numbered, range, type BackendContext } from './harness.js';

const T0 = 1_800_000_000_000; // a whole minute
const FLUSH = HEARTBEAT_FLUSH_INTERVAL_MS;

/**
 * The HeartbeatLog cases, run against each backend. The batches' items, and the failure of a write
 * to the table, are the table's own: those cases run on DynamoDB backends only (not registered elsewhere).
 */
export function heartbeatLogCases(ctx: BackendContext): void {
  // Not registered at all on other backends: a table-only case does not apply there (nothing is skipped).
  const tableOnly = ctx.isDynamo ? it : () => undefined;
  describe('HeartbeatLog', () => {
    let table: string;
    let ops: OperationCounter | undefined;
    beforeEach(async () => {
      ({ table } = await ctx.freshTable());
      ops = countOperationsOf(ctx);
    });
    afterEach(() => ops?.detach());

    const batches = async (at: number) =>
      (
        await ctx.client.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :p',
            ExpressionAttributeValues: { ':p': { S: heartbeatPartition(at) } },
            ConsistentRead: true,
          }),
        )
      ).Items ?? [];

    tableOnly('writes at most one batch per flush interval per process, however many polls it records', async () => {
      const counted = ops as OperationCounter;
      const log = new DynamoHeartbeatLog(ctx.client, table, { writer: 'w1' });
      // A process's first heartbeat starts its flush interval; 300 polls of 100 clusters within
      // that interval write nothing, all buffered.
      await log.record('store-first', T0);
      for (let i = 0; i < 300; i++) await log.record(numbered('store', i % 100), T0 + Math.floor((i * (FLUSH - 1)) / 300));
      expect(counted.snapshot().total).toBe(0);
      // The first record once the interval is over writes everything in one small item.
      await log.record('store-late', T0 + FLUSH);
      expect(counted.counts).toEqual({ PutItem: 1 });
      // And the next interval starts then: a poll just before its end writes nothing.
      await log.record('store-000', T0 + 2 * FLUSH - 1);
      expect(counted.counts).toEqual({ PutItem: 1 });
      const items = await batches(T0);
      expect(items).toHaveLength(1);
      const last = items.find((item) => item.sk.S === 'w1#00000000');
      expect(last?.base.N).toBe(String((T0 + FLUSH) / 1000));
      expect(Number(last?.ttl.N)).toBe((T0 + FLUSH) / 1000 + 3600);
      const decoded = new Map<string, number>();
      decodeBatch(last ?? {}, (c, at) => decoded.set(c, at));
      expect(decoded.size).toBe(102);
      // One entry per cluster, the latest time, rounded down to the second.
      expect(decoded.get('store-099')).toBe(Math.floor((T0 + Math.floor((299 * (FLUSH - 1)) / 300)) / 1000) * 1000);
      // ~20 bytes per heartbeat: a hundred clusters fit in a few write units.
      expect(last?.e.S?.length).toBeLessThan(102 * 20);
    });

    it('reads the latest heartbeat per cluster in a window, across minutes and writers, with its own buffer', async () => {
      const a = ctx.heartbeatLog(table, { writer: 'a' });
      const b = ctx.heartbeatLog(table, { writer: 'b' });
      await a.record('x', T0 - 80_000); // buffered in a
      await a.record('x', T0 - 70_000); // flushed (interval over), previous minute
      await b.record('y', T0 - 5_000); // buffered in b
      await b.record('x', T0 + 5_000); // flushed, minute T0
      await b.record('y', T0 + 6_000); // buffered in b
      await a.record('y', T0 + 59_000); // flushed (interval over), minute T0
      await a.record('z', T0 + 61_000); // buffered in a

      const fromA = await a.read(T0 - 120_000, T0 + 61_000);
      expect(Object.fromEntries(fromA)).toEqual({ x: T0 + 5_000, y: T0 + 59_000, z: T0 + 61_000 });
      // Another process sees only what was written.
      const fromB = await b.read(T0 - 120_000, T0 + 61_000);
      expect(Object.fromEntries(fromB)).toEqual({ x: T0 + 5_000, y: T0 + 59_000 });
      // The window bounds both ends.
      expect(Object.fromEntries(await b.read(T0 - 120_000, T0))).toEqual({ x: T0 - 70_000, y: T0 - 5_000 });
      expect(Object.fromEntries(await b.read(T0 + 10_000, T0 + 61_000))).toEqual({ y: T0 + 59_000 });
      // flush() writes the buffer now.
      await a.flush();
      expect((await b.read(T0, T0 + 120_000)).get('z')).toBe(T0 + 61_000);
    });

    it('splits a large buffer into several items well under the item limit', async () => {
      const log = ctx.heartbeatLog(table, { writer: 'big', maxBuffered: 10_000 });
      await log.record('first', T0);
      const names = range(6000).map((i) => numbered('cluster-with-a-long-name', i));
      for (const name of names) await log.record(name, T0 + 1000);
      ops?.reset();
      await log.flush();
      if (ops) {
        const written = ops.counts.PutItem;
        expect(written).toBeGreaterThan(1);
        const items = await batches(T0);
        for (const item of items) expect(item.e.S?.length ?? 0).toBeLessThanOrEqual(64 * 1024);
      }
      const seen = await ctx.heartbeatLog(table).read(T0, T0 + 1000);
      expect(seen.size).toBe(6001);
    }, 60_000);

    tableOnly('keeps the buffer when a flush fails, and writes it on the next one', async () => {
      const missing = `${table}-later`;
      const log = new DynamoHeartbeatLog(ctx.client, missing, { writer: 'w' });
      await log.record('kept', T0 - FLUSH);
      await expect(log.record('kept', T0)).rejects.toThrow();
      await createTableIfMissing(ctx.client, missing);
      try {
        await log.record('also', T0 + FLUSH);
        const item = await ctx.client.send(
          new GetItemCommand({
            TableName: missing,
            Key: { pk: { S: heartbeatPartition(T0) }, sk: { S: 'w#00000001' } },
            ConsistentRead: true,
          }),
        );
        const decoded = new Map<string, number>();
        decodeBatch(item.Item ?? {}, (c, at) => decoded.set(c, at));
        expect(Object.fromEntries(decoded)).toEqual({ kept: T0, also: T0 + FLUSH });
      } finally {
        await ctx.client.send(new DeleteTableCommand({ TableName: missing }));
      }
    });
  });

  describe('heartbeat batch encoding', () => {
    it('round-trips entries as seconds before the base, cut at the size limit', () => {
      const entries = range(50).map((i) => [numbered('c', i), T0 - i * 1500] as const);
      const pieces = splitEntries(entries, T0 / 1000, 100);
      expect(pieces.length).toBeGreaterThan(3);
      expect(pieces.every((p) => p.length <= 100)).toBe(true);
      const decoded = new Map<string, number>();
      for (const e of pieces) decodeBatch({ base: { N: String(T0 / 1000) }, e: { S: e } }, (c, at) => decoded.set(c, at));
      expect(decoded.size).toBe(50);
      for (const [name, at] of entries) expect(decoded.get(name)).toBe(Math.floor(at / 1000) * 1000);
      // Malformed entries are skipped, not fatal.
      const odd = new Map<string, number>();
      decodeBatch({ base: { N: '100' }, e: { S: 'ok:5,bad,:3,x:y' } }, (c, at) => odd.set(c, at));
      expect(Object.fromEntries(odd)).toEqual({ ok: 95_000 });
    });
  });
}
