import { AlreadyExistsError, ConflictError, NotFoundError, ValidationError } from '../../../shared/errors.js';
import type { ClusterHead, ClusterHeadStore, LeaseEntry } from '../../ports/cluster-head-store.js';
import { toHeadItem } from '../dynamodb/cluster-head-store.js';
import { decodeCursor, encodeCursor, LEASE_SHARDS, leaseShard } from '../dynamodb/keys.js';

const HEAD_KIND = 'ClusterHead';

/** Where listing the live set resumes: a segment, and the last cluster listed in it (if any). */
interface LeaseCursor {
  shard: number;
  after?: string;
}

/**
 * {@link ClusterHeadStore} in process memory. Versions, conditions and errors are the table's; the
 * live set is kept in the table's segments (the same stable hash of the cluster name), so segment
 * listings and their cursors behave as the lease index does. Heads over the table's size limit are
 * refused, measured with the table's encoding. Reads are always consistent.
 */
export class MemoryClusterHeadStore implements ClusterHeadStore {
  readonly leaseSegments = LEASE_SHARDS;
  /** Heads as JSON, so that no caller ever holds the stored copy. */
  private readonly heads = new Map<string, string>();

  async get(cluster: string): Promise<ClusterHead | undefined> {
    return this.read(cluster);
  }

  async getMany(clusters: readonly string[]): Promise<(ClusterHead | undefined)[]> {
    return clusters.map((c) => this.read(c));
  }

  async create(head: Omit<ClusterHead, 'version'>): Promise<ClusterHead> {
    const created: ClusterHead = { ...head, version: 1 };
    toHeadItem(created);
    if (this.heads.has(head.cluster)) throw new AlreadyExistsError(HEAD_KIND, head.cluster);
    this.write(created);
    return created;
  }

  async put(head: ClusterHead): Promise<ClusterHead> {
    const next: ClusterHead = { ...head, version: head.version + 1 };
    toHeadItem(next);
    const current = this.read(head.cluster);
    if (!current) throw new NotFoundError(HEAD_KIND, head.cluster);
    if (current.version !== head.version) {
      throw new ConflictError(
        `cluster head "${head.cluster}" was modified: version is ${current.version}, the write expected ${head.version}`,
        String(current.version),
      );
    }
    this.write(next);
    return next;
  }

  /** Also bumps the version, as the table's update does, so that a concurrent `put` cannot undo it. */
  async bumpRevision(cluster: string): Promise<number> {
    const current = this.read(cluster);
    if (!current) throw new NotFoundError(HEAD_KIND, cluster);
    const desiredRevision = current.desiredRevision + 1;
    this.write({ ...current, desiredRevision, version: current.version + 1 });
    return desiredRevision;
  }

  async renewLease(cluster: string, now: number): Promise<boolean> {
    const current = this.read(cluster);
    if (!current) throw new NotFoundError(HEAD_KIND, cluster);
    if (current.leaseRenewedAt !== undefined) return false;
    this.write({ ...current, leaseRenewedAt: now, version: current.version + 1 });
    return true;
  }

  /** Pages of one segment in name order, then (without `segment`) on to the next, as the lease index is queried. */
  async listLeases(limit: number, cursor?: string, segment?: number): Promise<{ leases: LeaseEntry[]; cursor?: string }> {
    if (!Number.isInteger(limit) || limit < 1) throw new ValidationError(`limit must be a positive integer, got ${limit}`);
    if (segment !== undefined && (!Number.isInteger(segment) || segment < 0 || segment >= LEASE_SHARDS)) {
      throw new ValidationError(`segment must be a whole number from 0 to ${LEASE_SHARDS - 1}, got ${segment}`);
    }
    const position = cursor ? decodeLeaseCursor(cursor) : { shard: segment ?? 0 };
    if (segment !== undefined && position.shard !== segment)
      throw new ValidationError(`the cursor belongs to segment ${position.shard}, not ${segment}`);
    const inShard = [...this.heads.keys()]
      .filter((c) => leaseShard(c) === position.shard && (position.after === undefined || c > position.after))
      .sort()
      .map((c) => this.read(c) as ClusterHead)
      .filter((h) => h.leaseRenewedAt !== undefined);
    const page = inShard.slice(0, limit);
    const leases = page.map(({ cluster, leaseDurationSeconds, leaseRenewedAt }): LeaseEntry => ({
      cluster,
      leaseDurationSeconds,
      leaseRenewedAt,
    }));
    const next: LeaseCursor | undefined =
      inShard.length > limit
        ? { shard: position.shard, after: page[page.length - 1].cluster }
        : segment === undefined && position.shard + 1 < LEASE_SHARDS
          ? { shard: position.shard + 1 }
          : undefined;
    return next ? { leases, cursor: encodeCursor(next) } : { leases };
  }

  /** Idempotent, as the table's delete. */
  async delete(cluster: string): Promise<void> {
    this.heads.delete(cluster);
  }

  private read(cluster: string): ClusterHead | undefined {
    const json = this.heads.get(cluster);
    return json === undefined ? undefined : (JSON.parse(json) as ClusterHead);
  }

  private write(head: ClusterHead): void {
    this.heads.set(head.cluster, JSON.stringify(head));
  }
}

function decodeLeaseCursor(cursor: string): LeaseCursor {
  const value = decodeCursor(cursor) as Partial<LeaseCursor> | null;
  const shard = value?.shard;
  const after = value?.after;
  const valid =
    typeof shard === 'number' &&
    Number.isInteger(shard) &&
    shard >= 0 &&
    shard < LEASE_SHARDS &&
    (after === undefined || typeof after === 'string');
  if (!valid) throw new ValidationError('invalid lease cursor');
  return { shard, ...(after !== undefined ? { after } : {}) };
}
