import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { COMPRESS_THRESHOLD_BYTES, storedBodyBytes, toResourceItem } from '../../../lambdas/adapters/dynamodb/resource-item.js';
import type { Resource } from '../../../shared/resources/meta.js';

function configMap(data: string): Resource {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, spec: { data } } as unknown as Resource;
}

describe('storedBodyBytes', () => {
  it.each([
    ['a small body, stored as plain JSON', 'x'.repeat(100), 'body'],
    ['a large body that compresses well', 'abc'.repeat(COMPRESS_THRESHOLD_BYTES), 'bodyz'],
    ['a large body of random data', randomBytes(COMPRESS_THRESHOLD_BYTES).toString('base64'), 'bodyz'],
  ])('%s: the size of the body attribute the item gets', (_what, data, attribute) => {
    const { item, stored } = toResourceItem(configMap(data), 1);
    const json = JSON.stringify(stored);
    const written = attribute === 'body' ? Buffer.byteLength(item.body!.S!, 'utf8') : item.bodyz!.B!.length;
    expect(Object.keys(item)).toContain(attribute);
    expect(storedBodyBytes(json)).toBe(written);
  });
});
