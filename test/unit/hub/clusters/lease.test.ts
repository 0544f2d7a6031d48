import { describe, expect, it } from '@jest/globals';
import type { ClusterHead } from '../../../../lambdas/ports/cluster-head-store.js';
import { leaseDecision, leaseExpired, leaseLive, silentSeconds, withoutLease } from '../../../../lambdas/hub/clusters/lease.js';

const NOW = 1_800_000_000_000;
const lease = (renewedAgoS?: number, expiresInS?: number) => ({
  leaseDurationSeconds: 60,
  ...(renewedAgoS === undefined ? {} : { leaseRenewedAt: NOW - renewedAgoS * 1000 }),
  ...(expiresInS === undefined ? {} : { leaseExpiresAt: NOW + expiresInS * 1000 }),
});

describe('lease decisions', () => {
  it('renews a lease never written, and announces it (the record may say Unknown)', () => {
    expect(leaseDecision(lease(), NOW)).toEqual({ renew: true, expiresAt: NOW + 180_000, announce: true });
  });

  it('writes at most once per lease duration', () => {
    expect(leaseDecision(lease(0, 180), NOW).renew).toBe(false);
    expect(leaseDecision(lease(59.999, 120), NOW).renew).toBe(false);
    expect(leaseDecision(lease(60, 120), NOW)).toEqual({ renew: true, expiresAt: NOW + 180_000, announce: false });
  });

  it('announces a renewal of an expired or dropped lease', () => {
    expect(leaseDecision(lease(200, -20), NOW)).toMatchObject({ renew: true, announce: true });
    expect(leaseDecision(lease(200, 0), NOW)).toMatchObject({ renew: true, announce: true });
  });

  it('tells live from expired; a head without expiry is neither', () => {
    expect(leaseLive(lease(0, 1), NOW)).toBe(true);
    expect(leaseExpired(lease(0, 1), NOW)).toBe(false);
    expect(leaseLive(lease(0, 0), NOW)).toBe(false);
    expect(leaseExpired(lease(0, 0), NOW)).toBe(true);
    expect(leaseLive(lease(), NOW)).toBe(false);
    expect(leaseExpired(lease(), NOW)).toBe(false);
  });

  it('drops both lease fields, so a poll that read the old head fails its conditional renewal', () => {
    const head: ClusterHead = { cluster: 'c', version: 1, desiredRevision: 1, state: 'Joined', credentials: [], ...lease(200, -20) };
    const next = withoutLease(head);
    expect(next).not.toHaveProperty('leaseExpiresAt');
    expect(next).not.toHaveProperty('leaseRenewedAt');
    expect(next).toMatchObject({ cluster: 'c', version: 1, leaseDurationSeconds: 60 });
    expect(silentSeconds(head, NOW)).toBe(200);
    expect(silentSeconds(next, NOW)).toBeUndefined();
  });
});
