import type { ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** What a client sent since the counter started or was last reset. */
export interface OperationSnapshot {
  /** Commands sent, by operation name (`GetItem`, `Query`, ...), failed ones included. */
  counts: Record<string, number>;
  /** Capacity units the server reported as consumed, by operation name. */
  capacity: Record<string, number>;
  /** Total number of commands sent. */
  total: number;
}

/** Live operation counts of one DynamoDB client; see {@link countOperations}. */
export interface OperationCounter {
  /** Live counts by operation name; the same object across resets. */
  readonly counts: Record<string, number>;
  /** Live consumed capacity units by operation name; the same object across resets. */
  readonly capacity: Record<string, number>;
  /** Sets every count back to zero. */
  reset(): void;
  /** A copy of the counts now. */
  snapshot(): OperationSnapshot;
  /** Removes the middleware from the client. */
  detach(): void;
}

/** Operations that accept `ReturnConsumedCapacity`. */
const REPORTS_CAPACITY = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);

let nextId = 0;

/**
 * Counts the commands a DynamoDB client sends, by operation, and the capacity they consume.
 *
 * It adds an SDK middleware that asks for `ReturnConsumedCapacity: TOTAL` where the caller did not
 * choose, so cost claims ("an idle poll is exactly one GetItem of 0.5 read units") can be measured
 * instead of asserted. Meant for tests, benchmarks and the local hub, not for production clients.
 *
 * @example
 * const ops = countOperations(client);
 * await heads.get('store-1');
 * ops.snapshot(); // { counts: { GetItem: 1 }, capacity: { GetItem: 0.5 }, total: 1 }
 */
export function countOperations(client: DynamoDBClient): OperationCounter {
  const counts: Record<string, number> = {};
  const capacity: Record<string, number> = {};
  const name = `tetherOperationCounter${nextId++}`;

  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      counts[operation] = (counts[operation] ?? 0) + 1;
      const input = args.input as { ReturnConsumedCapacity?: string };
      const request =
        REPORTS_CAPACITY.has(operation) && input.ReturnConsumedCapacity === undefined
          ? { ...args, input: { ...args.input, ReturnConsumedCapacity: 'TOTAL' } }
          : args;
      const result = await next(request);
      const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
      const units = [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      if (consumed !== undefined) capacity[operation] = (capacity[operation] ?? 0) + units;
      return result;
    },
    { step: 'initialize', name },
  );

  const clear = (record: Record<string, number>) => {
    for (const key of Object.keys(record)) delete record[key];
  };
  return {
    counts,
    capacity,
    reset() {
      clear(counts);
      clear(capacity);
    },
    snapshot() {
      return { counts: { ...counts }, capacity: { ...capacity }, total: Object.values(counts).reduce((a, b) => a + b, 0) };
    },
    detach() {
      client.middlewareStack.remove(name);
    },
  };
}
