import { describe, expect, it } from '@jest/globals';
import {
  decodeKeyCursor,
  encodeCursor,
  expiredLeaseBound,
  headKey,
  LEASE_SHARDS,
  leaseIndexKeys,
  leaseShard,
  padExpiry,
  relationKey,
  resourceKey,
} from '../../../lambdas/adapters/dynamodb/keys.js';
import { ValidationError } from '../../../shared/errors.js';

// Pure checks of the key shapes; the adapter suite proves them against real servers.
describe('key shapes', () => {
  it('builds the documented keys', () => {
    expect(resourceKey({ kind: 'Cluster', name: 'store-1' })).toEqual({ pk: 'R#Cluster#-', sk: 'store-1' });
    expect(resourceKey({ kind: 'Work', name: 'app', namespace: 'store-1' })).toEqual({ pk: 'R#Work#store-1', sk: 'app' });
    expect(headKey('store-1')).toEqual({ pk: 'H#store-1', sk: 'H' });
    expect(relationKey('members', 'set-a', 'store-1')).toEqual({ pk: 'X#members#set-a', sk: 'store-1' });
    expect(() => relationKey('a#b', 'x', 'y')).toThrow(ValidationError);
  });

  it('spreads clusters over all lease shards, stably', () => {
    const shards = new Set(Array.from({ length: 500 }, (_, i) => leaseShard(`cluster-${i}`)));
    expect(shards.size).toBe(LEASE_SHARDS);
    expect(leaseShard('store-0042')).toBe(leaseShard('store-0042'));
    expect(leaseIndexKeys('store-0042', 1_800_000_000_000)).toEqual({
      gsi1pk: `LEASE#${leaseShard('store-0042')}`,
      gsi1sk: '001800000000000#store-0042',
    });
  });

  it('bounds expired entries exactly: at or before now, never after', () => {
    const now = 1_800_000_000_000;
    const bound = expiredLeaseBound(now);
    expect(leaseIndexKeys('zzzz', now).gsi1sk < bound).toBe(true);
    expect(leaseIndexKeys('a', now - 1).gsi1sk < bound).toBe(true);
    expect(leaseIndexKeys('a', now + 1).gsi1sk < bound).toBe(false);
    expect(() => padExpiry(-1)).toThrow(ValidationError);
  });

  it('round-trips cursors and rejects foreign or malformed ones', () => {
    const key = { pk: 'R#Cluster#-', sk: 'store-1' };
    expect(decodeKeyCursor(encodeCursor(key), key.pk)).toEqual(key);
    expect(() => decodeKeyCursor(encodeCursor(key), 'R#Work#-')).toThrow(ValidationError);
    expect(() => decodeKeyCursor('%%%', key.pk)).toThrow(ValidationError);
    expect(() => decodeKeyCursor(encodeCursor(null), key.pk)).toThrow(ValidationError);
  });
});
