import { NotFoundError } from '../../../shared/errors.js';
import type { DesiredWork } from '../../../shared/protocol/v1.js';
import { workKind, type WorkSpec, type WorkStatus } from '../../../shared/resources/work.js';
import { API_VERSION, type Resource } from '../../../shared/resources/meta.js';
import type { HubContext } from '../../core/context.js';
import { parseDesired, ResourceService } from '../../core/resource-service.js';
import { withKnownCluster } from './known-cluster.js';
import { deleteWorkStatus, readWorkStatus, statusOfItem, WORK_STATUS_KIND, type WorkStatusItem } from './work-status-store.js';
import { deleteResource, listResources, readResource, readResources } from '../../core/typed-resources.js';

/**
 * The Work use cases other capabilities call (FleetDeployment writes works through these, the
 * agent API reads them). Writes go through the resource service, so validation, size limits and
 * revision bumps are the same as for the admin API.
 */

/** A Work as the hub returns it. */
export type WorkResource = Resource<WorkSpec, WorkStatus>;

/** What {@link applyWork} takes. */
export interface WorkInput {
  cluster: string;
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** A Work spec as a user would write it (validated and defaulted here). */
  spec: unknown;
}

/**
 * What a caller that already read them passes to {@link applyWork}, so that they are not read again
 * (the fan-out reads a whole batch of clusters and works at once).
 */
export interface KnownWorkState {
  /** The stored work, read strongly consistently; `null` when that read found none. */
  existing?: Resource | null;
  /** The work's Cluster record (as the Work checks read it: eventually consistent); `null` when none. */
  cluster?: Resource | null;
  /** False: return the work as stored, without reading its status item. */
  decorate?: boolean;
}

/** Page size when walking a cluster's works. */
const PAGE = 200;

/** Reads one work with its status, or undefined. */
export async function readWork(ctx: HubContext, cluster: string, name: string): Promise<WorkResource | undefined> {
  const work = await readResource(ctx, workKind, { name, namespace: cluster });
  if (!work) return undefined;
  return { ...(work as WorkResource), status: await readWorkStatus(ctx, work) };
}

/**
 * Many works with their status, in few round trips (batched reads of the works, then of the status
 * items of those that exist). The answer is aligned with `keys`.
 */
export async function readWorks(
  ctx: HubContext,
  keys: readonly { cluster: string; name: string }[],
): Promise<(WorkResource | undefined)[]> {
  const works = await readResources(
    ctx,
    workKind,
    keys.map((k) => ({ name: k.name, namespace: k.cluster })),
  );
  const found = works.filter((w) => w !== undefined);
  const items = await ctx.ports.resources.getMany(
    found.map((w) => ({ kind: WORK_STATUS_KIND, name: w.metadata.name, namespace: w.metadata.namespace })),
  );
  const status = new Map(found.map((w, i) => [w, statusOfItem(w, items[i] as WorkStatusItem | undefined)]));
  return works.map((w) => (w ? { ...w, status: status.get(w) } : undefined));
}

/**
 * Creates or updates a work (create-or-replace, as `apply`): `unchanged` writes nothing and bumps
 * nothing. Throws what the admin API would answer: ValidationError, NotFoundError (no such
 * cluster), PayloadTooLargeError, ConflictError. `known` saves the reads its caller did already.
 */
export async function applyWork(
  ctx: HubContext,
  input: WorkInput,
  opts: { dryRun?: boolean; known?: KnownWorkState } = {},
): Promise<{ action: 'created' | 'configured' | 'unchanged'; work?: WorkResource }> {
  const doc = {
    apiVersion: API_VERSION,
    kind: 'Work',
    metadata: {
      name: input.name,
      namespace: input.cluster,
      ...(input.labels ? { labels: input.labels } : {}),
      ...(input.annotations ? { annotations: input.annotations } : {}),
    },
    spec: input.spec,
  };
  const desired = parseDesired(doc, workKind, `Work "${input.cluster}/${input.name}"`);
  const known = opts.known ?? {};
  const service = new ResourceService(known.cluster !== undefined ? withKnownCluster(ctx, input.cluster, known.cluster) : ctx);
  const out = await service.apply(desired, opts.dryRun ?? false, { existing: known.existing, decorate: known.decorate });
  return { action: out.action, ...(out.object ? { work: out.object as WorkResource } : {}) };
}

