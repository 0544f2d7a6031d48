import { PayloadTooLargeError } from '../../../shared/errors.js';
import type { Resource } from '../../../shared/resources/meta.js';
import type { HubContext } from '../../core/context.js';
import { listAllTargets } from '../../core/relations.js';
import { toDesiredWork } from './works.js';

/**
 * The size budget of a cluster's desired state. The agent receives all of a cluster's works in one
 * answer of the agent function, and Lambda cannot send more than 6 MB (the hub stops at 6 MB less
 * 64 KiB, and an agent that does not accept gzip gets it uncompressed). So the hub refuses, at write
 * time, a Work that would take its cluster's works past {@link DESIRED_STATE_MAX_BYTES}: 4 MiB of
 * JSON, which leaves room for the policies, the envelope and the cluster's other fields.
 *
 * The check reads no work: each work's size (as the agent receives it) is kept on a small index
 * item, cluster -> work (the relation {@link WORK_SIZES}), written after the work and removed with
 * it, so a write costs one Query per 1,000 works of its cluster. The poll path never reads it.
 * Works written before the index existed count from their next write.
 */

/** Most JSON a cluster's works may add up to, bytes (as the agent receives them). */
export const DESIRED_STATE_MAX_BYTES = 4 * 1024 * 1024;

/** Relation cluster -> work, data `{ b }`: the work's size in the desired state, bytes. */
export const WORK_SIZES = 'cluster-work-bytes';

/** A Work's size in its cluster's desired state: its JSON as the agent receives it, bytes. */
export function desiredWorkBytes(work: Resource): number {
  return Buffer.byteLength(JSON.stringify(toDesiredWork(work)), 'utf8');
}

/** The write would take its cluster's desired state over the limit: 413, naming the cluster and the sizes. */
export class DesiredStateTooLargeError extends PayloadTooLargeError {
  constructor(
    readonly cluster: string,
    limitBytes: number,
    readonly currentBytes: number,
    wouldBeBytes: number,
    what: string,
  ) {
    super(limitBytes, wouldBeBytes, what);
    this.message =
      `the desired state of cluster "${cluster}" would be ${wouldBeBytes} bytes with ${what}; the limit is ${limitBytes} bytes ` +
      `(its other works take ${currentBytes} bytes now). An agent receives all of its cluster's works in one answer: ` +
      'make the manifests smaller, remove works the cluster no longer needs, or split them across clusters';
  }
}

/** The sizes of `cluster`'s works as the index holds them, by work name. */
async function workSizes(ctx: HubContext, cluster: string): Promise<Map<string, number>> {
  const items = await listAllTargets(ctx, WORK_SIZES, cluster);
  return new Map(items.map((i) => [i.to, typeof i.data?.b === 'number' ? i.data.b : 0]));
}

/**
 * Refuses a write of `work` that would take its cluster's works over the limit (a work that
 * shrinks or keeps its size always passes, so an over-full cluster can still be repaired).
 * @throws DesiredStateTooLargeError
 */
export async function checkDesiredStateSize(ctx: HubContext, work: Resource, prev: Resource | undefined): Promise<void> {
  const cluster = work.metadata.namespace ?? '';
  const bytes = desiredWorkBytes(work);
  if (prev && bytes <= desiredWorkBytes(prev)) return;
  const sizes = await workSizes(ctx, cluster);
  let others = 0;
  for (const [name, b] of sizes) if (name !== work.metadata.name) others += b;
  if (others + bytes > DESIRED_STATE_MAX_BYTES) {
    throw new DesiredStateTooLargeError(cluster, DESIRED_STATE_MAX_BYTES, others, others + bytes, `Work "${work.metadata.name}"`);
  }
}

/** Records a written work's size in the index (idempotent: the item is overwritten). */
export async function recordWorkSize(ctx: HubContext, work: Resource): Promise<void> {
  await ctx.ports.relations.put(WORK_SIZES, work.metadata.namespace ?? '', work.metadata.name, { b: desiredWorkBytes(work) });
}

/** Drops a deleted work from the index. */
export async function forgetWorkSize(ctx: HubContext, cluster: string, name: string): Promise<void> {
  await ctx.ports.relations.remove(WORK_SIZES, cluster, name);
}

/** Drops a removed cluster's whole index. */
export async function forgetClusterSizes(ctx: HubContext, cluster: string): Promise<void> {
  const items = await listAllTargets(ctx, WORK_SIZES, cluster);
  await ctx.ports.relations.removeMany(items.map((i) => ({ relation: WORK_SIZES, from: cluster, to: i.to })));
}
