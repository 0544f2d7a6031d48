/**
 * Every item shape of the single table, and the functions that build their keys.
 *
 * This is the one place where key shapes are written down; docs/data-model.md explains the why.
 *
 * | item              | pk                              | sk        | other attributes                                                         |
 * |-------------------|---------------------------------|-----------|--------------------------------------------------------------------------|
 * | resource          | `R#{Kind}#{namespace or "-"}`   | `{name}`  | kind, name, ns, v (N), body (S, JSON) or bodyz (B, gzip of the JSON)       |
 * | cluster head      | `H#{cluster}`                   | `H`       | v, desiredRevision, state, lease fields, credentials, bootstrap, attrs    |
 * | relation          | `X#{relation}#{from}`           | `{to}`    | data (M, optional)                                                       |
 * | admin token       | `T#{sha256 hex}`                | `T`       | hash, name, role, clusterSets, createdAt, createdBy, expiresAt, lastUsedAt, revokedAt, ttl |
 * | token by name     | `T#names`                       | `{name}`  | the same attributes as the token's item (what `tether token list` reads) |
 * | hub secret        | `K#{name}`                      | `K`       | s (S, the secret, e.g. the cursor-signing key)                            |
 * | heartbeat batch   | `HB#{epoch minute}`             | `{writer}#{seq}` | base (N, epoch s), e (S, `name:offset,...`), ttl                  |
 * | audit record      | `A#{yyyy-mm-dd}` (UTC day)      | `{time}#{id}` | r (S, the record's JSON), ttl                                      |
 * | compliance event  | `CE#{cluster}`                  | `{time}#{id}` | gsi2pk, gsi2sk, e (S, the event's JSON), ttl                      |
 * | compliance policy | `CEC#catalog`                   | `{policy}` | st, ca, co (SS: standards, categories, controls seen), optional  |
 *
 * GSI `gsi1` (sparse, ALL projection) holds only cluster heads that hold a lease (`leaseRenewedAt`
 * set): the live set. Its key does not move while a cluster stays live, so the index is written only
 * on transitions (lease gained, lease dropped):
 *
 * | gsi1pk              | gsi1sk      |
 * |---------------------|-------------|
 * | `LEASE#{shard}`     | `{cluster}` |
 *
 * GSI `gsi2` (sparse, ALL projection) holds only compliance events, by policy:
 *
 * | gsi2pk              | gsi2sk          |
 * |---------------------|-----------------|
 * | `CEP#{policy}`      | `{time}#{id}`   |
 *
 * In compliance keys `time` is the event's time as `toISOString()` (always 24 characters, UTC,
 * milliseconds), so that string order is time order whatever RFC 3339 form the event carries.
 *
 * `shard` is {@link leaseShard}: a stable hash of the cluster name mod {@link LEASE_SHARDS}, so that
 * the lease index never concentrates a whole fleet's writes on one index partition.
 *
 * Names are DNS-1123 labels (`[a-z0-9-]`), so `-` alone can never be a namespace and `#` never
 * appears inside a name; relation names are checked here because they are internal strings.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../../../shared/errors.js';

/** A DynamoDB primary key of the table. */
export interface TableKey {
  pk: string;
  sk: string;
}

/** Placeholder namespace of cluster-scoped kinds (not a valid DNS label, so it never collides). */
export const NO_NAMESPACE = '-';

/** Partition of one kind (and one namespace for namespaced kinds): a list is one Query on it. */
export function resourcePartition(kind: string, namespace?: string): string {
  return `R#${kind}#${namespace ?? NO_NAMESPACE}`;
}

/** Key of one resource item. */
export function resourceKey(key: { kind: string; name: string; namespace?: string }): TableKey {
  return { pk: resourcePartition(key.kind, key.namespace), sk: key.name };
}

/** The sort key value of every cluster head item. */
export const HEAD_SK = 'H';

/** Key of a cluster's head item, the one item an idle agent poll reads. */
export function headKey(cluster: string): TableKey {
  return { pk: `H#${cluster}`, sk: HEAD_SK };
}

/** Partition of one relation's targets from one source object. */
export function relationPartition(relation: string, from: string): string {
  if (relation.length === 0 || relation.includes('#')) {
    throw new ValidationError(`relation name "${relation}" must be non-empty and must not contain "#"`);
  }
  return `X#${relation}#${from}`;
}

/** Key of one relation item `from -> to`. */
export function relationKey(relation: string, from: string, to: string): TableKey {
  return { pk: relationPartition(relation, from), sk: to };
}

/** The sort key value of every admin token item. */
export const TOKEN_SK = 'T';

/** Key of an admin token item, addressed by the SHA-256 of the token. */
export function adminTokenKey(hash: string): TableKey {
  return { pk: `T#${hash}`, sk: TOKEN_SK };
}

/**
 * The partition of the token name index: one item per named token. `names` is no SHA-256 hex, so
 * it never collides with a token's own item, and the `T#` prefix keeps it under the same IAM
 * condition as the tokens (only the admin function may touch it).
 */
