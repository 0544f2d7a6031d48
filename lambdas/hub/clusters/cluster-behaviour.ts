import { z } from 'zod';
import { AlreadyExistsError, NotFoundError } from '../../../shared/errors.js';
import { canonicalJson } from '../../../shared/hash.js';
import { ClusterConditions, type ClusterSpec, type ClusterStatus } from '../../../shared/resources/cluster.js';
import { setCondition, type Resource } from '../../../shared/resources/meta.js';
import { isoNow } from '../../ports/clock.js';
import type { ClusterHead } from '../../ports/cluster-head-store.js';
import { registerBehaviour, type HubContext } from '../context.js';
import { recomputeClusterMembership, recomputeClustersStep } from '../membership.js';
import { retryOnConflict } from '../retry.js';
import { defineStep, stepMessage } from '../steps.js';

/** Finaliser the hub puts on clusters while their clean-up steps run. */
export const CLUSTER_FINALIZER = 'tether.dev/cluster-cleanup';

/** Creates the cluster's head item if it does not exist yet (idempotent). */
export async function ensureHead(ctx: HubContext, cluster: Resource<ClusterSpec>): Promise<ClusterHead> {
  const existing = await ctx.ports.heads.get(cluster.metadata.name, { consistent: true });
  if (existing) return existing;
  try {
    return await ctx.ports.heads.create({
      cluster: cluster.metadata.name,
      desiredRevision: 1,
      state: cluster.spec.hubAcceptsClient ? 'Accepted' : 'Pending',
      leaseDurationSeconds: cluster.spec.leaseDurationSeconds,
      credentials: [],
    });
  } catch (err) {
    if (err instanceof AlreadyExistsError) {
      const head = await ctx.ports.heads.get(cluster.metadata.name, { consistent: true });
      if (head) return head;
    }
    throw err;
  }
}

/** Keeps the head's copy of spec fields on the poll path (acceptance, lease duration) in step with the record. */
async function syncHead(ctx: HubContext, cluster: Resource<ClusterSpec>): Promise<void> {
  await retryOnConflict(async () => {
    const head = await ensureHead(ctx, cluster);
    let state = head.state;
    if (cluster.spec.hubAcceptsClient && state === 'Pending') state = 'Accepted';
    if (!cluster.spec.hubAcceptsClient && (state === 'Accepted' || state === 'Joined')) state = 'Pending';
    if (state === head.state && head.leaseDurationSeconds === cluster.spec.leaseDurationSeconds) return;
    await ctx.ports.heads.put({ ...head, state, leaseDurationSeconds: cluster.spec.leaseDurationSeconds });
  });
}

function initialStatus(res: Resource, ctx: HubContext): ClusterStatus {
  const spec = res.spec as ClusterSpec;
  const now = isoNow(ctx.ports.clock);
  let conditions = setCondition(
    [],
    spec.hubAcceptsClient
      ? { type: ClusterConditions.HubAccepted, status: 'True', reason: 'HubClusterAdminAccepted', message: 'Accepted by the hub administrator' }
      : { type: ClusterConditions.HubAccepted, status: 'False', reason: 'AwaitingAcceptance', message: 'Waiting for `tether cluster accept`' },
    now,
  );
  conditions = setCondition(conditions, { type: ClusterConditions.Joined, status: 'False', reason: 'AgentNotJoined', message: 'No agent has joined yet' }, now);
  conditions = setCondition(conditions, { type: ClusterConditions.Available, status: 'Unknown', reason: 'NoLease', message: 'The agent has never reported' }, now);
  return { conditions, phase: spec.hubAcceptsClient ? 'Accepted' : 'Pending' };
}

/** Step: finish deleting a cluster once it is marked: memberships, head (credentials), record. */
export const finalizeClusterStep = defineStep({
  type: 'cluster.finalize',
  payload: z.object({ cluster: z.string(), uid: z.string() }),
  async run({ cluster, uid }, ctx) {
    const res = await ctx.ports.resources.get({ kind: 'Cluster', name: cluster }, { consistent: true });
    // A re-created cluster with the same name has another uid: leave it alone.
    if (!res || res.metadata.uid !== uid || !res.metadata.deletionTimestamp) return;
    await recomputeClusterMembership(ctx, cluster);
    await ctx.ports.heads.delete(cluster).catch((err) => {
      if (!(err instanceof NotFoundError)) throw err;
    });
    const latest = await ctx.ports.resources.get({ kind: 'Cluster', name: cluster }, { consistent: true });
    if (latest && latest.metadata.uid === uid) {
      await ctx.ports.resources.delete({ kind: 'Cluster', name: cluster }).catch((err) => {
        if (!(err instanceof NotFoundError)) throw err;
      });
    }
  },
});

registerBehaviour('Cluster', {
  initialStatus,
  async afterCreate(res, ctx) {
    await ensureHead(ctx, res as Resource<ClusterSpec>);
    await ctx.ports.queue.send([stepMessage(recomputeClustersStep, { clusters: [res.metadata.name] })]);
  },
  async afterUpdate(prev, next, ctx) {
    await syncHead(ctx, next as Resource<ClusterSpec>);
    if (canonicalJson(prev.metadata.labels ?? {}) !== canonicalJson(next.metadata.labels ?? {})) {
      await ctx.ports.queue.send([stepMessage(recomputeClustersStep, { clusters: [next.metadata.name] })]);
    }
  },
  async delete(res, ctx) {
    const marked = await retryOnConflict(async () => {
      const cur = await ctx.ports.resources.get({ kind: 'Cluster', name: res.metadata.name }, { consistent: true });
      if (!cur) throw new NotFoundError('Cluster', res.metadata.name);
      if (cur.metadata.deletionTimestamp) return cur;
      const finalizers = [...new Set([...(cur.metadata.finalizers ?? []), CLUSTER_FINALIZER])];
      return ctx.ports.resources.replace(
        { ...cur, metadata: { ...cur.metadata, deletionTimestamp: isoNow(ctx.ports.clock), finalizers } },
        cur.metadata.resourceVersion,
      );
    });
    await ctx.ports.queue.send([stepMessage(finalizeClusterStep, { cluster: marked.metadata.name, uid: marked.metadata.uid })]);
    return { result: 'finalizing', object: marked };
  },
});
