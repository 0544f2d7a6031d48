import type { Resource } from '../../../shared/resources/meta.js';
import type { ResourceStore } from '../../ports/resource-store.js';
import { UNSCOPED, type ObjectScope } from './engine.js';

/**
 * Where an object sits among cluster sets, for scoping (docs/tenancy.md, "Scoping rules"):
 *
 * | object                                   | scope                                                        |
 * |------------------------------------------|--------------------------------------------------------------|
 * | Cluster                                  | any of `status.clusterSets` (in no set: unscoped)           |
 * | ClusterSet                               | its own name                                                 |
 * | namespaced kinds (Work, ...)             | their cluster's                                              |
 * | kinds with `spec.placementRef`           | all of that Placement's sets (FleetDeployment, Policy, ...)  |
 * | Placement, kinds with `spec.clusterSets` | all of `spec.clusterSets` (empty: every cluster, unscoped)  |
 * | anything else (Role, RoleBinding, ...)   | unscoped: only unscoped grants reach it                      |
 *
 * The rule follows the shape of the spec rather than a list of kinds, so a kind added later
 * (SyncRule, ...) is scoped by the same rules. Reads of clusters and placements are remembered
 * for the request, so a list costs at most one read per distinct cluster or placement.
 */
export class ObjectScopes {
  private readonly clusters = new Map<string, Promise<ObjectScope>>();
  private readonly placements = new Map<string, Promise<ObjectScope>>();

  constructor(private readonly resources: ResourceStore) {}

  /** The scope of an object as stored (or about to be stored). */
  async of(res: Pick<Resource, 'kind' | 'metadata' | 'spec' | 'status'>): Promise<ObjectScope> {
    if (res.kind === 'Cluster') return clusterScope(res);
    if (res.kind === 'ClusterSet') return { match: 'any', sets: [res.metadata.name] };
    if (res.metadata.namespace) return this.cluster(res.metadata.namespace);
    const spec = (res.spec ?? {}) as { placementRef?: { name?: unknown }; clusterSets?: unknown };
    if (typeof spec.placementRef?.name === 'string') return this.placement(spec.placementRef.name);
    if (res.kind === 'Placement' || Array.isArray(spec.clusterSets)) return choosingScope(spec.clusterSets);
    return UNSCOPED;
  }

  /** The scope of a cluster by name (unknown: unscoped). */
  cluster(name: string): Promise<ObjectScope> {
    let found = this.clusters.get(name);
    if (!found) {
      found = this.resources.get({ kind: 'Cluster', name }).then((c) => (c ? clusterScope(c) : UNSCOPED));
      this.clusters.set(name, found);
    }
    return found;
  }

  /** The scope of what follows a Placement (unknown: unscoped). */
  placement(name: string): Promise<ObjectScope> {
    let found = this.placements.get(name);
    if (!found) {
      found = this.resources.get({ kind: 'Placement', name }).then((p) => (p ? this.of(p) : UNSCOPED));
      this.placements.set(name, found);
    }
    return found;
  }
}

function clusterScope(res: Pick<Resource, 'status'>): ObjectScope {
  const sets = (res.status as { clusterSets?: string[] } | undefined)?.clusterSets ?? [];
  return sets.length ? { match: 'any', sets } : UNSCOPED;
}

function choosingScope(sets: unknown): ObjectScope {
  const list = Array.isArray(sets) ? sets.filter((s): s is string => typeof s === 'string') : [];
  return list.length ? { match: 'all', sets: list } : UNSCOPED;
}
