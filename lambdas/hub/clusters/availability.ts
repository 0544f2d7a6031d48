import { z } from 'zod';
import { isoNow } from '../../ports/clock.js';
import type { HubContext } from '../context.js';
import { notifyPlacementsOnChange } from '../placements/cluster-changed.js';
import { retryOnConflict } from '../retry.js';
import { registerPeriodicTask } from '../scheduler.js';
import { defineStep, stepMessage } from '../steps.js';
import { availabilityFor, recordChanged, withAvailable, type ClusterResource } from './cluster-status.js';
import { leaseExpired, leaseLive, silentSeconds, withoutLease } from './lease.js';
import { mutateHead } from './head-ops.js';

/**
 * Availability follows the lease on the head. Two events move it, and both end in
 * {@link reconcileAvailability}:
 * - a poll renews a lease that was not live (the agent is back, or polls for the first time);
 * - the scheduler finds a lease in the expiry index and the step confirms it expired.
 *
 * The scheduler's cost follows transitions: the index holds only heads with a lease, and a lost
 * lease leaves the index when its expiry is handled.
 */

/** Expired leases handled per scheduler tick at most; the rest wait for the next tick. */
export const EXPIRY_BATCH_LIMIT = 1000;

/**
 * Makes the record's Available condition (and its taint) agree with the head's lease.
 *
 * Order matters without transactions: the record is read first, then the head, and the write is
 * conditional on the record's version. Every head change that can move availability queues this
 * again, so whichever run reads the newest head also writes last (an older run's write conflicts
 * and is recomputed).
 */
export async function reconcileAvailability(ctx: HubContext, cluster: string, silentFor?: number): Promise<void> {
  await retryOnConflict(async () => {
    const record = (await ctx.ports.resources.get({ kind: 'Cluster', name: cluster }, { consistent: true })) as ClusterResource | undefined;
    if (!record || record.metadata.deletionTimestamp) return;
    const head = await ctx.ports.heads.get(cluster, { consistent: true });
    if (!head) return;
    const now = ctx.ports.clock.now();
    const live = leaseLive(head, now) && (head.state === 'Joined' || head.state === 'Detaching');
    const condition = availabilityFor(record, live, silentFor);
    if (!condition) return;
    const next = withAvailable(record, condition, isoNow(ctx.ports.clock));
    if (!recordChanged(record, next)) return;
    await notifyPlacementsOnChange(ctx, record, await ctx.ports.resources.replace(next, record.metadata.resourceVersion));
  });
}

/** Step: a poll renewed a lease that was not live; the record may still say Unknown. */
export const leaseRenewedStep = defineStep({
  type: 'cluster.lease-renewed',
  payload: z.object({ cluster: z.string() }),
  async run({ cluster }, ctx) {
    await reconcileAvailability(ctx, cluster);
  },
});

/**
 * Step: the expiry index says this lease expired. Re-checks with a consistent read (the index lags,
 * and a renewal may have won), drops the lease from the head, then marks the record Unknown.
 * A repeat after a crash between the two writes finds no lease and still reconciles the record.
 */
export const leaseExpiredStep = defineStep({
  type: 'cluster.lease-expired',
  payload: z.object({ cluster: z.string() }),
  async run({ cluster }, ctx) {
    let silentFor: number | undefined;
    await mutateHead(ctx, cluster, (head) => {
      const now = ctx.ports.clock.now();
      if (!leaseExpired(head, now)) return head;
      silentFor = silentSeconds(head, now);
      return withoutLease(head);
    });
    await reconcileAvailability(ctx, cluster, silentFor);
  },
});

registerPeriodicTask({
  name: 'cluster.lease-expiry',
  async run(ctx) {
    const now = ctx.ports.clock.now();
    let cursor: string | undefined;
    let found = 0;
    do {
      const page = await ctx.ports.heads.listExpiredLeases(now, 100, cursor);
      if (page.heads.length) await ctx.ports.queue.send(page.heads.map((h) => stepMessage(leaseExpiredStep, { cluster: h.cluster })));
      found += page.heads.length;
      cursor = page.cursor;
    } while (cursor && found < EXPIRY_BATCH_LIMIT);
    return { transitions: found };
  },
});
