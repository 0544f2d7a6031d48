/**
 * The agents' heartbeats, batched: liveness that costs almost nothing per poll.
 *
 * A poll of a cluster that holds a lease writes nothing to its head; it only records a heartbeat
 * here. An implementation buffers heartbeats in the process (one Lambda instance) and writes them
 * in batches, many clusters per item, so that one write unit carries dozens of heartbeats. The
 * scheduler's expiry sweep reads the log once per tick for the whole fleet.
 *
 * A batch lost with its process (a recycled Lambda instance) only loses the heartbeats of the
 * last flush interval; the expiry rule allows three lease durations plus {@link HeartbeatLog.lagMs}.
 */
export interface HeartbeatLog {
  /**
   * Notes that `cluster` polled at `now` (epoch ms). Writes only when a flush is due (see
   * {@link HeartbeatLog.lagMs}); the write happens within this call, because a Lambda instance is
   * frozen once its handler returns.
   */
  record(cluster: string, now: number): Promise<void>;
  /** Writes whatever is buffered now (on shutdown, or before reading in tests). */
  flush(): Promise<void>;
  /**
   * The latest heartbeat of each cluster recorded in `[from, to]` (epoch ms), including those this
   * process still buffers. Times are rounded down to whole seconds. Eventually consistent.
   */
  read(from: number, to: number): Promise<Map<string, number>>;
  /**
   * How long a recorded heartbeat may stay buffered in a process that keeps serving polls: the
   * flush interval. The expiry sweep adds it to the grace period so that a live cluster is never
   * expired because its last heartbeats are still in a buffer.
   */
  readonly lagMs: number;
}
