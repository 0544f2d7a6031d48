import { describe, expect, it, jest } from '@jest/globals';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchIncompleteError, batchGet, batchWrite, keyString, type BatchRetry } from '../../../lambdas/adapters/dynamodb/batch.js';
import type { RawItem } from '../../../lambdas/adapters/dynamodb/raw-item.js';

/**
 * The retry loop of the batch helpers, against a scripted client: real servers hand back
 * UnprocessedKeys / UnprocessedItems only under throttling (or over 16 MB), which tests cannot
 * provoke at will. What the servers do with the requests is covered in test/integration/dynamodb.
 */

const key = (n: number): RawItem => ({ pk: { S: 'R#Cluster#-' }, sk: { S: `c-${n}` } });
const TABLE = 't';

/** A client whose `send` records each command's input and answers with the next scripted function. */
function scripted(answer: (input: Record<string, unknown>, call: number) => unknown) {
  const inputs: Record<string, unknown>[] = [];
  const client = {
    send: async (command: { input: Record<string, unknown> }) => {
      inputs.push(command.input);
      return answer(command.input, inputs.length - 1);
    },
  } as unknown as DynamoDBClient;
  return { client, inputs };
}

function fastRetry(maxRounds = 4): BatchRetry & { delays: number[] } {
  const delays: number[] = [];
  return { maxRounds, baseDelayMs: 10, maxDelayMs: 40, delays, sleep: async (ms) => void delays.push(ms) };
}

type GetInput = { RequestItems: Record<string, { Keys: RawItem[]; ConsistentRead?: boolean }> };
type WriteInput = { RequestItems: Record<string, { PutRequest?: { Item: RawItem } }[]> };

describe('batchGet', () => {
  it('asks again for unprocessed keys until all are read; rounds that make progress wait only the base delay', async () => {
    const { client, inputs } = scripted((input, call) => {
      const keys = (input as GetInput).RequestItems[TABLE].Keys;
      // Each answer processes only the first key and hands the rest back.
      const [first, ...rest] = keys;
      return {
        Responses: { [TABLE]: [{ ...first, body: { S: `read in call ${call}` } }] },
        UnprocessedKeys: rest.length ? { [TABLE]: { Keys: rest } } : {},
      };
    });
    const retry = fastRetry(5);
    const found = await batchGet(client, TABLE, [key(1), key(2), key(3), key(2)], { consistent: true, retry });
    expect([...found.keys()]).toEqual([key(1), key(2), key(3)].map(keyString));
    expect(found.get(keyString(key(3)))?.body).toEqual({ S: 'read in call 2' });
    expect(inputs.map((i) => (i as GetInput).RequestItems[TABLE].Keys.length)).toEqual([3, 2, 1]);
    expect(inputs.every((i) => (i as GetInput).RequestItems[TABLE].ConsistentRead === true)).toBe(true);
    expect(retry.delays).toHaveLength(2);
    expect(Math.max(...retry.delays)).toBeLessThanOrEqual(10);
  });

  it('fails after maxRounds in a row without progress, backing off more each time', async () => {
    const { client, inputs } = scripted((input) => ({
      Responses: { [TABLE]: [] },
      UnprocessedKeys: { [TABLE]: { Keys: (input as GetInput).RequestItems[TABLE].Keys } },
    }));
    const retry = fastRetry(4);
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.999);
    try {
      const err = await batchGet(client, TABLE, [key(1), key(2)], { retry }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BatchIncompleteError);
      expect(err).toMatchObject({ operation: 'BatchGetItem', unprocessed: 2 });
    } finally {
      random.mockRestore();
    }
    expect(inputs).toHaveLength(4);
    // 10, 20, 40 ms (times the jitter), capped at 40.
    expect(retry.delays.map(Math.round)).toEqual([10, 20, 40]);
  });

  it('splits 250 keys into requests of at most 100', async () => {
    const { client, inputs } = scripted((input) => ({ Responses: { [TABLE]: (input as GetInput).RequestItems[TABLE].Keys } }));
    const found = await batchGet(
      client,
      TABLE,
      Array.from({ length: 250 }, (_, i) => key(i)),
      { retry: fastRetry() },
    );
    expect(found.size).toBe(250);
    expect(inputs.map((i) => (i as GetInput).RequestItems[TABLE].Keys.length)).toEqual([100, 100, 50]);
  });
});

describe('batchWrite', () => {
  it('writes 60 requests as 25 + 25 + 10, resends unprocessed items, and names each key once', async () => {
    let throttled = false;
    const { client, inputs } = scripted((input) => {
      const requests = (input as WriteInput).RequestItems[TABLE];
      if (!throttled && requests.length === 25) {
        throttled = true;
        return { UnprocessedItems: { [TABLE]: requests.slice(20) } };
      }
      return { UnprocessedItems: {} };
    });
    const requests = Array.from({ length: 60 }, (_, i) => ({ PutRequest: { Item: { ...key(i), data: { N: String(i) } } } }));
    const retry = fastRetry();
    await batchWrite(client, TABLE, [...requests, { PutRequest: { Item: { ...key(0), data: { N: '100' } } } }], { retry });
    const sizes = inputs.map((i) => (i as WriteInput).RequestItems[TABLE].length);
    expect(sizes.sort((a, b) => a - b)).toEqual([5, 10, 25, 25]);
    const firstRequest = (inputs[0] as WriteInput).RequestItems[TABLE];
    // The repeated key keeps its position and carries the last data.
    expect(firstRequest[0].PutRequest?.Item.data).toEqual({ N: '100' });
    expect(retry.delays).toHaveLength(1);
  });

  it('fails after maxRounds when items stay unprocessed, and refuses a request without a key', async () => {
    const { client } = scripted((input) => ({ UnprocessedItems: { [TABLE]: (input as WriteInput).RequestItems[TABLE] } }));
    await expect(batchWrite(client, TABLE, [{ DeleteRequest: { Key: key(1) } }], { retry: fastRetry(2) })).rejects.toMatchObject({
      name: 'BatchIncompleteError',
      operation: 'BatchWriteItem',
      unprocessed: 1,
    });
    await expect(batchWrite(client, TABLE, [{}], { retry: fastRetry(2) })).rejects.toThrow(/PutRequest item or a DeleteRequest key/);
  });
});
