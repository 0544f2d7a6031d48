import type { HeartbeatLog } from '../../ports/heartbeat-log.js';
import { HEARTBEAT_FLUSH_INTERVAL_MS } from '../dynamodb/heartbeat-log.js';
import { HEARTBEAT_BUCKET_MS } from '../dynamodb/keys.js';

/** Tuning of {@link MemoryHeartbeatLog}; the same options and defaults as the table's log. */
export interface MemoryHeartbeatLogOptions {
  /** A process writes its buffer at most once per this interval (unless the buffer is large). */
  flushIntervalMs?: number;
  /** Buffered clusters that force a flush before the interval is over. */
  maxBuffered?: number;
}

/** What the processes' logs have written: the shared part (the table's heartbeat batches). */
export class MemoryHeartbeatBatches {
  /** Flush minute -> batches written in it, each `cluster -> epoch ms` rounded down to the second. */
  readonly byMinute = new Map<number, Map<string, number>[]>();
}

/**
 * {@link HeartbeatLog} in process memory. Each instance is one process: it buffers and flushes
 * exactly as the table's log does (a batch lands in the minute of its flush, times rounded down to
 * the second, the own buffer added to reads), into batches shared by all instances built on the
 * same {@link MemoryHeartbeatBatches}; so a test sees the same flush lag the expiry sweep allows for.
 */
export class MemoryHeartbeatLog implements HeartbeatLog {
  readonly lagMs: number;
  private readonly maxBuffered: number;
  private buffer = new Map<string, number>();
  private intervalStart: number | undefined;

  constructor(
    private readonly batches: MemoryHeartbeatBatches = new MemoryHeartbeatBatches(),
    opts: MemoryHeartbeatLogOptions = {},
  ) {
    this.lagMs = opts.flushIntervalMs ?? HEARTBEAT_FLUSH_INTERVAL_MS;
    this.maxBuffered = opts.maxBuffered ?? 4000;
  }

  async record(cluster: string, now: number): Promise<void> {
    keepLatest(this.buffer, cluster, now);
    this.intervalStart ??= now;
    if (now - this.intervalStart >= this.lagMs || this.buffer.size >= this.maxBuffered) this.write(now);
  }

  async flush(): Promise<void> {
    if (this.buffer.size > 0) this.write(Math.max(...this.buffer.values()));
  }

  async read(from: number, to: number): Promise<Map<string, number>> {
    const seen = new Map<string, number>();
    const add = (cluster: string, at: number) => {
      if (at >= from && at <= to) keepLatest(seen, cluster, at);
    };
    for (let minute = Math.floor(from / HEARTBEAT_BUCKET_MS); minute <= Math.floor(to / HEARTBEAT_BUCKET_MS); minute++) {
      for (const batch of this.batches.byMinute.get(minute) ?? []) for (const [cluster, at] of batch) add(cluster, at);
    }
    for (const [cluster, at] of this.buffer) add(cluster, at);
    return seen;
  }

  private write(now: number): void {
    const entries = [...this.buffer];
    this.buffer = new Map();
    this.intervalStart = now;
    const flushedAt = Math.max(now, ...entries.map(([, at]) => at));
    const minute = Math.floor(flushedAt / HEARTBEAT_BUCKET_MS);
    const batch = new Map(entries.map(([cluster, at]) => [cluster, Math.floor(at / 1000) * 1000]));
    const list = this.batches.byMinute.get(minute) ?? [];
    list.push(batch);
    this.batches.byMinute.set(minute, list);
  }
}

function keepLatest(map: Map<string, number>, cluster: string, at: number): void {
  const prev = map.get(cluster);
  if (prev === undefined || at > prev) map.set(cluster, at);
}
