import { z } from 'zod';
import { isoNow } from '../../ports/clock.js';
import type { HubContext } from '../../core/context.js';
import { notifyPlacements, notifyPlacementsOnChange } from '../placements/cluster-changed.js';
import { retryOnConflict } from '../../core/retry.js';
import type { PeriodicTask } from '../../core/periodic-tasks.js';
import { defineStep, stepMessage } from '../../core/steps.js';
import { availabilityFor, recordChanged, withAvailable } from './cluster-status.js';
import {
  agentOnline,
  dropsLease,
  expiredLeases,
  leaseLive,
  silentSeconds,
  sweepWindowStart,
  withoutLease,
  type LiveLease,
} from './cluster-lease.js';
import { mutateHead } from './head-ops.js';
import { publish } from '../../core/events.js';
import { availableStatus, clusterAvailabilityChanged } from './events.js';
import { clusterKind } from '../../../shared/resources/cluster.js';
import { readResource } from '../../core/typed-resources.js';
import { withLastSeen } from './last-seen.js';

/**
 * Availability follows the lease on the head. Two events move it, and both end in
 * {@link reconcileAvailability}:
 * - a poll gives a lease to a head that held none (the agent is back, or polls for the first time);
 * - the scheduler's sweep finds a live head without a recent heartbeat, and the step drops its lease.
 *
 * The sweep's cost per tick follows the fleet's size, never its poll rate: it lists the live set
 * (the lease index, whose entries move only on transitions) and reads the batched heartbeat log of
 * the window once.
 */

/** Expired leases handled per scheduler tick at most; the rest wait for the next tick. */
export const EXPIRY_BATCH_LIMIT = 1000;

/** Step messages per queue send. */
const PAGE = 100;

/**
 * Heads per page when listing the live set: a page of 1,000 heads (about 400 KB) stays under
 * DynamoDB's 1 MB per Query, and 100,000 live clusters take 7 pages per segment.
 */
const LIVE_SET_PAGE = 1000;

/**
 * Makes the record's Available condition (and its taint) agree with the head's lease.
 *
 * Order matters without transactions: the record is read first, then the head, and the write is
 * conditional on the record's version. Every head change that can move availability queues this
 * again, so whichever run reads the newest head also writes last (an older run's write conflicts
 * and is recomputed).
 */
export async function reconcileAvailability(
  ctx: HubContext,
  cluster: string,
  silentFor?: number,
  seenAt?: number,
  opts: { announce?: boolean } = {},
): Promise<void> {
  await retryOnConflict(ctx.ports.clock, async () => {
    const record = await readResource(ctx, clusterKind, { name: cluster }, { consistent: true });
    if (!record || record.metadata.deletionTimestamp) return;
    const head = await ctx.ports.heads.get(cluster, { consistent: true });
    if (!head) return;
    const live = agentOnline(head);
    const condition = availabilityFor(record, live, silentFor);
    if (!condition) return;
    // A lost lease keeps the last heartbeat on the record: reads can no longer find it on the head.
    const next = withLastSeen(withAvailable(record, condition, isoNow(ctx.ports.clock)), seenAt);
    if (!recordChanged(record, next)) {
      // A redelivery: the dead attempt may have written the record and died before telling the
      // placements and the subscribers (the inventory's ClusterProfiles), so tell them again.
      if (opts.announce) {
        await notifyPlacements(ctx, cluster);
        await publish(ctx, clusterAvailabilityChanged, [{ cluster }]);
      }
      return;
    }
    await notifyPlacementsOnChange(ctx, record, await ctx.ports.resources.replace(next, record.metadata.resourceVersion));
    if (availableStatus(record) !== availableStatus(next)) await publish(ctx, clusterAvailabilityChanged, [{ cluster }]);
  });
}

/** Step: a poll renewed a lease that was not live; the record may still say Unknown. */
export const leaseRenewedStep = defineStep({
  type: 'cluster.lease-renewed',
  payload: z.object({ cluster: z.string() }),
  async run({ cluster }, ctx, delivery) {
    await reconcileAvailability(ctx, cluster, undefined, undefined, { announce: delivery.attempt > 1 });
  },
});

/**
 * Step: the sweep found this lease expired, the cluster last seen at `seenAt`. Re-reads the head
 * consistently and drops the lease only if it is still the one the sweep judged (a poll that made
 * the head live again since wins), then marks the record Unknown. A repeat after a crash between
 * the two writes finds no lease and still reconciles the record.
 */
export const leaseExpiredStep = defineStep({
  type: 'cluster.lease-expired',
  payload: z.object({ cluster: z.string(), seenAt: z.number() }),
  async run({ cluster, seenAt }, ctx, delivery) {
    const head = await mutateHead(ctx, cluster, (h) => (dropsLease(h, seenAt) ? withoutLease(h) : h));
    // Only a head that is now without a lease needs the record told why.
    const lost = head !== undefined && !leaseLive(head);
    const silentFor = lost ? silentSeconds(seenAt, ctx.ports.clock.now()) : undefined;
    await reconcileAvailability(ctx, cluster, silentFor, lost ? seenAt : undefined, { announce: delivery.attempt > 1 });
  },
});

/**
 * Every head of the live set (the lease index): its segments concurrently, each page by page, so a
 * tick waits for the longest segment rather than for all of them in turn.
 */
async function listLiveSet(ctx: HubContext): Promise<LiveLease[]> {
  const { heads } = ctx.ports;
  const segments = await Promise.all(
    Array.from({ length: heads.leaseSegments }, async (_, segment) => {
      const live: LiveLease[] = [];
      let cursor: string | undefined;
      do {
        const page = await heads.listLeases(LIVE_SET_PAGE, cursor, segment);
        for (const lease of page.leases) live.push(lease);
        cursor = page.cursor;
      } while (cursor);
      return live;
    }),
  );
  return segments.flat();
}

/** Periodic task: finds clusters whose lease expired (cost grows with transitions, not fleet size). */
export const leaseExpiryTask: PeriodicTask = {
  name: 'cluster.lease-expiry',
  async run(ctx) {
    const now = ctx.ports.clock.now();
    const live = await listLiveSet(ctx);
    const lagMs = ctx.ports.heartbeats.lagMs;
    const from = sweepWindowStart(live, now, lagMs);
    if (from === undefined) return { transitions: 0 };
    const heartbeats = await ctx.ports.heartbeats.read(from, now);
    const expired = expiredLeases(live, heartbeats, now, lagMs).slice(0, EXPIRY_BATCH_LIMIT);
    for (let i = 0; i < expired.length; i += PAGE) {
      await ctx.ports.queue.send(expired.slice(i, i + PAGE).map((e) => stepMessage(leaseExpiredStep, e)));
    }
    return { transitions: expired.length };
  },
};
