import { NotFoundError, StateError } from '../../../shared/errors.js';
import { FLEETDEPLOYMENT_LABEL, REVISION_ANNOTATION, REVISION_HASH_ANNOTATION } from '../../../shared/resources/fleetdeployment.js';
import type { WorkSpec } from '../../../shared/resources/work.js';
import type { HubContext } from '../context.js';
import { applyWork, bumpClusterRevision, removeWork } from '../works/works.js';

/**
 * Writes and removes the per-cluster Works of a FleetDeployment through the Work capability (so
 * its checks, size limits and revision bumps apply). A Work is named after its deployment, lives in
 * its cluster, and carries the label `tether.dev/fleetdeployment` and the revision annotations.
 * Both operations are idempotent.
 */

/** What a write did. */
export type WriteOutcome = 'created' | 'configured' | 'unchanged';

/**
 * Creates or updates the Work of `deployment` on `cluster`. An unchanged Work is left alone, but
 * its cluster's head is still bumped: an earlier delivery of the same step may have written the
 * Work and stopped before the bump, and an extra bump only costs the agent one full poll.
 * @throws StateError when a Work of that name exists and belongs to something else; what
 * {@link applyWork} throws (cluster missing or leaving, size limits).
 */
export async function writeClusterWork(ctx: HubContext, deployment: string, cluster: string, revision: { revision: number; hash: string }, spec: WorkSpec): Promise<WriteOutcome> {
  const existing = await ctx.ports.resources.get({ kind: 'Work', namespace: cluster, name: deployment }, { consistent: true });
  if (existing && existing.metadata.labels?.[FLEETDEPLOYMENT_LABEL] !== deployment) {
    throw new StateError(`cluster ${cluster} already has a Work named "${deployment}" that FleetDeployment ${deployment} did not create; rename one of them`);
  }
  const out = await applyWork(ctx, {
    cluster,
    name: deployment,
    labels: { ...(existing?.metadata.labels ?? {}), [FLEETDEPLOYMENT_LABEL]: deployment },
    annotations: { ...(existing?.metadata.annotations ?? {}), [REVISION_ANNOTATION]: String(revision.revision), [REVISION_HASH_ANNOTATION]: revision.hash },
    spec,
  });
  if (out.action === 'unchanged') await bumpClusterRevision(ctx, cluster);
  return out.action;
}

/** Removes the Work of `deployment` from `cluster` if it is this deployment's; true when it did. */
export async function removeClusterWork(ctx: HubContext, deployment: string, cluster: string): Promise<boolean> {
  const existing = await ctx.ports.resources.get({ kind: 'Work', namespace: cluster, name: deployment }, { consistent: true });
  if (!existing || existing.metadata.labels?.[FLEETDEPLOYMENT_LABEL] !== deployment) return false;
  try {
    return await removeWork(ctx, cluster, deployment);
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
}