/**
 * Deletes a work (the agent then removes what it applied, per deleteOption). False when it did not
 * exist. `existing` is the work as the caller just read it (strongly consistent), if it did.
 */
export async function removeWork(ctx: HubContext, cluster: string, name: string, existing?: Resource): Promise<boolean> {
  try {
    await new ResourceService(ctx).delete(workKind, name, cluster, existing);
    return true;
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
}

/** The works of a cluster, a page at a time, in name order (without status). */
export async function listClusterWorks(
  ctx: HubContext,
  cluster: string,
  opts: { limit?: number; cursor?: string; consistent?: boolean } = {},
): Promise<{ items: WorkResource[]; cursor?: string }> {
  const page = await listResources(ctx, workKind, {
    namespace: cluster,
    limit: opts.limit ?? PAGE,
    cursor: opts.cursor,
    consistent: opts.consistent,
  });
  return { items: page.items as WorkResource[], cursor: page.cursor };
}

/** A work as the agent receives it. */
export function toDesiredWork(work: Resource): DesiredWork {
  const spec = work.spec as WorkSpec;
  return {
    name: work.metadata.name,
    uid: work.metadata.uid,
    generation: work.metadata.generation,
    manifests: spec.workload.manifests as Record<string, unknown>[],
    manifestConfigs: (spec.manifestConfigs ?? []) as Record<string, unknown>[],
    ...(spec.deleteOption ? { deleteOption: spec.deleteOption as Record<string, unknown> } : {}),
  };
}

/**
 * Every work of `cluster` for its desired state, in name order. Read only when the poll answers
 * 200 (the revision moved), never on an idle poll.
 */
export async function loadDesiredWorks(ctx: HubContext, cluster: string): Promise<DesiredWork[]> {
  const out: DesiredWork[] = [];
  let cursor: string | undefined;
  do {
    const page = await listClusterWorks(ctx, cluster, { cursor });
    for (const work of page.items) if (!work.metadata.deletionTimestamp) out.push(toDesiredWork(work));
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/**
 * Deletes every work of a cluster that is going away, with their status items. Idempotent (the
 * cluster's finalise step repeats it on redelivery). No revision bump: the cluster is leaving, and
 * its agent was told to clean up through the detach flag.
 */
export async function deleteClusterWorks(ctx: HubContext, cluster: string): Promise<number> {
  let deleted = 0;
  for (;;) {
    // Always the first page: what was deleted is gone, so the next read starts where work remains.
    const page = await listClusterWorks(ctx, cluster, { consistent: true });
    if (!page.items.length) break;
    for (const work of page.items) {
      await deleteResource(ctx, workKind, { name: work.metadata.name, namespace: cluster }).catch((err) => {
        if (!(err instanceof NotFoundError)) throw err;
      });
      await deleteWorkStatus(ctx, cluster, work.metadata.name);
      deleted++;
    }
  }
  // Status items whose work went first (a step that stopped between the two deletes).
  for (;;) {
    const orphans = await ctx.ports.resources.list(WORK_STATUS_KIND, { namespace: cluster, limit: PAGE, consistent: true });
    if (!orphans.items.length) return deleted;
    for (const item of orphans.items) await deleteWorkStatus(ctx, cluster, item.metadata.name);
  }
}

/** Makes the agent of `cluster` see a change of its works on its next poll. A cluster without a head has no agent to tell. */
export async function bumpClusterRevision(ctx: HubContext, cluster: string): Promise<void> {
  await ctx.ports.heads.bumpRevision(cluster).catch((err) => {
    if (!(err instanceof NotFoundError)) throw err;
  });
}
