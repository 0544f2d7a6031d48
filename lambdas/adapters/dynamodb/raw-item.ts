import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { TableKey } from './keys.js';

/**
 * Small facts about raw DynamoDB items that every store needs: keys as attribute values, item
 * size as DynamoDB counts it, and what a failed conditional write tells us.
 *
 * Writes ask for `ReturnValuesOnConditionCheckFailure: ALL_OLD`, so DynamoDB (and DynamoDB Local)
 * hand back the item that failed the condition at no extra cost. dynalite ignores that parameter,
 * so callers fall back to one consistent read when the old item is missing: that read happens only
 * on the failure path and costs nothing on success.
 */

/** A raw item as the low-level client sends and receives it. */
export type RawItem = Record<string, AttributeValue>;

/** A table key as attribute values. */
export function keyAttrs(key: TableKey): RawItem {
  return { pk: { S: key.pk }, sk: { S: key.sk } };
}

/** Is this the SDK error of a failed `ConditionExpression`? */
export function isConditionalCheckFailed(err: unknown): err is ConditionalCheckFailedException {
  return err instanceof ConditionalCheckFailedException || (err as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}

/** The stored item returned with a failed condition, when the server returned one. */
export function oldItemOf(err: ConditionalCheckFailedException): RawItem | undefined {
  return err.Item && Object.keys(err.Item).length > 0 ? err.Item : undefined;
}

/** Reads a numeric attribute (such as the item version `v`) from a raw item. */
export function numberAttr(item: RawItem | undefined, name: string): number | undefined {
  const raw = item?.[name]?.N;
  return raw === undefined ? undefined : Number(raw);
}

/**
 * Size of an item as DynamoDB counts it: attribute name bytes plus value bytes (strings in UTF-8,
 * binaries raw, numbers about one byte per two digits plus one, documents recursively with a few
 * bytes of overhead). Good to within a few bytes, which the headroom below each limit absorbs.
 */
export function itemSize(item: RawItem): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name, 'utf8') + valueSize(value);
  return size;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S, 'utf8');
  if (value.B !== undefined) return value.B.byteLength;
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\./g, '').length / 2) + 1;
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + 1 + valueSize(v), 0);
  if (value.M !== undefined) return 3 + itemSize(value.M) + Object.keys(value.M).length;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s, 'utf8'), 0);
  return 1;
}
