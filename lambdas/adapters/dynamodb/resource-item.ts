import { gunzipSync, gzipSync } from 'node:zlib';
import { PayloadTooLargeError } from '../../../shared/errors.js';
import type { Resource } from '../../../shared/resources/meta.js';
import { resourceKey } from './keys.js';
import { itemSize, type RawItem } from './raw-item.js';

/**
 * Encoding of a resource as one table item: small bodies as readable JSON, larger ones gzipped.
 *
 * DynamoDB's hard item limit is 400 KB. Works carry whole manifests, so bodies over
 * {@link COMPRESS_THRESHOLD_BYTES} are stored compressed (JSON manifests shrink 5-10x), and an item
 * that is still over {@link MAX_ITEM_BYTES} is refused before any write is sent, with the numbers a
 * 413 problem needs.
 */

/** JSON bodies larger than this are stored gzipped in `bodyz`; smaller ones as plain `body`. */
export const COMPRESS_THRESHOLD_BYTES = 4 * 1024;

/** Largest item we write: DynamoDB's 400 KB limit minus headroom for attribute overhead. */
export const MAX_ITEM_BYTES = 380 * 1024;

/** The body attribute of a resource's JSON: plain `body` up to the threshold, gzipped `bodyz` above. */
function encodeBody(json: string): Partial<Pick<RawItem, 'body' | 'bodyz'>> {
  return Buffer.byteLength(json, 'utf8') > COMPRESS_THRESHOLD_BYTES ? { bodyz: { B: gzipSync(json) } } : { body: { S: json } };
}

/**
 * Bytes the body of a resource's JSON takes in its item: the gzipped size above
 * {@link COMPRESS_THRESHOLD_BYTES}, the JSON's size below (see ResourceStore.storedBodyBytes).
 */
export function storedBodyBytes(json: string): number {
  return encodeBody(json).bodyz?.B?.length ?? Buffer.byteLength(json, 'utf8');
}

/**
 * Builds the item of `resource` stored at `version`. The stored body carries
 * `metadata.resourceVersion = String(version)`, so what is read back is what the caller got.
 *
 * @throws PayloadTooLargeError when the item would exceed {@link MAX_ITEM_BYTES}, even compressed.
 */
export function toResourceItem(resource: Resource, version: number): { item: RawItem; stored: Resource } {
  const stored: Resource = { ...resource, metadata: { ...resource.metadata, resourceVersion: String(version) } };
  const key = resourceKey({ kind: resource.kind, name: resource.metadata.name, namespace: resource.metadata.namespace });
  const json = JSON.stringify(stored);
  const item: RawItem = {
    pk: { S: key.pk },
    sk: { S: key.sk },
    kind: { S: resource.kind },
    name: { S: resource.metadata.name },
    v: { N: String(version) },
  };
  if (resource.metadata.namespace !== undefined) item.ns = { S: resource.metadata.namespace };
  Object.assign(item, encodeBody(json));
  const size = itemSize(item);
  if (size > MAX_ITEM_BYTES) {
    throw new PayloadTooLargeError(MAX_ITEM_BYTES, size, 'resource');
  }
  return { item, stored };
}

/** Decodes a resource item (plain or compressed body); the item's `v` is the resourceVersion. */
export function fromResourceItem(item: RawItem): Resource & { metadata: { resourceVersion: string } } {
  const json = item.bodyz?.B ? gunzipSync(item.bodyz.B).toString('utf8') : item.body?.S;
  if (json === undefined) {
    throw new Error(`resource item ${item.pk?.S}/${item.sk?.S} has neither body nor bodyz`);
  }
  const resource = JSON.parse(json) as Resource;
  const version = item.v?.N;
  if (version !== undefined) resource.metadata.resourceVersion = version;
  return resource;
}
