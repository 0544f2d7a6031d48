import { z } from 'zod';
import { AlreadyExistsError, NotFoundError } from '../../../shared/errors.js';
import { canonicalJson } from '../../../shared/hash.js';
import { ClusterConditions, clusterKind, type ClusterSpec, type ClusterStatus } from '../../../shared/resources/cluster.js';
import { setCondition, type Resource } from '../../../shared/resources/meta.js';
import { isoNow } from '../../ports/clock.js';
import type { ClusterHead, ClusterHeadState } from '../../ports/cluster-head-store.js';
import type { HubContext } from '../../core/context.js';
import { behaviourFor } from '../../core/registry.js';
import { recomputeClusterMembership, recomputeClustersStep } from '../clustersets/membership.js';
import { notifyPlacements, notifyPlacementsOnChange } from '../placements/cluster-changed.js';
import { retryOnConflict } from '../../core/retry.js';
import { defineStep, stepMessage } from '../../core/steps.js';
import { readCluster, updateClusterRecord } from './cluster-record.js';
import { decorateLastSeen } from './last-seen.js';
import { withState } from './cluster-state.js';
import { Reasons, withCondition, withHeadState, withHubTaints, withTaintsOf, type ClusterResource } from './cluster-status.js';
import { mutateHead, revokeAgent, revoked } from './head-ops.js';
import { scheduleUpgradeDeadline, upgradeStarted } from './upgrade.js';
import { deleteResource, readResource } from '../../core/typed-resources.js';

/** Finaliser the hub puts on clusters while their clean-up steps run. */
export const CLUSTER_FINALIZER = 'tether.dev/cluster-cleanup';

/** Creates the cluster's head item if it does not exist yet (idempotent). */
export async function ensureHead(ctx: HubContext, cluster: Resource<ClusterSpec>): Promise<ClusterHead> {
  const existing = await ctx.ports.heads.get(cluster.metadata.name, { consistent: true });
  if (existing) return existing;
  try {
    const version = cluster.spec.agent?.version;
    return await ctx.ports.heads.create({
      cluster: cluster.metadata.name,
      desiredRevision: 1,
      state: cluster.spec.hubAcceptsClient ? 'Accepted' : 'Pending',
      leaseDurationSeconds: cluster.spec.leaseDurationSeconds,
      credentials: [],
      ...(version ? { attrs: { agentVersion: version } } : {}),
    });
  } catch (err) {
    if (err instanceof AlreadyExistsError) {
      const head = await ctx.ports.heads.get(cluster.metadata.name, { consistent: true });
      if (head) return head;
    }
    throw err;
  }
}

/**
 * The head state the acceptance gate calls for. Opening the gate admits a pending or denied
 * cluster; closing it on an admitted cluster is a deny (its agent is cut off). A cluster that
 * never was accepted stays Pending, and detaching clusters are not moved by the gate.
 */
export function headStateForGate(state: ClusterHeadState, hubAcceptsClient: boolean): ClusterHeadState {
  if (hubAcceptsClient) return state === 'Pending' || state === 'Denied' ? 'Accepted' : state;
  return state === 'Accepted' || state === 'Joined' ? 'Denied' : state;
}

/**
 * Keeps the head's copy of what the poll path needs in step with the record: the gate state,
 * the lease duration and the desired agent version (whose change bumps the desired revision, so
 * the agent's next poll sees it). Reads the record itself so a late call never applies an old spec.
 */
