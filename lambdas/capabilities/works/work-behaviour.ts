import { NotFoundError, StateError, ValidationError } from '../../../shared/errors.js';
import type { Resource } from '../../../shared/resources/meta.js';
import { workKind } from '../../../shared/resources/work.js';
import type { HubContext } from '../../core/context.js';
import { behaviourFor } from '../../core/registry.js';
import { clusterRecordFor } from './known-cluster.js';
import { checkWorkSize, checkWorkSpec } from './work-checks.js';
import { checkDesiredStateSize, forgetWorkSize, recordWorkSize } from './desired-size.js';
import { deleteWorkStatus, readWorkStatus } from './work-status-store.js';
import { bumpClusterRevision } from './works.js';

/**
 * The Work kind's behaviour: checks on write, a desired-revision bump whenever a cluster's works
 * change (so its agent sees the change on the next poll), status merged in on read, and Secret
 * values hidden in lists (declared in ./capability.ts).
 */

function label(work: Resource): string {
  return `Work "${work.metadata.namespace ?? ''}/${work.metadata.name}"`;
}

/** The cluster a work belongs to must exist and not be on its way out. */
async function checkCluster(ctx: HubContext, work: Resource): Promise<void> {
  const cluster = work.metadata.namespace;
  if (!cluster) {
    throw new ValidationError(`${label(work)} needs metadata.namespace set to its cluster's name`, [
      { path: 'metadata.namespace', message: 'required' },
    ]);
  }
  const record = await clusterRecordFor(ctx, cluster);
  if (!record) {
    throw new NotFoundError('Cluster', cluster, {
      cause: new Error(`works belong to a cluster; create or import cluster "${cluster}" first`),
    });
  }
  if (record.metadata.deletionTimestamp)
    throw new StateError(`cluster "${cluster}" is being removed; its works cannot be created or changed`);
}

export const workBehaviour = behaviourFor(workKind, {
  async validate(next, prev, ctx) {
    await checkCluster(ctx, next);
    checkWorkSpec(next.spec, label(next));
    checkWorkSize(next, label(next), (json) => ctx.ports.resources.storedBodyBytes(json));
    // Last: the one check that reads (a Query of the cluster's size index, never the works).
    await checkDesiredStateSize(ctx, next, prev);
  },
  async afterCreate(res, ctx) {
    await recordWorkSize(ctx, res);
    await bumpClusterRevision(ctx, res.metadata.namespace ?? '');
  },
  async afterUpdate(prev, next, ctx) {
    // Labels and annotations are not part of what the agent applies; only a spec change is.
    if (prev.metadata.generation !== next.metadata.generation) {
      await recordWorkSize(ctx, next);
      await bumpClusterRevision(ctx, next.metadata.namespace ?? '');
    }
  },
  async afterDelete(res, ctx) {
    const cluster = res.metadata.namespace ?? '';
    await deleteWorkStatus(ctx, cluster, res.metadata.name);
    await forgetWorkSize(ctx, cluster, res.metadata.name);
    await bumpClusterRevision(ctx, cluster);
  },
  async decorate(res, ctx) {
    return { ...res, status: await readWorkStatus(ctx, res) };
  },
});
