/**
 * The small per-cluster head item (< 1 KB) read on every agent poll.
 *
 * An idle poll is exactly one eventually consistent GetItem of this item. Anything that changes a
 * cluster's desired state bumps `desiredRevision`. The lease is written at most once per
 * `leaseDurationSeconds`, to this item only, never to the Cluster record.
 */
export interface ClusterHead {
  cluster: string;
  /** Item version for optimistic concurrency. */
  version: number;
  /** Monotonic revision of the cluster's desired state; the agent's ETag. */
  desiredRevision: number;
  /** Lifecycle state that gates the agent API. */
  state: ClusterHeadState;
  leaseDurationSeconds: number;
  /** Epoch ms of the last lease renewal, if the agent ever polled. */
  leaseRenewedAt?: number;
  /**
   * Epoch ms after which the lease counts as expired (renewedAt + 3 x duration). Present only while the
   * cluster is considered available, so that the expiry index holds only clusters that can still
   * transition: finding expirations costs in proportion to transitions, not to fleet size.
   */
  leaseExpiresAt?: number;
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
  create(head: Omit<ClusterHead, 'version'>): Promise<ClusterHead>;
  /** Full conditional replace of the head (version must match); returns the new head. */
  put(head: ClusterHead): Promise<ClusterHead>;
  /** Atomically increments desiredRevision (unconditional ADD, idempotence is the caller's concern). */
  bumpRevision(cluster: string): Promise<number>;
  /**
   * Renews the lease if the stored `leaseRenewedAt` still equals `previousRenewedAt` (so concurrent
   * polls write at most once). Returns false when another writer won.
   */
  renewLease(cluster: string, now: number, previousRenewedAt: number | undefined, expiresAt: number): Promise<boolean>;
  /**
   * Heads whose `leaseExpiresAt` is at or before `now`, in pages. Uses an index keyed on expiry time;
   * heads without `leaseExpiresAt` are not in it.
   */
  listExpiredLeases(now: number, limit: number, cursor?: string): Promise<{ heads: ClusterHead[]; cursor?: string }>;
  delete(cluster: string): Promise<void>;
}
