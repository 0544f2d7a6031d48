/** One `from -> to` item of a relation, for the batch methods. */
export interface RelationItem {
  relation: string;
  from: string;
  to: string;
  data?: Record<string, string | number | boolean>;
}

/**
 * Small index items that relate one object to many, so that fleet-wide questions are answered by a
 * query on one key instead of a scan: ClusterSet members, Placement decisions, works of a cluster.
 *
 * Every write is idempotent (put and delete of one item), so a duplicate or late queue message is
 * harmless.
 */
export interface RelationStore {
  /** Adds or overwrites `from -> to` in `relation`, with optional small data. */
  put(relation: string, from: string, to: string, data?: Record<string, string | number | boolean>): Promise<void>;
  remove(relation: string, from: string, to: string): Promise<void>;
  /**
   * Many puts in few round trips, each as {@link put} would do it (not atomic: after a failure,
   * any subset may be written; callers repeat the whole call). An item named twice is written once,
   * with its last data.
   */
  putMany(items: readonly RelationItem[]): Promise<void>;
  /** Many removes in few round trips, each as {@link remove}; not atomic either. */
  removeMany(items: readonly Omit<RelationItem, 'data'>[]): Promise<void>;
  /** Targets of `from` in name order, paged. */
  list(
    relation: string,
    from: string,
    opts: { limit: number; cursor?: string },
  ): Promise<{ items: { to: string; data?: Record<string, string | number | boolean> }[]; cursor?: string }>;
  /** Number of targets of `from`. */
  count(relation: string, from: string): Promise<number>;
}
