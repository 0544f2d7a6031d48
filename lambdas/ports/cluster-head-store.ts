/**
 * The small per-cluster head item (< 1 KB) read on every agent poll.
 *
 * An idle poll is exactly one eventually consistent GetItem of this item and writes nothing to it:
 * the head changes only on transitions (join, lease gained or dropped, revision bumps). A poll
 * while the lease is held records a heartbeat in the batched heartbeat log instead
 * (./heartbeat-log.ts).
 */
/** What the live set lists of each head: what judging its lease takes, and nothing more. */
export type LeaseEntry = Pick<ClusterHead, 'cluster' | 'leaseDurationSeconds' | 'leaseRenewedAt'>;

export interface ClusterHead {
  cluster: string;
  /** Item version for optimistic concurrency. */
  version: number;
  /** Monotonic revision of the cluster's desired state; the agent's ETag. */
  desiredRevision: number;
  /** Lifecycle state that gates the agent API. */
  state: ClusterHeadState;
  leaseDurationSeconds: number;
  /**
   * Epoch ms of the last direct renewal: the poll that made the lease live (the transition). Set
   * exactly while the head holds a lease, that is while it is in the live set (the lease index);
   * later polls only record heartbeats, so this does not move while the cluster stays live.
   */
  leaseRenewedAt?: number;
  /** SHA-256 hashes of valid agent credentials, with optional expiry (rotation overlap). */
  credentials: CredentialHash[];
  /** Hash of the single-use bootstrap token, its expiry, and whether it has been spent. */
  bootstrap?: { hash: string; expiresAt: number; spent: boolean };
  /** Free-form small attributes later capabilities need on the poll path (kept tiny). */
  attrs?: Record<string, string | number | boolean>;
}

export type ClusterHeadState = 'Pending' | 'Accepted' | 'Joined' | 'Denied' | 'Detaching' | 'Detached';

export interface CredentialHash {
  hash: string;
  /** Epoch ms when this credential was issued. */
  issuedAt: number;
  /** Epoch ms after which it is no longer accepted (set on the old credential during rotation). */
  expiresAt?: number;
}

/**
 * Errors: `AlreadyExistsError` on create, `ConflictError` when `expectedVersion` does not match,
 * `NotFoundError` when updating a missing head.
 */
export interface ClusterHeadStore {
  /** Eventually consistent by default: the poll path's single read. */
  get(cluster: string, opts?: { consistent?: boolean }): Promise<ClusterHead | undefined>;
  /**
   * Several heads at once (BatchGetItem, 100 keys a request), eventually consistent: for readers of
   * many clusters (a rollout controller checking which agents are online). Aligned with `clusters`:
   * undefined where no head exists.
   */
  getMany(clusters: readonly string[]): Promise<(ClusterHead | undefined)[]>;
  create(head: Omit<ClusterHead, 'version'>): Promise<ClusterHead>;
  /** Full conditional replace of the head (version must match); returns the new head. */
  put(head: ClusterHead): Promise<ClusterHead>;
  /** Atomically increments desiredRevision (unconditional ADD, idempotence is the caller's concern). */
  bumpRevision(cluster: string): Promise<number>;
  /**
   * Gives the head a lease (the transition to live): sets `leaseRenewedAt` to `now` and enters the
   * live set, if the head holds no lease (so of concurrent polls exactly one writes). Returns false
   * when the head already holds one.
   */
  renewLease(cluster: string, now: number): Promise<boolean>;
  /**
   * The heads that hold a lease (the live set), in pages of at most `limit`. Uses the sparse lease
   * index, whose key does not move while a cluster stays live; heads without a lease are not in it.
   * Eventually consistent: a caller re-reads a head consistently before acting on it.
   *
   * With `segment` (0 to {@link leaseSegments} − 1) only that segment of the live set is listed, and
   * its cursors stay within it: a caller lists the segments concurrently, so that listing a large
   * fleet takes the time of one segment, not of all of them in turn.
   */
  listLeases(limit: number, cursor?: string, segment?: number): Promise<{ leases: LeaseEntry[]; cursor?: string }>;
  /** How many segments the live set is kept in (see {@link listLeases}). */
  readonly leaseSegments: number;
  delete(cluster: string): Promise<void>;
}
