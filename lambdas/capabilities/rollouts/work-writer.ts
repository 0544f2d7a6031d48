import { NotFoundError, StateError } from '../../../shared/errors.js';
import { FLEETDEPLOYMENT_LABEL, REVISION_ANNOTATION, REVISION_HASH_ANNOTATION } from '../../../shared/resources/fleetdeployment.js';
import type { Resource } from '../../../shared/resources/meta.js';
import type { WorkSpec } from '../../../shared/resources/work.js';
import type { HubContext } from '../../core/context.js';
import { applyWork, bumpClusterRevision, removeWork } from '../works/works.js';
import { workKind } from '../../../shared/resources/work.js';
import { readResource } from '../../core/typed-resources.js';

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
 *
 * `read` holds what the caller read for this cluster already: the stored Work (strongly
 * consistent, `null` when none) and the Cluster record; without it both are read here.
 */
export async function writeClusterWork(
  ctx: HubContext,
  deployment: string,
  cluster: string,
  revision: { revision: number; hash: string },
  spec: WorkSpec,
  read?: { work: Resource | null; cluster: Resource | null },
): Promise<WriteOutcome> {
  const existing = read
    ? (read.work ?? undefined)
    : await readResource(ctx, workKind, { namespace: cluster, name: deployment }, { consistent: true });
  if (existing && existing.metadata.labels?.[FLEETDEPLOYMENT_LABEL] !== deployment) {
    throw new StateError(
      `cluster ${cluster} already has a Work named "${deployment}" that FleetDeployment ${deployment} did not create; rename one of them`,
    );
  }
  const out = await applyWork(
    ctx,
    {
      cluster,
      name: deployment,
      labels: { ...(existing?.metadata.labels ?? {}), [FLEETDEPLOYMENT_LABEL]: deployment },
      annotations: {
        ...(existing?.metadata.annotations ?? {}),
        [REVISION_ANNOTATION]: String(revision.revision),
        [REVISION_HASH_ANNOTATION]: revision.hash,
      },
      spec,
    },
    { known: { existing: existing ?? null, ...(read ? { cluster: read.cluster } : {}), decorate: false } },
  );
  if (out.action === 'unchanged') await bumpClusterRevision(ctx, cluster);
  return out.action;
}

/**
 * Removes the Work of `deployment` from `cluster` if it is this deployment's; true when it did.
 * `read` is the Work as the caller read it (strongly consistent, `null` when none); without it, it
 * is read here.
 */
export async function removeClusterWork(
  ctx: HubContext,
  deployment: string,
  cluster: string,
  read?: { work: Resource | null },
): Promise<boolean> {
  const existing = read ? read.work : await readResource(ctx, workKind, { namespace: cluster, name: deployment }, { consistent: true });
  if (!existing || existing.metadata.labels?.[FLEETDEPLOYMENT_LABEL] !== deployment) return false;
  try {
    return await removeWork(ctx, cluster, deployment, existing);
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
}
