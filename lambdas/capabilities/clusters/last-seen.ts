import type { ClusterStatus } from '../../../shared/resources/cluster.js';
import type { HubContext } from '../../core/context.js';
import type { ClusterHead } from '../../ports/cluster-head-store.js';
import { lastSeen, leaseLive, sweepWindowStart } from './cluster-lease.js';
import type { ClusterResource } from './cluster-status.js';

/**
 * `status.lastSeen` at read time: when the hub last heard from the cluster's agent.
 *
 * The poll path writes nothing to the Cluster record (an idle poll is one GetItem of the head and,
 * at most every half lease, a heartbeat in the batched heartbeat log), so the stored `lastSeen`
 * only moves when the agent's report changes the record, or when a lease expires. Reading a record
 * through the admin API fills it in from what is stored anyway: the head (its lease renewal) and
 * the heartbeat log. That costs admin reads, never a write of the poll path.
 *
 * Precision: a live agent's heartbeat is recorded at most every half lease and written within the
 * heartbeat flush interval (10 s by default), so `lastSeen` of a healthy cluster is at most half a
 * lease plus the flush interval old (40 s with the default 60 s lease); an agent that stopped shows
 * its real last heartbeat, growing older.
 */

/**
 * The last sign of life (epoch ms) of each named cluster that holds a lease: one batched read of the
 * heads and one read of the heartbeat log over the window the expiry sweep reads, for all of them.
 * Clusters without a lease are absent (their record keeps the time the lease expired).
 */
export async function lastHeartbeats(ctx: HubContext, names: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (names.length === 0) return out;
  // One cluster (a get, or a write's answer): a GetItem; a page: BatchGetItem.
  const read = names.length === 1 ? [await ctx.ports.heads.get(names[0])] : await ctx.ports.heads.getMany(names);
  const heads = read.filter((h): h is ClusterHead => h !== undefined && leaseLive(h));
  const now = ctx.ports.clock.now();
  const from = sweepWindowStart(heads, now, ctx.ports.heartbeats.lagMs);
  if (from === undefined) return out;
  const beats = await ctx.ports.heartbeats.read(from, now);
  for (const head of heads) {
    const at = lastSeen(head, beats.get(head.cluster));
    if (at !== undefined) out.set(head.cluster, at);
  }
  return out;
}

/** The record with `status.lastSeen` moved to `at` (epoch ms) when that is later than what it says. */
export function withLastSeen(res: ClusterResource, at: number | undefined): ClusterResource {
  if (at === undefined) return res;
  const status = (res.status ?? { conditions: [] }) as ClusterStatus;
  const stored = status.lastSeen ? Date.parse(status.lastSeen) : NaN;
  if (Number.isFinite(stored) && stored >= at) return res;
  return { ...res, status: { ...status, lastSeen: new Date(at).toISOString() } };
}

/** Read-time decoration of Cluster records: each `status.lastSeen` from the heads and the heartbeat log. */
export async function decorateLastSeen(ctx: HubContext, records: readonly ClusterResource[]): Promise<ClusterResource[]> {
  const seen = await lastHeartbeats(
    ctx,
    records.map((r) => r.metadata.name),
  );
  return records.map((r) => withLastSeen(r, seen.get(r.metadata.name)));
}
