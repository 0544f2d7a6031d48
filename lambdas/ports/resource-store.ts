import type { Resource } from '../../shared/resources/meta.js';

/** Identifies one stored resource. `namespace` is the owning cluster for namespaced kinds (Work). */
export interface ResourceKey {
  kind: string;
  name: string;
  namespace?: string;
}

export interface ListOptions {
  /** For namespaced kinds: only objects of this cluster. */
  namespace?: string;
  /** Maximum number of items to return (after filtering). */
  limit: number;
  /** Opaque cursor returned by a previous page. */
  cursor?: string;
  /** Keep only items for which this returns true (label selectors are evaluated here). */
  filter?: (item: Resource) => boolean;
  /** Strongly consistent read (lifecycle steps re-check state with it). */
  consistent?: boolean;
}

export interface ListPage {
  items: Resource[];
  /** Present when more items may follow. */
  cursor?: string;
}

/**
 * Stores resources as single items with optimistic concurrency.
 *
 * Every write is one conditional write on `metadata.resourceVersion`: a numeric version that the
 * store assigns (1 on create, +1 on each write). No transactions, no multi-item writes.
 *
 * Errors: `AlreadyExistsError` (create), `NotFoundError`, `ConflictError` (stale version),
 * `PayloadTooLargeError` (item over the size limit even compressed).
 */
export interface ResourceStore {
  get(key: ResourceKey, opts?: { consistent?: boolean }): Promise<Resource | undefined>;
  /**
   * Reads many objects by key in few round trips (the fleet-wide steps read a whole batch of
   * clusters at once). The answer is aligned with `keys`: undefined where no object exists. A key
   * may appear more than once. Not a transaction: each object is read as `get` would read it.
   */
  getMany(keys: readonly ResourceKey[], opts?: { consistent?: boolean }): Promise<(Resource | undefined)[]>;
  /** Lists one kind in name order, page by page. Pages may hold fewer than `limit` items. */
  list(kind: string, opts: ListOptions): Promise<ListPage>;
  /** Creates; `metadata.resourceVersion` in the input is ignored, the result carries "1". */
  create(resource: Resource): Promise<Resource>;
  /**
   * Replaces the object if its stored version equals `expectedVersion`.
   * The result carries the new resourceVersion.
   */
  replace(resource: Resource, expectedVersion: string): Promise<Resource>;
  /** Deletes; when `expectedVersion` is given the delete is conditional on it. Missing is NotFoundError. */
  delete(key: ResourceKey, expectedVersion?: string): Promise<void>;
  /**
   * Bytes the body of a resource, given as its JSON, takes as this store keeps it (compressed where
   * the store compresses). Pure and local: it sends nothing. Lets a kind refuse an object too large
   * to store before any write, with its own limit and message, without knowing the store's encoding.
   */
  storedBodyBytes(json: string): number;
}
