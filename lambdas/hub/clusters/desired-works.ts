import type { DesiredWork } from '../../../shared/protocol/v1.js';
import { KINDS } from '../../../shared/resources/kinds.js';
import type { Resource } from '../../../shared/resources/meta.js';
import type { HubContext } from '../context.js';

/** Loads the works the agent of `cluster` must apply, as the desired state carries them. */
export type DesiredWorksLoader = (ctx: HubContext, cluster: string) => Promise<DesiredWork[]>;

let loader: DesiredWorksLoader | undefined;

/**
 * Replaces how works are loaded for the desired state. The workloads capability registers its
 * own (decompression, deletion handling, ...); until then {@link defaultLoader} reads Work
 * objects if the kind exists.
 */
export function registerDesiredWorksLoader(next: DesiredWorksLoader): void {
  loader = next;
}

interface WorkSpecShape {
  workload?: { manifests?: Record<string, unknown>[] };
  manifestConfigs?: Record<string, unknown>[];
  deleteOption?: Record<string, unknown>;
}

function toDesired(work: Resource): DesiredWork {
  const spec = (work.spec ?? {}) as WorkSpecShape;
  return {
    name: work.metadata.name,
    uid: work.metadata.uid,
    generation: work.metadata.generation,
    manifests: spec.workload?.manifests ?? [],
    manifestConfigs: spec.manifestConfigs ?? [],
    ...(spec.deleteOption ? { deleteOption: spec.deleteOption } : {}),
  };
}

/** Every Work of the cluster that is not being deleted, in name order; [] while no Work kind exists. */
async function defaultLoader(ctx: HubContext, cluster: string): Promise<DesiredWork[]> {
  if (!KINDS.Work) return [];
  const out: DesiredWork[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.ports.resources.list('Work', { namespace: cluster, limit: 200, cursor });
    for (const work of page.items) if (!work.metadata.deletionTimestamp) out.push(toDesired(work));
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** The works of `cluster` for its desired state (only read on a 200 answer, never on an idle poll). */
export function loadDesiredWorks(ctx: HubContext, cluster: string): Promise<DesiredWork[]> {
  return (loader ?? defaultLoader)(ctx, cluster);
}
