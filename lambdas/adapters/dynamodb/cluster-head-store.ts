import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type ConditionalCheckFailedException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { AlreadyExistsError, ConflictError, NotFoundError, PayloadTooLargeError, ValidationError } from '../../../shared/errors.js';
import type { ClusterHead, ClusterHeadStore, LeaseEntry } from '../../ports/cluster-head-store.js';
import { decodeCursor, encodeCursor, headKey, LEASE_SHARDS, leaseIndexKeys, leasePartition } from './keys.js';
import { batchGet, keyString } from './batch.js';
import { TABLE } from './table.js';
import { isConditionalCheckFailed, itemSize, keyAttrs, numberAttr, oldItemOf, type RawItem } from './raw-item.js';

/**
 * Largest head item we write. An eventually consistent GetItem of up to 4 KB costs 0.5 read units;
 * a bigger head would double the cost of every idle poll, so it is refused instead.
 */
export const MAX_HEAD_BYTES = 4 * 1024;

const HEAD_KIND = 'ClusterHead';
const V = { '#v': 'v' };

/** Where listing the live set resumes: a shard, and the last key read in it (if any). */
interface LeaseCursor {
  shard: number;
  after?: RawItem;
}

/**
 * {@link ClusterHeadStore} on the single table: one small item per cluster (`H#{cluster}` / `H`),
 * plus the sparse lease index `gsi1`, the live set (see ./keys.ts).
 */
export class DynamoClusterHeadStore implements ClusterHeadStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** One GetItem; eventually consistent (0.5 read units) unless `opts.consistent`. */
  async get(cluster: string, opts?: { consistent?: boolean }): Promise<ClusterHead | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: keyAttrs(headKey(cluster)), ConsistentRead: opts?.consistent ?? false }),
    );
    return out.Item ? fromHeadItem(out.Item) : undefined;
  }

  async getMany(clusters: readonly string[]): Promise<(ClusterHead | undefined)[]> {
    if (clusters.length === 0) return [];
    const keys = clusters.map((c) => keyAttrs(headKey(c)));
    const found = await batchGet(this.client, this.tableName, keys);
    return keys.map((k) => {
      const item = found.get(keyString(k));
      return item ? fromHeadItem(item) : undefined;
    });
  }

  async create(head: Omit<ClusterHead, 'version'>): Promise<ClusterHead> {
    const created: ClusterHead = { ...head, version: 1 };
    try {
      await this.client.send(
        new PutItemCommand({ TableName: this.tableName, Item: toHeadItem(created), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    } catch (err) {
      if (isConditionalCheckFailed(err)) throw new AlreadyExistsError(HEAD_KIND, head.cluster, { cause: err });
      throw err;
    }
    return created;
  }

  async put(head: ClusterHead): Promise<ClusterHead> {
    const next: ClusterHead = { ...head, version: head.version + 1 };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toHeadItem(next),
          ConditionExpression: '#v = :expected',
          ExpressionAttributeNames: V,
          ExpressionAttributeValues: { ':expected': { N: String(head.version) } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      const old = await this.oldHead(head.cluster, err);
      const current = numberAttr(old, 'v');
      if (current === undefined) throw new NotFoundError(HEAD_KIND, head.cluster, { cause: err });
      throw new ConflictError(
        `cluster head "${head.cluster}" was modified: version is ${current}, the write expected ${head.version}`,
        String(current),
        { cause: err },
      );
    }
    return next;
  }

  /** One UpdateItem; also bumps the item version so that a concurrent `put` cannot undo it. */
  async bumpRevision(cluster: string): Promise<number> {
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyAttrs(headKey(cluster)),
          UpdateExpression: 'ADD desiredRevision :one, #v :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: V,
          ExpressionAttributeValues: { ':one': { N: '1' } },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const revision = numberAttr(out.Attributes, 'desiredRevision');
      if (revision === undefined) throw new Error(`bumpRevision of "${cluster}" returned no desiredRevision`);
      return revision;
    } catch (err) {
      if (isConditionalCheckFailed(err)) throw new NotFoundError(HEAD_KIND, cluster, { cause: err });
      throw err;
    }
  }

  /**
   * The transition to live: one UpdateItem that sets `leaseRenewedAt` and the live-set index keys,
   * on the condition that the head holds no lease (so of many concurrent polls exactly one writes).
   * Costs 2 write units (the item, plus the new index entry); it happens once per transition, not
   * per poll. It also bumps `v`: a read-modify-write `put` that read the head before it (for
   * example the expiry step dropping the lease) then fails with a conflict instead of undoing it.
   */
  async renewLease(cluster: string, now: number): Promise<boolean> {
    const index = leaseIndexKeys(cluster);
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyAttrs(headKey(cluster)),
          UpdateExpression: 'SET leaseRenewedAt = :now, gsi1pk = :gpk, gsi1sk = :gsk ADD #v :one',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(leaseRenewedAt)',
          ExpressionAttributeNames: V,
          ExpressionAttributeValues: {
            ':now': { N: String(now) },
            ':gpk': { S: index.gsi1pk },
            ':gsk': { S: index.gsi1sk },
            ':one': { N: '1' },
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return true;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      if (!(await this.oldHead(cluster, err))) throw new NotFoundError(HEAD_KIND, cluster, { cause: err });
      return false;
    }
  }

  /**
   * One page of the live set: Queries the lease shards in order, each paginated, eventually
   * consistent. Cost per full listing: at least one Query per shard (16), then read units in
   * proportion to the heads listed (their whole items, the index projects ALL), independent of how
   * often agents poll.
   */
  /** The live set's segments are the lease index's shards. */
  readonly leaseSegments = LEASE_SHARDS;

  async listLeases(limit: number, cursor?: string, segment?: number): Promise<{ leases: LeaseEntry[]; cursor?: string }> {
    if (!Number.isInteger(limit) || limit < 1) throw new ValidationError(`limit must be a positive integer, got ${limit}`);
    if (segment !== undefined && (!Number.isInteger(segment) || segment < 0 || segment >= LEASE_SHARDS)) {
      throw new ValidationError(`segment must be a whole number from 0 to ${LEASE_SHARDS - 1}, got ${segment}`);
    }
    const position = cursor ? decodeLeaseCursor(cursor) : { shard: segment ?? 0 };
    if (segment !== undefined && position.shard !== segment)
      throw new ValidationError(`the cursor belongs to segment ${position.shard}, not ${segment}`);
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: TABLE.gsi1.indexName,
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': { S: leasePartition(position.shard) } },
        ExclusiveStartKey: position.after,
        Limit: limit,
        // The read costs the same; the sweep of a large fleet parses three attributes a head, not all.
        ProjectionExpression: '#c, #d, #r',
        ExpressionAttributeNames: { '#c': 'cluster', '#d': 'leaseDurationSeconds', '#r': 'leaseRenewedAt' },
      }),
    );
    const leases = (out.Items ?? []).map((item): LeaseEntry => {
      const { cluster, leaseDurationSeconds, leaseRenewedAt } = unmarshall(item) as LeaseEntry;
      return { cluster, leaseDurationSeconds, ...(leaseRenewedAt !== undefined ? { leaseRenewedAt } : {}) };
    });
    const next: LeaseCursor | undefined = out.LastEvaluatedKey
      ? { shard: position.shard, after: out.LastEvaluatedKey }
      : segment === undefined && position.shard + 1 < LEASE_SHARDS
        ? { shard: position.shard + 1 }
        : undefined;
    return next ? { leases, cursor: encodeCursor(next) } : { leases };
  }

  /** Idempotent: deleting a missing head is not an error (lifecycle steps may repeat). */
  async delete(cluster: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: keyAttrs(headKey(cluster)) }));
  }

  /** The head a failed condition met: from the error when the server returned it, else one consistent read. */
  private async oldHead(cluster: string, err: ConditionalCheckFailedException): Promise<RawItem | undefined> {
    const old = oldItemOf(err);
    if (old) return old;
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: keyAttrs(headKey(cluster)),
        ConsistentRead: true,
        ProjectionExpression: 'pk, #v',
        ExpressionAttributeNames: V,
      }),
    );
    return out.Item;
  }
}

