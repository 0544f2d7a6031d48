import { PutItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import type { HeartbeatLog } from '../../ports/heartbeat-log.js';
import { HEARTBEAT_BUCKET_MS, heartbeatKey, heartbeatPartition } from './keys.js';
import { keyAttrs, type RawItem } from './raw-item.js';
import { TABLE } from './table.js';

/** Default flush interval: the longest a heartbeat waits in a busy process's buffer. */
export const HEARTBEAT_FLUSH_INTERVAL_MS = 10_000;
/** The longest flush interval a deployment may set (TetherHub's `heartbeatFlushSeconds`), seconds. */
export const MAX_HEARTBEAT_FLUSH_SECONDS = 60;

/** Characters of encoded entries per item: well under DynamoDB's 400 KB item limit. */
export const HEARTBEAT_ITEM_CHARS = 64 * 1024;

export interface HeartbeatLogOptions {
  /** A process writes its buffer at most once per this interval (unless the buffer is large). */
  flushIntervalMs?: number;
  /** Buffered clusters that force a flush before the interval is over. */
  maxBuffered?: number;
  /** How long batches are kept (DynamoDB TTL; only clean-up, reads bound the window themselves). */
  retentionSeconds?: number;
  /** This process's writer id, part of every batch key (random by default). */
  writer?: string;
}

/**
 * {@link HeartbeatLog} on the single table. Each process buffers heartbeats in memory (one entry
 * per cluster, the latest time) and writes them when `record` finds the last flush at least a flush
 * interval ago, in items keyed `HB#{epoch minute}` / `{writer}#{seq}` that hold a compact string
 * `name:secondsBeforeBase,...` (see ./keys.ts). A heartbeat costs its ~15–30 bytes of that string:
 * one write unit (1 KB) carries dozens of clusters, where a write of each head would cost at least
 * one unit per cluster.
 */
export class DynamoHeartbeatLog implements HeartbeatLog {
  readonly lagMs: number;
  private readonly maxBuffered: number;
  private readonly retentionSeconds: number;
  private readonly writer: string;
  private buffer = new Map<string, number>();
  /** When the current flush interval began: the last flush, or the process's first heartbeat. */
  private intervalStart: number | undefined;
  private seq = 0;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    opts: HeartbeatLogOptions = {},
  ) {
    this.lagMs = opts.flushIntervalMs ?? HEARTBEAT_FLUSH_INTERVAL_MS;
    this.maxBuffered = opts.maxBuffered ?? 4000;
    this.retentionSeconds = opts.retentionSeconds ?? 3600;
    this.writer = opts.writer ?? randomUUID().replace(/-/g, '').slice(0, 12);
  }

  /**
   * Buffers; writes everything buffered (within this call) once a flush interval has passed since
   * the last flush (or since this process's first heartbeat), or when the buffer is large. A process
   * that serves a poll less often than once per interval so writes on every poll, its own included.
   */
  async record(cluster: string, now: number): Promise<void> {
    keepLatest(this.buffer, cluster, now);
    this.intervalStart ??= now;
    if (now - this.intervalStart >= this.lagMs || this.buffer.size >= this.maxBuffered) await this.write(now);
  }

  async flush(): Promise<void> {
    if (this.buffer.size > 0) await this.write(Math.max(...this.buffer.values()));
  }

  /**
   * Queries the minute partitions from `from` to `to` (a batch lands in the partition of its flush
   * time, never earlier than its entries), eventually consistent, and adds this process's buffer.
   */
  async read(from: number, to: number): Promise<Map<string, number>> {
    const seen = new Map<string, number>();
    const add = (cluster: string, at: number) => {
      if (at >= from && at <= to) keepLatest(seen, cluster, at);
    };
    const first = Math.floor(from / HEARTBEAT_BUCKET_MS);
    const last = Math.floor(to / HEARTBEAT_BUCKET_MS);
    const buckets = Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => heartbeatPartition((first + i) * HEARTBEAT_BUCKET_MS));
    const items = await Promise.all(buckets.map((pk) => this.queryAll(pk)));
    for (const item of items.flat()) decodeBatch(item, add);
    for (const [cluster, at] of this.buffer) add(cluster, at);
    return seen;
  }

  /** Takes the buffer and writes it; on failure puts it back (a later flush retries). */
  private async write(now: number): Promise<void> {
    const entries = [...this.buffer];
    this.buffer = new Map();
    this.intervalStart = now;
    const base = Math.floor(Math.max(now, ...entries.map(([, at]) => at)) / 1000);
    try {
      for (const e of splitEntries(entries, base)) {
        const key = heartbeatKey(base * 1000, this.writer, this.seq++);
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: {
              ...keyAttrs(key),
              base: { N: String(base) },
              e: { S: e },
              [TABLE.ttlAttribute]: { N: String(base + this.retentionSeconds) },
            },
          }),
        );
      }
    } catch (err) {
      for (const [cluster, at] of entries) keepLatest(this.buffer, cluster, at);
      throw err;
    }
  }

  /** Every batch of one partition, page after page (a page ends at 1 MB). */
  private async queryAll(pk: string, after?: RawItem): Promise<RawItem[]> {
    const query = { TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: pk } } };
    const out = await this.client.send(new QueryCommand({ ...query, ExclusiveStartKey: after }));
    const items = out.Items ?? [];
    return out.LastEvaluatedKey ? [...items, ...(await this.queryAll(pk, out.LastEvaluatedKey))] : items;
  }
}

function keepLatest(map: Map<string, number>, cluster: string, at: number): void {
  const prev = map.get(cluster);
  if (prev === undefined || at > prev) map.set(cluster, at);
}

/**
 * The entries as `name:offset` strings (offset = whole seconds before `base`, epoch seconds),
 * joined by commas, cut into pieces of at most {@link HEARTBEAT_ITEM_CHARS}. Names are DNS labels,
 * so neither separator can occur in them.
 */
export function splitEntries(entries: readonly (readonly [string, number])[], base: number, maxChars = HEARTBEAT_ITEM_CHARS): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const [cluster, at] of entries) {
    const entry = `${cluster}:${Math.max(0, base - Math.floor(at / 1000))}`;
    if (current && current.length + 1 + entry.length > maxChars) {
      pieces.push(current);
      current = '';
    }
    current = current ? `${current},${entry}` : entry;
  }
  if (current) pieces.push(current);
  return pieces;
}

/** Calls `add(cluster, epochMs)` for each entry of a stored batch; skips malformed entries. */
export function decodeBatch(item: RawItem, add: (cluster: string, at: number) => void): void {
  const base = Number(item.base?.N);
  const e = item.e?.S;
  if (!Number.isFinite(base) || !e) return;
  for (const entry of e.split(',')) {
    const sep = entry.lastIndexOf(':');
    const offset = Number(entry.slice(sep + 1));
    if (sep > 0 && Number.isInteger(offset)) add(entry.slice(0, sep), (base - offset) * 1000);
  }
}