export async function syncHead(ctx: HubContext, name: string): Promise<ClusterHead | undefined> {
  const cluster = await readCluster(ctx, name);
  if (!cluster) return undefined;
  await ensureHead(ctx, cluster);
  let revokedNow = false;
  const head = await mutateHead(ctx, name, (h) => {
    let next = h;
    const state = headStateForGate(h.state, cluster.spec.hubAcceptsClient);
    if (state !== h.state) {
      revokedNow = state === 'Denied';
      next = revokedNow ? revoked(h, 'Denied') : { ...h, state };
    }
    const duration = cluster.spec.leaseDurationSeconds;
    // The expiry sweep reads the duration from the head on every tick, so a new one applies at once.
    if (h.leaseDurationSeconds !== duration) next = { ...next, leaseDurationSeconds: duration };
    const want = cluster.spec.agent?.version;
    if (want !== h.attrs?.agentVersion) {
      const { agentVersion: _old, ...attrs } = h.attrs ?? {};
      next = { ...next, attrs: want ? { ...attrs, agentVersion: want } : attrs, desiredRevision: h.desiredRevision + 1 };
    }
    return next;
  });
  if (revokedNow) {
    ctx.ports.audit.record({
      action: 'cluster.credentials-revoked',
      outcome: 'allowed',
      cluster: name,
      reason: 'spec.hubAcceptsClient set to false',
    });
  }
  return head;
}

/** Makes the record's phase, acceptance conditions and hub taints agree with the head. */
export async function normaliseRecord(ctx: HubContext, name: string, head: ClusterHead): Promise<ClusterResource | undefined> {
  return updateClusterRecord(ctx, name, (res, now) => withHubTaints(withHeadState(res, head, now), now));
}

function initialStatus(res: Resource, ctx: HubContext): ClusterStatus {
  const spec = res.spec as ClusterSpec;
  const now = isoNow(ctx.ports.clock);
  let conditions = setCondition(
    [],
    spec.hubAcceptsClient
      ? { type: ClusterConditions.HubAccepted, status: 'True', reason: Reasons.accepted, message: 'Accepted by the hub administrator' }
      : { type: ClusterConditions.HubAccepted, status: 'False', reason: Reasons.awaiting, message: 'Waiting for `tether cluster accept`' },
    now,
  );
  conditions = setCondition(
    conditions,
    { type: ClusterConditions.Joined, status: 'False', reason: Reasons.notJoined, message: 'No agent has joined yet' },
    now,
  );
  conditions = setCondition(
    conditions,
    { type: ClusterConditions.Available, status: 'Unknown', reason: Reasons.noLease, message: 'The agent has never reported' },
    now,
  );
  return { conditions, phase: spec.hubAcceptsClient ? 'Accepted' : 'Pending' };
}

/**
 * Step: finish removing a cluster once it is marked for deletion, in ACM's order: its dependents
 * (memberships, then what other capabilities declared as cluster clean-ups, such as works), then its head (credentials), then the record.
 */
export const finalizeClusterStep = defineStep({
  type: 'cluster.finalize',
  payload: z.object({ cluster: z.string(), uid: z.string() }),
  async run({ cluster, uid }, ctx) {
    const res = await readResource(ctx, clusterKind, { name: cluster }, { consistent: true });
    // A re-created cluster with the same name has another uid: leave it alone.
    if (!res || res.metadata.uid !== uid || !res.metadata.deletionTimestamp) return;
    await notifyPlacements(ctx, cluster);
    await recomputeClusterMembership(ctx, cluster);
    for (const cleanup of ctx.registry.clusterCleanups) await cleanup.run(ctx, cluster);
    await ctx.ports.heads.delete(cluster).catch((err) => {
      if (!(err instanceof NotFoundError)) throw err;
    });
    const latest = await readResource(ctx, clusterKind, { name: cluster }, { consistent: true });
    if (latest && latest.metadata.uid === uid) {
      await deleteResource(ctx, clusterKind, { name: cluster }).catch((err) => {
        if (!(err instanceof NotFoundError)) throw err;
      });
    }
  },
});

/**
 * Marks a cluster for deletion (deletionTimestamp and the clean-up finaliser) and queues the
 * finalise step. Idempotent: a cluster already marked is queued again, harmlessly.
 * With `uid`, acts only on that incarnation of the cluster.
 */
