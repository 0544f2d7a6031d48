import type { ClusterHead } from '../../ports/cluster-head-store.js';

/**
 * Lease arithmetic, pure. The agent's poll is its heartbeat: the hub writes the lease on the head
 * at most once per `leaseDurationSeconds`, and counts it expired after {@link LEASE_GRACE_FACTOR}
 * durations without a renewal (as Open Cluster Management does).
 */

/** A lease expires after this many lease durations without a renewal. */
export const LEASE_GRACE_FACTOR = 3;

/** What a poll should do about the lease. */
export interface LeaseDecision {
  /** Write the lease now (one small UpdateItem). */
  renew: boolean;
  /** The new `leaseExpiresAt` when renewing. */
  expiresAt: number;
  /**
   * After a successful renewal, queue the availability step: the head was not live before, so the
   * Cluster record may still say Unknown (never joined, or the lease lapsed).
   */
  announce: boolean;
}

/** Decides whether a poll at `now` renews the lease of `head`. */
export function leaseDecision(head: Pick<ClusterHead, 'leaseDurationSeconds' | 'leaseRenewedAt' | 'leaseExpiresAt'>, now: number): LeaseDecision {
  const durationMs = head.leaseDurationSeconds * 1000;
  const renew = head.leaseRenewedAt === undefined || now - head.leaseRenewedAt >= durationMs;
  return { renew, expiresAt: now + LEASE_GRACE_FACTOR * durationMs, announce: !leaseLive(head, now) };
}

/** True while the head holds a lease that has not expired. */
export function leaseLive(head: Pick<ClusterHead, 'leaseExpiresAt'>, now: number): boolean {
  return head.leaseExpiresAt !== undefined && head.leaseExpiresAt > now;
}

/** True when the head holds a lease that has expired (what the expiry index finds). */
export function leaseExpired(head: Pick<ClusterHead, 'leaseExpiresAt'>, now: number): boolean {
  return head.leaseExpiresAt !== undefined && head.leaseExpiresAt <= now;
}

/**
 * The head once an expired lease is dropped: no expiry (out of the index, so that scheduler cost
 * follows transitions) and no renewal time, so that a poll that read the head before this change
 * fails its conditional renewal instead of silently reviving a lease whose loss the record shows.
 */
export function withoutLease(head: ClusterHead): ClusterHead {
  const { leaseExpiresAt: _e, leaseRenewedAt: _r, ...rest } = head;
  return rest;
}

/** Whole seconds since the last renewal, for "no heartbeat for N s" (undefined if never renewed). */
export function silentSeconds(head: Pick<ClusterHead, 'leaseRenewedAt'>, now: number): number | undefined {
  return head.leaseRenewedAt === undefined ? undefined : Math.max(0, Math.round((now - head.leaseRenewedAt) / 1000));
}