/**
 * The head as an item: index attributes only while the lease is held (sparse index, the live set).
 * Exported so that the in-memory store refuses exactly the heads the table refuses.
 *
 * @throws PayloadTooLargeError when the item would exceed {@link MAX_HEAD_BYTES}.
 */
export function toHeadItem(head: ClusterHead): RawItem {
  const { version, ...fields } = head;
  const item: RawItem = {
    ...keyAttrs(headKey(head.cluster)),
    ...marshall({ ...fields, v: version }, { removeUndefinedValues: true }),
  };
  if (head.leaseRenewedAt !== undefined) {
    const index = leaseIndexKeys(head.cluster);
    item.gsi1pk = { S: index.gsi1pk };
    item.gsi1sk = { S: index.gsi1sk };
  }
  const size = itemSize(item);
  if (size > MAX_HEAD_BYTES) throw new PayloadTooLargeError(MAX_HEAD_BYTES, size, `cluster head "${head.cluster}"`);
  return item;
}

/** The head of an item; drops `leaseExpiresAt`, which heads written before the live set carried. */
function fromHeadItem(item: RawItem): ClusterHead {
  const { pk: _pk, sk: _sk, gsi1pk: _gpk, gsi1sk: _gsk, leaseExpiresAt: _legacy, v, ...fields } = unmarshall(item);
  return { ...(fields as Omit<ClusterHead, 'version'>), version: Number(v) };
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
    (after === undefined || (typeof after === 'object' && after !== null && Object.values(after).every((v) => typeof v?.S === 'string')));
  if (!valid) throw new ValidationError('invalid lease cursor');
  return { shard, ...(after ? { after } : {}) };
}
