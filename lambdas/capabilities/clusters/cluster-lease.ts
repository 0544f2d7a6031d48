import type { ClusterHead } from '../../ports/cluster-head-store.js';

/**
 * Lease arithmetic, pure. The agent's poll is its heartbeat. A cluster is live while its head holds
 * a lease (is in the live set); the head is written only on transitions:
 * - a poll of a head without a lease gives it one (the direct renewal, `leaseRenewedAt`);
 * - the expiry sweep drops it after {@link LEASE_GRACE_FACTOR} lease durations without a heartbeat
 *   (as Open Cluster Management does), plus the heartbeat log's lag.
 * In between, polls only record heartbeats in the batched heartbeat log.
 */

/** A lease expires after this many lease durations without a heartbeat. */
export const LEASE_GRACE_FACTOR = 3;

/**
 * Is this poll of a live cluster worth a heartbeat? The agent says how long ago one of its polls was
 * last recorded (`ageSeconds`, undefined when it knows of none); a heartbeat every half lease is
 * plenty for a rule that waits {@link LEASE_GRACE_FACTOR} leases. With polls at most half a lease
 * apart, recorded heartbeats are then at most a lease apart.
 */
export function heartbeatDue(ageSeconds: number | undefined, leaseDurationSeconds: number): boolean {
  return ageSeconds === undefined || ageSeconds * 2 >= leaseDurationSeconds;
}

/** What the expiry sweep needs of a live head. */
export type LiveLease = Pick<ClusterHead, 'cluster' | 'leaseDurationSeconds' | 'leaseRenewedAt'>;

/** A lease the sweep found expired, with the last sign of life it used (epoch ms). */
export interface ExpiredLease {
  cluster: string;
  seenAt: number;
}

/**
 * True while the head holds a lease (is in the live set). The head alone cannot tell whether the
 * agent is still polling; only the expiry sweep, which reads the heartbeat log, drops a lease.
 */
export function leaseLive(head: Pick<ClusterHead, 'leaseRenewedAt'>): boolean {
  return head.leaseRenewedAt !== undefined;
}

/** The cluster's agent counts as online: it holds a lease and the cluster is joined (or detaching). */
export function agentOnline(head: Pick<ClusterHead, 'leaseRenewedAt' | 'state'>): boolean {
  return leaseLive(head) && (head.state === 'Joined' || head.state === 'Detaching');
}

/**
 * The last sign of life of a live head: its latest heartbeat in the log, or the direct renewal
 * (the transition to live), whichever is later.
 */
export function lastSeen(head: Pick<ClusterHead, 'leaseRenewedAt'>, heartbeat: number | undefined): number | undefined {
  if (head.leaseRenewedAt === undefined) return heartbeat;
  return heartbeat === undefined ? head.leaseRenewedAt : Math.max(heartbeat, head.leaseRenewedAt);
}

/** How long a cluster may stay silent before its lease expires: the grace plus the log's lag (ms). */
export function silenceAllowedMs(leaseDurationSeconds: number, lagMs: number): number {
  return LEASE_GRACE_FACTOR * leaseDurationSeconds * 1000 + lagMs;
}

/**
 * Start of the heartbeat-log window the sweep must read: far enough back to decide every live head
 * (the longest allowed silence among them). Undefined when nothing is live.
 */
export function sweepWindowStart(live: readonly LiveLease[], now: number, lagMs: number): number | undefined {
  if (live.length === 0) return undefined;
  // A loop, not Math.max(...): spreading a fleet's worth of arguments overflows the call stack.
  let longest = 0;
  for (const h of live) longest = Math.max(longest, silenceAllowedMs(h.leaseDurationSeconds, lagMs));
  return now - longest;
}

/**
 * THE EXPIRY DECISION. Given the live set, the latest heartbeat per cluster and the time, the leases
 * that expired: no heartbeat (nor direct renewal) for {@link LEASE_GRACE_FACTOR} lease durations
 * plus `lagMs`, the longest a heartbeat may wait in a process's buffer before it is written.
 */
export function expiredLeases(
  live: readonly LiveLease[],
  heartbeats: ReadonlyMap<string, number>,
  now: number,
  lagMs: number,
): ExpiredLease[] {
  const expired: ExpiredLease[] = [];
  for (const head of live) {
    const seenAt = lastSeen(head, heartbeats.get(head.cluster));
    if (seenAt === undefined) continue;
    if (now - seenAt >= silenceAllowedMs(head.leaseDurationSeconds, lagMs)) expired.push({ cluster: head.cluster, seenAt });
  }
  return expired;
}

/**
 * Should the expiry step drop the lease the sweep found expired at `seenAt`? Only if the head still
 * holds the lease the sweep saw: a head that gained a new lease since (a newer direct renewal) or
 * has none any more (a repeated step) is left alone.
 */
export function dropsLease(head: Pick<ClusterHead, 'leaseRenewedAt'>, seenAt: number): boolean {
  return head.leaseRenewedAt !== undefined && head.leaseRenewedAt <= seenAt;
}

/**
 * The head once its lease is dropped: no renewal time, so it leaves the live set (index attributes
 * go with it) and the next poll's conditional renewal makes it live again, announced.
 */
export function withoutLease(head: ClusterHead): ClusterHead {
  const { leaseRenewedAt: _r, ...rest } = head;
  return rest;
}

/** Whole seconds since `seenAt`, for "no heartbeat for N s" (undefined if never seen). */
export function silentSeconds(seenAt: number | undefined, now: number): number | undefined {
  return seenAt === undefined ? undefined : Math.max(0, Math.round((now - seenAt) / 1000));
}