export async function markClusterForDeletion(ctx: HubContext, name: string, uid?: string): Promise<Resource> {
  const marked = await retryOnConflict(ctx.ports.clock, async () => {
    const cur = await readResource(ctx, clusterKind, { name }, { consistent: true });
    if (!cur || (uid !== undefined && cur.metadata.uid !== uid)) throw new NotFoundError('Cluster', name);
    if (cur.metadata.deletionTimestamp) return cur;
    const finalizers = [...new Set([...(cur.metadata.finalizers ?? []), CLUSTER_FINALIZER])];
    return ctx.ports.resources.replace(
      { ...cur, metadata: { ...cur.metadata, deletionTimestamp: isoNow(ctx.ports.clock), finalizers } },
      cur.metadata.resourceVersion,
    );
  });
  await ctx.ports.queue.send([stepMessage(finalizeClusterStep, { cluster: marked.metadata.name, uid: marked.metadata.uid })]);
  return marked;
}

/** What the resource service does around Cluster writes: the head item, memberships, placements, upgrades. */
export const clusterBehaviour = behaviourFor(clusterKind, {
  initialStatus,
  /**
   * The hub's taints follow the Available condition whatever the user writes: a new cluster has
   * never reported, so it is created with the unreachable taint (see hubTaintFor), and an apply
   * that leaves a hub taint out (or adds one) does not change them.
   */
  hubOwnedSpec(res, prev, ctx) {
    return withHubTaints(prev ? withTaintsOf(res, prev) : res, isoNow(ctx.ports.clock)).spec;
  },
  /**
   * `status.lastSeen` from the head and the heartbeat log (./last-seen.ts) and `status.state`
   * (./cluster-state.ts): reads only, no write.
   */
  async decorate(res, ctx) {
    return withState((await decorateLastSeen(ctx, [res]))[0]);
  },
  async decorateMany(items, ctx) {
    return (await decorateLastSeen(ctx, items)).map(withState);
  },
  async afterCreate(res, ctx) {
    await ensureHead(ctx, res);
    await ctx.ports.queue.send([stepMessage(recomputeClustersStep, { clusters: [res.metadata.name] })]);
    await notifyPlacements(ctx, res.metadata.name);
  },
  async afterUpdate(prev, next, ctx) {
    const name = next.metadata.name;
    const head = await syncHead(ctx, name);
    const before = prev.spec.agent?.version;
    const target = next.spec.agent?.version;
    const upgrading = target !== undefined && target !== before;
    const record = await updateClusterRecord(
      ctx,
      name,
      (res, now) => {
        let out = head ? withHeadState(res, head, now) : res;
        // Only an upgrade that is still the desired one is tracked (a later update may have moved on).
        if (upgrading && res.spec.agent?.version === target) out = withCondition(out, upgradeStarted(out, target), now);
        return withHubTaints(out, now);
      },
      { uid: next.metadata.uid },
    );
    if (upgrading && record && record.spec.agent?.version === target && record.status?.agentVersion !== target) {
      await scheduleUpgradeDeadline(ctx, record, target);
    }
    if (canonicalJson(prev.metadata.labels ?? {}) !== canonicalJson(next.metadata.labels ?? {})) {
      await ctx.ports.queue.send([stepMessage(recomputeClustersStep, { clusters: [name] })]);
    }
    await notifyPlacementsOnChange(ctx, prev, next);
  },
  /** Deleting a cluster is a forced detach: the agent is cut off at once, then the steps clean up. */
  async delete(res, ctx) {
    await revokeAgent(ctx, res.metadata.name, 'Detached');
    ctx.ports.audit.record({
      action: 'cluster.delete',
      outcome: 'allowed',
      cluster: res.metadata.name,
      reason: 'credentials revoked; clean-up queued',
    });
    return { result: 'finalizing', object: await markClusterForDeletion(ctx, res.metadata.name) };
  },
});