export const TOKEN_NAMES_PK = 'T#names';

/** Key of a token's entry in the name index. */
export function tokenNameKey(name: string): TableKey {
  return { pk: TOKEN_NAMES_PK, sk: name };
}

/** The sort key value of every hub secret item. */
export const SECRET_SK = 'K';

/** Key of a secret the hub made for itself ({@link SecretStore}), such as the cursor-signing key. */
export function hubSecretKey(name: string): TableKey {
  return { pk: `K#${name}`, sk: SECRET_SK };
}

/** Number of lease-index partitions; listing the live set queries each of them. */
export const LEASE_SHARDS = 16;

/** Stable shard of a cluster in the lease index (SHA-256 based, the same in every process). */
export function leaseShard(cluster: string): number {
  return createHash('sha256').update(cluster).digest().readUInt32BE(0) % LEASE_SHARDS;
}

/** The lease-index partition value of one shard. */
export function leasePartition(shard: number): string {
  return `LEASE#${shard}`;
}

/** The GSI attributes that put a head into the live set (they stay put while the lease is held). */
export function leaseIndexKeys(cluster: string): { gsi1pk: string; gsi1sk: string } {
  return { gsi1pk: leasePartition(leaseShard(cluster)), gsi1sk: cluster };
}

/** Length of one heartbeat-log partition: one partition per minute of flush time. */
export const HEARTBEAT_BUCKET_MS = 60_000;

/** The heartbeat-log partition holding batches flushed at `epochMs`. */
export function heartbeatPartition(epochMs: number): string {
  return `HB#${Math.floor(epochMs / HEARTBEAT_BUCKET_MS)}`;
}

/** Key of one heartbeat batch: unique per writer (a process) and flush sequence. */
export function heartbeatKey(epochMs: number, writer: string, seq: number): TableKey {
  return { pk: heartbeatPartition(epochMs), sk: `${writer}#${String(seq).padStart(8, '0')}` };
}

/** DynamoDB's limit on a sort key value. */
export const MAX_SORT_KEY_BYTES = 1024;

/** Encodes a key (or any small JSON value) as an opaque, URL-safe list cursor. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeCursor}. Cursors come from users (`continue`), so any
 * malformed value is a ValidationError, never a DynamoDB error.
 */
export function decodeCursor(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (err) {
    throw new ValidationError('invalid continue cursor', [], { cause: err });
  }
}

/**
 * Decodes a list cursor that must be a table key inside partition `pk`. A cursor from another
 * list (another kind, namespace or relation) is rejected instead of silently reading elsewhere.
 */
export function decodeKeyCursor(cursor: string, pk: string): TableKey {
  const value = decodeCursor(cursor) as Partial<TableKey> | null;
  if (value === null || typeof value !== 'object' || value.pk !== pk || typeof value.sk !== 'string') {
    throw new ValidationError('invalid continue cursor: it does not belong to this list');
  }
  // DynamoDB refuses an empty sort key or one over 1024 bytes with an error of its own: say it here.
  if (value.sk === '' || Buffer.byteLength(value.sk, 'utf8') > MAX_SORT_KEY_BYTES) {
    throw new ValidationError('invalid continue cursor: its position is not a valid key');
  }
  return { pk: value.pk, sk: value.sk };
}

/** Partition of the audit records of one UTC day (`2026-12-05`). */
export function auditPartition(day: string): string {
  return `A#${day}`;
}

/** Key of one audit record: its day's partition, sorted by time then id. */
export function auditKey(time: string, id: string): TableKey {
  return { pk: auditPartition(time.slice(0, 10)), sk: `${time}#${id}` };
}

/** The event time as it appears in compliance keys (fixed-width UTC, so string order is time order). */
export function complianceKeyTime(time: string | number): string {
  return new Date(typeof time === 'number' ? time : Date.parse(time)).toISOString();
}

/** The sort key of a compliance event, the same in its cluster partition and its policy partition. */
export function complianceSortKey(time: string, id: string): string {
  return `${complianceKeyTime(time)}#${id}`;
}

/** Partition of one cluster's compliance events (the table's own key). */
export function complianceClusterPartition(cluster: string): string {
  return `CE#${cluster}`;
}

/** Partition of one policy's compliance events (in gsi2). */
export function compliancePolicyPartition(policy: string): string {
  return `CEP#${policy}`;
}

/** Partition of the catalogue of policies that have compliance history. */
export const COMPLIANCE_CATALOG_PK = 'CEC#catalog';

/** Keys of one compliance event: the table key (by cluster) and the gsi2 key (by policy). */
export function complianceEventKeys(e: { time: string; id: string; cluster: string; policy: string }): TableKey & {
  gsi2pk: string;
  gsi2sk: string;
} {
  const sk = complianceSortKey(e.time, e.id);
  return { pk: complianceClusterPartition(e.cluster), sk, gsi2pk: compliancePolicyPartition(e.policy), gsi2sk: sk };
}
