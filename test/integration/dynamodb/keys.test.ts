import { describe, expect, it } from '@jest/globals';
import {
  decodeKeyCursor,
  encodeCursor,
  headKey,
  heartbeatKey,
  heartbeatPartition,
  LEASE_SHARDS,
  leaseIndexKeys,
  leaseShard,
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
    // The live-set key does not depend on time: it does not move while the cluster stays live.
    expect(leaseIndexKeys('store-0042')).toEqual({ gsi1pk: `LEASE#${leaseShard('store-0042')}`, gsi1sk: 'store-0042' });
  });

  it('puts heartbeat batches in one partition per minute of flush time, one key per writer and flush', () => {
    const minute = 30_000_000;
    expect(heartbeatPartition(minute * 60_000)).toBe(`HB#${minute}`);
    expect(heartbeatPartition(minute * 60_000 + 59_999)).toBe(`HB#${minute}`);
    expect(heartbeatPartition(minute * 60_000 + 60_000)).toBe(`HB#${minute + 1}`);
    expect(heartbeatKey(minute * 60_000 + 5_000, 'w1', 7)).toEqual({ pk: `HB#${minute}`, sk: 'w1#00000007' });
  });

  it('round-trips cursors and rejects foreign or malformed ones', () => {
    const key = { pk: 'R#Cluster#-', sk: 'store-1' };
    expect(decodeKeyCursor(encodeCursor(key), key.pk)).toEqual(key);
    expect(() => decodeKeyCursor(encodeCursor(key), 'R#Work#-')).toThrow(ValidationError);
    expect(() => decodeKeyCursor('%%%', key.pk)).toThrow(ValidationError);
    expect(() => decodeKeyCursor(encodeCursor(null), key.pk)).toThrow(ValidationError);
  });
});
