import { AlreadyExistsError, ConflictError, NotFoundError, PayloadTooLargeError } from '../../../shared/errors.js';
import { API_VERSION, type Resource } from '../../../shared/resources/meta.js';
import type { WorkStatus } from '../../../shared/resources/work.js';
import { isoNow } from '../../ports/clock.js';
import type { HubContext } from '../../core/context.js';
import { retryOnConflict } from '../../core/retry.js';

/**
 * A Work's status lives in its own small item beside the work (kind `WorkStatus`, same cluster and
 * name), not in the Work item. Reports rewrite status far more often than people change a work, and
 * a work may be hundreds of kilobytes: apart, a report costs a write of the status only, and a
 * report never conflicts with a concurrent change of the spec.
 */

/** Internal kind of status items; not an API kind, so no route serves it. */
export const WORK_STATUS_KIND = 'WorkStatus';

/** A status item: which incarnation of the work (uid) it describes, and the status. */
export type WorkStatusItem = Resource<{ workUid: string }, WorkStatus>;

/** The status of a work that no agent has reported on yet. */
export function emptyWorkStatus(): WorkStatus {
  return { conditions: [] };
}

/** Reads the status item of a work, or undefined. */
export async function readStatusItem(
  ctx: HubContext,
  cluster: string,
  name: string,
  consistent = false,
): Promise<WorkStatusItem | undefined> {
  return (await ctx.ports.resources.get({ kind: WORK_STATUS_KIND, name, namespace: cluster }, { consistent })) as
    WorkStatusItem | undefined;
}

/** The status of this work: its status item if it belongs to this incarnation (uid), else empty. */
export async function readWorkStatus(ctx: HubContext, work: Resource): Promise<WorkStatus> {
  return statusOfItem(work, await readStatusItem(ctx, work.metadata.namespace ?? '', work.metadata.name));
}

/** Pure: the status a status item gives this work (empty when it describes another incarnation). */
export function statusOfItem(work: Resource, item: WorkStatusItem | undefined): WorkStatus {
  return item && item.spec.workUid === work.metadata.uid && item.status ? item.status : emptyWorkStatus();
}

/** Trims what a status may shed to fit: feedback values and long messages (conditions stay). */
function slim(status: WorkStatus): WorkStatus {
  const manifests = status.resourceStatus?.manifests.map((m) => ({
    resourceMeta: m.resourceMeta,
    conditions: m.conditions.map((c) => ({ ...c, message: c.message.slice(0, 256) })),
  }));
  return { ...status, ...(manifests ? { resourceStatus: { manifests } } : {}), driftEvents: status.driftEvents?.slice(-10) };
}

/**
 * Read-modify-write of a work's status item, conditional on its version and retried on conflict.
 * `change` gets the current status of this incarnation (or undefined) and returns the next one, or
 * undefined to write nothing. A status too big for an item is written slimmed rather than lost.
 * Returns the status before and after, or undefined when nothing was written.
 */
export async function updateWorkStatus(
  ctx: HubContext,
  work: Resource,
  change: (current: WorkStatus | undefined) => WorkStatus | undefined,
): Promise<{ before?: WorkStatus; after: WorkStatus } | undefined> {
  const cluster = work.metadata.namespace ?? '';
  const name = work.metadata.name;
  return retryOnConflict(ctx.ports.clock, async () => {
    const item = await readStatusItem(ctx, cluster, name, true);
    const current = item && item.spec.workUid === work.metadata.uid ? item.status : undefined;
    const next = change(current);
    if (!next) return undefined;
    const write = async (status: WorkStatus) => {
      if (!item) {
        const created: WorkStatusItem = {
          apiVersion: API_VERSION,
          kind: WORK_STATUS_KIND,
          metadata: {
            name,
            namespace: cluster,
            uid: ctx.ports.ids.uid(),
            resourceVersion: '0',
            generation: 1,
            creationTimestamp: isoNow(ctx.ports.clock),
          },
          spec: { workUid: work.metadata.uid },
          status,
        };
        await ctx.ports.resources.create(created);
      } else {
        await ctx.ports.resources.replace({ ...item, spec: { workUid: work.metadata.uid }, status }, item.metadata.resourceVersion);
      }
    };
    try {
      await write(next);
    } catch (err) {
      // A concurrent first report created the item: re-read and merge through the conflict path.
      if (err instanceof AlreadyExistsError) throw new ConflictError('status item created concurrently', undefined, { cause: err });
      if (!(err instanceof PayloadTooLargeError)) throw err;
      ctx.ports.log.warn('work status too large for one item; stored without feedback values', {
        cluster,
        work: name,
        limitBytes: err.limitBytes,
        actualBytes: err.actualBytes,
      });
      await write(slim(next));
    }
    return { before: current, after: next };
  });
}

/** Deletes a work's status item; a missing one is fine (steps repeat). */
export async function deleteWorkStatus(ctx: HubContext, cluster: string, name: string): Promise<void> {
  await ctx.ports.resources.delete({ kind: WORK_STATUS_KIND, name, namespace: cluster }).catch((err) => {
    if (!(err instanceof NotFoundError)) throw err;
  });
}
