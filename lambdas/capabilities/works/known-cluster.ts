import type { Resource } from '../../../shared/resources/meta.js';
import type { HubContext } from '../../core/context.js';
import { clusterKind } from '../../../shared/resources/cluster.js';
import { readResource } from '../../core/typed-resources.js';

/**
 * A Work's checks need its Cluster record. A caller that read it already (the fan-out reads a batch
 * of clusters at once) hands it down with {@link withKnownCluster}: a copy of the context that
 * carries the record for this one write, not a cache shared by anything else.
 */

const KNOWN = Symbol('tether.knownCluster');

type WithKnown = HubContext & { [KNOWN]?: { name: string; record: Resource | null } };

/** A context for writing works of `cluster`, whose record the caller read (`null`: it found none). */
export function withKnownCluster(ctx: HubContext, cluster: string, record: Resource | null): HubContext {
  const out: WithKnown = { ...ctx, [KNOWN]: { name: cluster, record } };
  return out;
}

/**
 * The Cluster record of `cluster`: the one the caller handed down, else one read (eventually
 * consistent, as every Work check reads it).
 */
export async function clusterRecordFor(ctx: HubContext, cluster: string): Promise<Resource | undefined> {
  const known = (ctx as WithKnown)[KNOWN];
  if (known && known.name === cluster) return known.record ?? undefined;
  return readResource(ctx, clusterKind, { name: cluster });
}
