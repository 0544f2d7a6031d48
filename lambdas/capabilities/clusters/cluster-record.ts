import { canonicalJson } from '../../../shared/hash.js';
import { isoNow } from '../../ports/clock.js';
import type { HubContext } from '../../core/context.js';
import { publish } from '../../core/events.js';
import { notifyPlacementsOnChange } from '../placements/cluster-changed.js';
import { retryOnConflict } from '../../core/retry.js';
import { recordChanged, type ClusterResource } from './cluster-status.js';
import { availableStatus, clusterAvailabilityChanged, clusterClaimsChanged } from './events.js';
import { clusterKind } from '../../../shared/resources/cluster.js';
import { readResource } from '../../core/typed-resources.js';

/**
 * Read-modify-write of one Cluster record: a consistent read, a pure change, and a write
 * conditional on the version read, retried on conflict. Nothing is written when the change leaves
 * the record as it was, so repeated steps and unchanged reports cost one read.
 *
 * `uid` pins the write to one incarnation of the cluster: a record deleted and re-created under the
 * same name is left alone. Returns the record as stored afterwards, or undefined when it is gone.
 */
export async function updateClusterRecord(
  ctx: HubContext,
  name: string,
  change: (res: ClusterResource, now: string) => ClusterResource,
  opts: { uid?: string } = {},
): Promise<ClusterResource | undefined> {
  return retryOnConflict(ctx.ports.clock, async () => {
    const current = await readResource(ctx, clusterKind, { name }, { consistent: true });
    if (!current || (opts.uid !== undefined && current.metadata.uid !== opts.uid)) return undefined;
    const next = change(structuredClone(current), isoNow(ctx.ports.clock));
    if (!recordChanged(current, next)) return current;
    const specChanged = canonicalJson(current.spec) !== canonicalJson(next.spec);
    const metadata = specChanged ? { ...current.metadata, generation: current.metadata.generation + 1 } : current.metadata;
    const written = (await ctx.ports.resources.replace({ ...next, metadata }, current.metadata.resourceVersion)) as ClusterResource;
    await notifyPlacementsOnChange(ctx, current, written);
    if (canonicalJson(current.status?.claims ?? []) !== canonicalJson(written.status?.claims ?? [])) {
      await publish(ctx, clusterClaimsChanged, [{ cluster: name }]);
    }
    if (availableStatus(current) !== availableStatus(written)) await publish(ctx, clusterAvailabilityChanged, [{ cluster: name }]);
    return written;
  });
}

/** Reads a Cluster record (consistent), or undefined. */
export async function readCluster(ctx: HubContext, name: string): Promise<ClusterResource | undefined> {
  return await readResource(ctx, clusterKind, { name }, { consistent: true });
}
