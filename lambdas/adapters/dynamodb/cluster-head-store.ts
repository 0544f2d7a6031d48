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
import type { ClusterHead, ClusterHeadStore } from '../../ports/cluster-head-store.js';
import {
  decodeCursor,
  encodeCursor,
  expiredLeaseBound,
  headKey,
  HEAD_SK,
  LEASE_SHARDS,
  leaseIndexKeys,
  leasePartition,
} from './keys.js';
import { TABLE } from './table.js';
import { isConditionalCheckFailed, itemSize, keyAttrs, numberAttr, oldItemOf, type RawItem } from './raw-item.js';

/**
 * Largest head item we write. An eventually consistent GetItem of up to 4 KB costs 0.5 read units;
 * a bigger head would double the cost of every idle poll, so it is refused instead.
 */
export const MAX_HEAD_BYTES = 4 * 1024;

const HEAD_KIND = 'ClusterHead';
const V = { '#v': 'v' };

/** A position in one lease-index shard: where the next page of that shard starts. */
type ShardPosition = null | 'done' | { pk: string; gsi1sk: string };

/**
 * {@link ClusterHeadStore} on the single table: one small item per cluster (`H#{cluster}` / `H`),
 * plus the sparse lease-expiry index `gsi1` (see ./keys.ts).
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
   * One small UpdateItem (1 write unit) conditioned on the lease time the caller read, so of many
   * concurrent polls exactly one writes. It also bumps `v`: a read-modify-write `put` that read the
   * head before this renewal (for example the scheduler marking the lease expired) then fails with
   * a conflict instead of silently undoing the renewal.
   */
  async renewLease(cluster: string, now: number, previousRenewedAt: number | undefined, expiresAt: number): Promise<boolean> {
    const index = leaseIndexKeys(cluster, expiresAt);
    const values: RawItem = {
      ':now': { N: String(now) },
      ':exp': { N: String(expiresAt) },
      ':gpk': { S: index.gsi1pk },
      ':gsk': { S: index.gsi1sk },
      ':one': { N: '1' },
    };
    if (previousRenewedAt !== undefined) values[':prev'] = { N: String(previousRenewedAt) };
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyAttrs(headKey(cluster)),
          UpdateExpression: 'SET leaseRenewedAt = :now, leaseExpiresAt = :exp, gsi1pk = :gpk, gsi1sk = :gsk ADD #v :one',
          ConditionExpression:
            previousRenewedAt === undefined
              ? 'attribute_exists(pk) AND attribute_not_exists(leaseRenewedAt)'
              : 'attribute_exists(pk) AND leaseRenewedAt = :prev',
          ExpressionAttributeNames: V,
          ExpressionAttributeValues: values,
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
   * Queries every lease shard for entries with `leaseExpiresAt <= now` and returns the earliest
   * `limit` of them. The index is eventually consistent and its copies may lag a renewal, so a
   * caller re-reads a head consistently before acting on its expiry.
   *
   * Cost: one Query per unfinished shard per page (16 small Queries when nothing expired),
   * independent of fleet size. Pages come out in global expiry order.
   */
  async listExpiredLeases(now: number, limit: number, cursor?: string): Promise<{ heads: ClusterHead[]; cursor?: string }> {
    if (!Number.isInteger(limit) || limit < 1) throw new ValidationError(`limit must be a positive integer, got ${limit}`);
    const positions = cursor ? decodeLeaseCursor(cursor) : new Array<ShardPosition>(LEASE_SHARDS).fill(null);
    const bound = expiredLeaseBound(now);
    const shards = positions.flatMap((pos, shard) => (pos === 'done' ? [] : [shard]));
    const pages = await Promise.all(
      shards.map(async (shard) => {
        const pos = positions[shard];
        const out = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: TABLE.gsi1.indexName,
            KeyConditionExpression: 'gsi1pk = :p AND gsi1sk < :bound',
            ExpressionAttributeValues: { ':p': { S: leasePartition(shard) }, ':bound': { S: bound } },
            ExclusiveStartKey:
              pos && pos !== 'done'
                ? { ...keyAttrs({ pk: pos.pk, sk: HEAD_SK }), gsi1pk: { S: leasePartition(shard) }, gsi1sk: { S: pos.gsi1sk } }
                : undefined,
            Limit: limit,
          }),
        );
        return { shard, rows: out.Items ?? [], more: out.LastEvaluatedKey };
      }),
    );

    const merged = pages
      .flatMap((page) => page.rows.map((row) => ({ shard: page.shard, row, order: `${row.gsi1sk?.S}` })))
      .sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0))
      .slice(0, limit);

    // A shard's taken rows are a prefix of its page, so the shard resumes after its last taken row.
    const next = [...positions];
    for (const page of pages) {
      const taken = merged.filter((m) => m.shard === page.shard).length;
      if (taken === page.rows.length && !page.more) next[page.shard] = 'done';
      else if (taken > 0) next[page.shard] = positionOf(page.rows[taken - 1]);
      else if (page.rows.length === 0 && page.more) next[page.shard] = positionOf(page.more);
    }
    const heads = merged.map((m) => fromHeadItem(m.row));
    return next.every((pos) => pos === 'done') ? { heads } : { heads, cursor: encodeCursor({ s: next }) };
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

/** The head as an item: index attributes only while `leaseExpiresAt` is set (sparse index). */
function toHeadItem(head: ClusterHead): RawItem {
  const { version, ...fields } = head;
  const item: RawItem = {
    ...keyAttrs(headKey(head.cluster)),
    ...marshall({ ...fields, v: version }, { removeUndefinedValues: true }),
  };
  if (head.leaseExpiresAt !== undefined) {
    const index = leaseIndexKeys(head.cluster, head.leaseExpiresAt);
    item.gsi1pk = { S: index.gsi1pk };
    item.gsi1sk = { S: index.gsi1sk };
  }
  const size = itemSize(item);
  if (size > MAX_HEAD_BYTES) throw new PayloadTooLargeError(MAX_HEAD_BYTES, size, `cluster head "${head.cluster}"`);
  return item;
}

function fromHeadItem(item: RawItem): ClusterHead {
  const { pk: _pk, sk: _sk, gsi1pk: _gpk, gsi1sk: _gsk, v, ...fields } = unmarshall(item);
  return { ...(fields as Omit<ClusterHead, 'version'>), version: Number(v) };
}

function positionOf(row: RawItem): ShardPosition {
  return { pk: row.pk.S as string, gsi1sk: row.gsi1sk.S as string };
}

function decodeLeaseCursor(cursor: string): ShardPosition[] {
  const value = decodeCursor(cursor) as { s?: unknown } | null;
  const s = value?.s;
  const valid =
    Array.isArray(s) &&
    s.length === LEASE_SHARDS &&
    s.every(
      (p) => p === null || p === 'done' || (typeof p === 'object' && typeof p.pk === 'string' && typeof p.gsi1sk === 'string'),
    );
  if (!valid) throw new ValidationError('invalid lease cursor');
  return s as ShardPosition[];
}
