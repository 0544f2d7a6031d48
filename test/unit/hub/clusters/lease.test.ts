import { describe, expect, it } from '@jest/globals';
import type { ClusterHead } from '../../../../lambdas/ports/cluster-head-store.js';
import {
  agentOnline,
  dropsLease,
  expiredLeases,
  heartbeatDue,
  lastSeen,
  leaseLive,
  silenceAllowedMs,
  silentSeconds,
  sweepWindowStart,
  withoutLease,
  type LiveLease,
} from '../../../../lambdas/capabilities/clusters/cluster-lease.js';

const NOW = 1_800_000_000_000;
const LAG = 10_000;
const live = (cluster: string, renewedAgoS: number, leaseDurationSeconds = 60): LiveLease => ({
  cluster,
  leaseDurationSeconds,
  leaseRenewedAt: NOW - renewedAgoS * 1000,
});
const seen = (entries: Record<string, number>) => new Map(Object.entries(entries).map(([c, agoS]) => [c, NOW - agoS * 1000]));

describe('lease', () => {
  it('is live exactly while the head holds a renewal time (the live set)', () => {
    expect(leaseLive({ leaseRenewedAt: NOW - 10_000_000 })).toBe(true);
    expect(leaseLive({})).toBe(false);
  });

  it('counts the agent online only with a lease on a joined or detaching cluster', () => {
    const renewed = { leaseRenewedAt: NOW };
    expect(agentOnline({ ...renewed, state: 'Joined' })).toBe(true);
    expect(agentOnline({ ...renewed, state: 'Detaching' })).toBe(true);
    expect(agentOnline({ ...renewed, state: 'Accepted' })).toBe(false);
    expect(agentOnline({ state: 'Joined' })).toBe(false);
  });

  it('is last seen at the later of the heartbeat and the direct renewal', () => {
    expect(lastSeen({ leaseRenewedAt: NOW - 5000 }, NOW - 1000)).toBe(NOW - 1000);
    expect(lastSeen({ leaseRenewedAt: NOW - 1000 }, NOW - 5000)).toBe(NOW - 1000);
    expect(lastSeen({ leaseRenewedAt: NOW - 1000 }, undefined)).toBe(NOW - 1000);
    expect(lastSeen({}, undefined)).toBeUndefined();
  });

  it('allows three lease durations plus the log lag of silence', () => {
    expect(silenceAllowedMs(60, LAG)).toBe(190_000);
    expect(silenceAllowedMs(10, 0)).toBe(30_000);
  });
});

describe('expiry decision', () => {
  it('expires exactly the live heads silent for 3 lease durations + lag, by their own duration', () => {
    const heads = [
      live('fresh', 1000), // renewed long ago, heartbeat recent
      live('silent', 1000), // renewed long ago, last heartbeat too old
      live('edge', 1000), // silent exactly the allowed time
      live('almost', 1000), // one ms less
      live('never-beat', 189), // no heartbeat, renewed 189 s ago
      live('new', 5), // just became live
      live('short', 1000, 10), // 10 s lease: 40 s allowed
    ];
    const beats = new Map([...seen({ fresh: 20, silent: 500, short: 41 }), ['edge', NOW - 190_000], ['almost', NOW - 189_999]]);
    expect(expiredLeases(heads, beats, NOW, LAG)).toEqual([
      { cluster: 'silent', seenAt: NOW - 500_000 },
      { cluster: 'edge', seenAt: NOW - 190_000 },
      { cluster: 'short', seenAt: NOW - 41_000 },
    ]);
    expect(expiredLeases([live('never-beat', 190)], new Map(), NOW, LAG)).toEqual([{ cluster: 'never-beat', seenAt: NOW - 190_000 }]);
  });

  it('ignores heartbeats of clusters outside the live set, and finds nothing in an empty set', () => {
    expect(expiredLeases([], seen({ gone: 1000 }), NOW, LAG)).toEqual([]);
  });

  it('reads the log far enough back for the longest allowed silence', () => {
    expect(sweepWindowStart([], NOW, LAG)).toBeUndefined();
    expect(sweepWindowStart([live('a', 0, 60), live('b', 0, 300)], NOW, LAG)).toBe(NOW - 910_000);
  });

  it('takes a live set of half a million clusters (more than a call can spread as arguments)', () => {
    const fleet = Array.from({ length: 500_000 }, (_, i) => live(`c${i}`, 0, i === 250_000 ? 300 : 60));
    expect(sweepWindowStart(fleet, NOW, LAG)).toBe(NOW - 910_000);
  });

  it('drops only the lease the sweep judged: not a newer one, not one already dropped', () => {
    const seenAt = NOW - 200_000;
    expect(dropsLease({ leaseRenewedAt: seenAt - 1 }, seenAt)).toBe(true);
    expect(dropsLease({ leaseRenewedAt: seenAt }, seenAt)).toBe(true);
    expect(dropsLease({ leaseRenewedAt: seenAt + 1 }, seenAt)).toBe(false);
    expect(dropsLease({}, seenAt)).toBe(false);
  });

  it('drops the renewal time, so that the head leaves the live set and the next poll takes a lease again', () => {
    const head: ClusterHead = {
      cluster: 'c',
      version: 1,
      desiredRevision: 1,
      state: 'Joined',
      credentials: [],
      leaseDurationSeconds: 60,
      leaseRenewedAt: NOW,
    };
    const next = withoutLease(head);
    expect(next).not.toHaveProperty('leaseRenewedAt');
    expect(leaseLive(next)).toBe(false);
    expect(next).toMatchObject({ cluster: 'c', version: 1, leaseDurationSeconds: 60 });
  });

  it('counts whole seconds of silence', () => {
    expect(silentSeconds(NOW - 200_400, NOW)).toBe(200);
    expect(silentSeconds(NOW + 5000, NOW)).toBe(0);
    expect(silentSeconds(undefined, NOW)).toBeUndefined();
  });
});

describe('heartbeatDue', () => {
  it('records a poll when the agent knows of no heartbeat, or its last one is half a lease old', () => {
    expect(heartbeatDue(undefined, 60)).toBe(true);
    expect(heartbeatDue(0, 60)).toBe(false);
    expect(heartbeatDue(29, 60)).toBe(false);
    expect(heartbeatDue(30, 60)).toBe(true);
    expect(heartbeatDue(58, 60)).toBe(true);
    // A 300 s lease at 300 s polls: every poll.
    expect(heartbeatDue(294, 300)).toBe(true);
    expect(heartbeatDue(149, 300)).toBe(false);
  });
});
