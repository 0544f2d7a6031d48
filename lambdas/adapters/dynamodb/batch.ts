import { BatchGetItemCommand, BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { TetherError } from '../../../shared/errors.js';
import { backoffDelay } from '../../../shared/backoff.js';
import { pMap } from '../../../shared/concurrency.js';
import type { RawItem } from './raw-item.js';

/**
 * Batched reads and writes of many single items, for the fleet-wide paths (fan-out, placement):
 * BatchGetItem takes up to {@link BATCH_GET_MAX} keys per request, BatchWriteItem up to
 * {@link BATCH_WRITE_MAX} puts or deletes. Neither is atomic and either may hand part of the
 * request back (UnprocessedKeys / UnprocessedItems: throttling, or the 16 MB answer limit of
 * BatchGetItem); what comes back is sent again after a short exponential backoff with jitter.
 * After {@link BATCH_MAX_ROUNDS} rounds in a row that process nothing the call fails (the queued
 * step that called it is retried as a whole, and every caller's writes are idempotent).
 *
 * Only unconditional writes go through here: BatchWriteItem has no condition expressions.
 */

/** Keys per BatchGetItem request (the service limit). */
export const BATCH_GET_MAX = 100;
/** Put or delete requests per BatchWriteItem request (the service limit). */
export const BATCH_WRITE_MAX = 25;
/** Rounds in a row without progress (first request included) before the call fails. */
export const BATCH_MAX_ROUNDS = 8;
/** Requests of one call in flight at a time. */
export const BATCH_CONCURRENCY = 4;

/** How unprocessed work is retried; tests shorten the delays. */
export interface BatchRetry {
  maxRounds: number;
  /** First backoff, ms; doubles with each round that made no progress, capped at `maxDelayMs`, with full jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<unknown>;
}

export const DEFAULT_BATCH_RETRY: BatchRetry = { maxRounds: BATCH_MAX_ROUNDS, baseDelayMs: 25, maxDelayMs: 1000, sleep: (ms) => sleep(ms) };

/** Thrown when a batch still has unprocessed keys or items after every round. */
export class BatchIncompleteError extends TetherError {
  // 503: DynamoDB kept handing work back (throttling): the table is busy, not the request wrong,
  // and every caller's writes are idempotent, so retrying later is the cure.
  static override readonly status = 503;
  static override readonly title = 'Database busy';
  readonly code = 'batch-incomplete';
  constructor(
    readonly operation: 'BatchGetItem' | 'BatchWriteItem',
    readonly unprocessed: number,
    rounds: number,
  ) {
    super(`${operation}: ${unprocessed} keys or items still unprocessed after ${rounds} rounds (throttled); the caller retries`);
  }
}

/** `pk`/`sk` of a raw key or item as one string, for dedupe and lookups. */
export function keyString(item: RawItem): string {
  return `${item.pk?.S ?? ''}\u0000${item.sk?.S ?? ''}`;
}

/**
 * Sends `items` in requests of `size`, {@link BATCH_CONCURRENCY} requests at a time, each one
 * continued until processed (see {@link untilProcessed}).
 */
async function sendAll<T>(
  operation: BatchIncompleteError['operation'],
  items: readonly T[],
  size: number,
  retry: BatchRetry | undefined,
  send: (part: T[]) => Promise<T[]>,
): Promise<void> {
  const parts: T[][] = [];
  for (let at = 0; at < items.length; at += size) parts.push(items.slice(at, at + size));
  await pMap(parts, (part) => untilProcessed(operation, part, send, retry ?? DEFAULT_BATCH_RETRY), { concurrency: BATCH_CONCURRENCY });
}

function backoff(retry: BatchRetry, round: number): number {
  return backoffDelay(round, { baseMs: retry.baseDelayMs, capMs: retry.maxDelayMs, jitter: 'full' }, Math.random);
}

/**
 * Sends one batch, then what comes back unprocessed, until nothing is left. `send` returns the
 * part of its input it did not process (empty when done). Only rounds that process nothing count
 * against `maxRounds` and grow the backoff: an answer cut at the size limit (16 MB on DynamoDB,
 * about 1.4 MB on dynalite) makes progress every round and is simply continued.
 */
async function untilProcessed<T>(
  operation: BatchIncompleteError['operation'],
  first: T[],
  send: (part: T[]) => Promise<T[]>,
  retry: BatchRetry,
): Promise<void> {
  let pending = await send(first);
  let stalled = 0;
  let rounds = 1;
  while (pending.length > 0) {
    if (stalled + 1 >= retry.maxRounds) throw new BatchIncompleteError(operation, pending.length, rounds);
    await retry.sleep(backoff(retry, stalled));
    const before = pending.length;
    pending = await send(pending);
    rounds++;
    stalled = pending.length < before ? 0 : stalled + 1;
  }
}

/**
 * Reads items by key with BatchGetItem. Duplicate keys are read once. Returns the items found by
 * {@link keyString}; a key without an item is absent.
 */
export async function batchGet(
  client: DynamoDBClient,
  table: string,
  keys: readonly RawItem[],
  opts: { consistent?: boolean; retry?: BatchRetry } = {},
): Promise<Map<string, RawItem>> {
  const unique = new Map<string, RawItem>();
  for (const k of keys) unique.set(keyString(k), { pk: k.pk, sk: k.sk });
  const found = new Map<string, RawItem>();
  await sendAll('BatchGetItem', [...unique.values()], BATCH_GET_MAX, opts.retry, async (pending) => {
    const out = await client.send(
      new BatchGetItemCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: opts.consistent ?? false } } }),
    );
    for (const item of out.Responses?.[table] ?? []) found.set(keyString(item), item);
    return out.UnprocessedKeys?.[table]?.Keys ?? [];
  });
  return found;
}

/**
 * Puts and deletes items with BatchWriteItem (unconditional, so only for idempotent writes). A key
 * given more than once is written once, with its last request (one request may not name a key
 * twice).
 */
export async function batchWrite(
  client: DynamoDBClient,
  table: string,
  requests: readonly WriteRequest[],
  opts: { retry?: BatchRetry } = {},
): Promise<void> {
  const unique = new Map<string, WriteRequest>();
  for (const r of requests) {
    const key = r.PutRequest?.Item ?? r.DeleteRequest?.Key;
    if (!key) throw new Error('batchWrite: every request needs a PutRequest item or a DeleteRequest key');
    unique.set(keyString(key), r);
  }
  await sendAll('BatchWriteItem', [...unique.values()], BATCH_WRITE_MAX, opts.retry, async (pending) => {
    const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
    return out.UnprocessedItems?.[table] ?? [];
  });
}
