import { z } from 'zod';
import { NotFoundError, StateError } from '../../../shared/errors.js';
import type { Resource } from '../../../shared/resources/meta.js';
import type { HubContext } from '../../core/context.js';
import { defineStep } from '../../core/steps.js';
import { ensureHead, markClusterForDeletion, normaliseRecord } from './cluster-behaviour.js';
import { readCluster } from './cluster-record.js';
import { mutateHead, revokeAgent } from './head-ops.js';

/**
 * Detach, in Red Hat ACM's order:
 * 1. `POST /v1/clusters/{name}/detach`: head state Detaching and a revision bump, so the agent's
 *    next poll carries `detach: true`; the record's phase is Detaching.
 * 2. The agent removes everything it applied and reports `detached: true`.
 * 3. {@link detachCompleteStep}: the agent is revoked, and the finalise step removes the cluster's
 *    works (clean-up hooks), memberships, head and record.
 * `force` (or a cluster whose agent never joined) skips 2: whatever an agent applied stays on
 * the spoke. Every step re-reads and is idempotent.
 */

/** The answer to a detach request. */
export interface DetachOutcome {
  cluster: Resource;
  /** What happens next, in words for the person who asked. */
  message: string;
  /** `agent`: waiting for the agent; `removed`: finishing without it. */
  mode: 'agent' | 'removed';
}

/** Message of a forced detach of a cluster whose agent had joined. */
export const FORCED_DETACH_MESSAGE = 'detached without the agent: resources it applied remain on the cluster';

/** Starts (or, with `force`, finishes) detaching a cluster. */
export async function detachCluster(ctx: HubContext, name: string, force: boolean, sourceIp?: string): Promise<DetachOutcome> {
  const record = await readCluster(ctx, name);
  if (!record) throw new NotFoundError('Cluster', name);
  if (record.metadata.deletionTimestamp) {
    return { cluster: record, mode: 'removed', message: 'the cluster is already being removed' };
  }
  const head = await ensureHead(ctx, record);
  const agentPresent = head.state === 'Joined' || head.state === 'Detaching';
  if (force || !agentPresent) {
    await revokeAgent(ctx, name, 'Detached');
    const marked = await markClusterForDeletion(ctx, name, record.metadata.uid);
    ctx.ports.audit.record({
      action: 'cluster.detach',
      outcome: 'allowed',
      cluster: name,
      reason: force ? 'forced' : 'no agent joined',
      sourceIp,
    });
    return {
      cluster: marked,
      mode: 'removed',
      message: agentPresent ? FORCED_DETACH_MESSAGE : 'no agent had joined, so nothing was applied on the cluster; it is being removed',
    };
  }
  const next = await mutateHead(ctx, name, (h) => {
    if (h.state === 'Detaching') return h;
    if (h.state !== 'Joined')
      throw new StateError(`cluster "${name}" is ${h.state}; only a joined cluster detaches through its agent (use force)`);
    return { ...h, state: 'Detaching', desiredRevision: h.desiredRevision + 1 };
  });
  if (!next) throw new NotFoundError('Cluster', name);
  const updated = (await normaliseRecord(ctx, name, next)) ?? record;
  ctx.ports.audit.record({ action: 'cluster.detach', outcome: 'allowed', cluster: name, reason: 'waiting for the agent', sourceIp });
  return {
    cluster: updated,
    mode: 'agent',
    message:
      'the agent removes what the hub applied and reports back, then the cluster is removed (use --force if the cluster is gone for good)',
  };
}

/** Step: the agent reported `detached: true`; revoke it and remove the cluster. */
export const detachCompleteStep = defineStep({
  type: 'cluster.detach-complete',
  payload: z.object({ cluster: z.string(), uid: z.string() }),
  async run({ cluster, uid }, ctx) {
    const record = await readCluster(ctx, cluster);
    if (!record || record.metadata.uid !== uid) return;
    const head = await ctx.ports.heads.get(cluster, { consistent: true });
    // Only a detach in progress completes; anything else is a late or forged duplicate.
    if (head && head.state !== 'Detaching' && head.state !== 'Detached') return;
    await revokeAgent(ctx, cluster, 'Detached');
    ctx.ports.audit.record({
      action: 'cluster.detach-complete',
      outcome: 'allowed',
      cluster,
      reason: 'the agent reported its clean-up done',
    });
    await markClusterForDeletion(ctx, cluster, uid).catch((err) => {
      if (!(err instanceof NotFoundError)) throw err;
    });
  },
});
