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
    if (res.kind === 'SyncRule') return this.syncRule(res.spec);
    if (res.kind === 'PolicySet') return this.policySet(res.spec);
    if (res.kind === 'ClusterInventoryExport') return this.inventoryExport(res.spec);
    const spec = (res.spec ?? {}) as { placementRef?: { name?: unknown }; clusterSets?: unknown };
    if (typeof spec.placementRef?.name === 'string') return this.placement(spec.placementRef.name);
    if (res.kind === 'Placement' || Array.isArray(spec.clusterSets)) return choosingScope(spec.clusterSets);
    return UNSCOPED;
  }

  /**
   * A SyncRule reaches its sources as well as its destinations: its sources' cluster sets (a rule
   * whose sources are not confined to sets reaches every cluster: unscoped), and its placement's
   * (or, without one, the sources' sets again, the default destinations). All of them must be
   * within the caller's sets, so a team can never make another team's clusters its sources.
   */
  private async syncRule(spec: unknown): Promise<ObjectScope> {
    const s = (spec ?? {}) as { sources?: { clusterSets?: unknown }; placementRef?: { name?: unknown } };
    const sources = choosingScope(s.sources?.clusterSets);
    const destinations = typeof s.placementRef?.name === 'string' ? await this.placement(s.placementRef.name) : sources;
    return allOf(sources, destinations);
  }

  /**
   * A PolicySet delivers its policies to its placement's clusters and rolls up their compliance:
   * its placement's sets and those of every policy it lists (a listed policy that does not exist
   * reaches nothing). A team cannot pull another team's policy into its set, nor read its roll-up.
   */
  private async policySet(spec: unknown): Promise<ObjectScope> {
    const s = (spec ?? {}) as { placementRef?: { name?: unknown }; policies?: unknown };
    if (typeof s.placementRef?.name !== 'string') return UNSCOPED;
    let scope = await this.placement(s.placementRef.name);
    const names = Array.isArray(s.policies) ? s.policies.filter((n): n is string => typeof n === 'string') : [];
    const policies = names.length ? await this.resources.getMany(names.map((name) => ({ kind: 'Policy', name }))) : [];
    for (const p of policies) if (p) scope = allOf(scope, await this.of(p));
    return scope;
  }

  /**
   * An inventory export publishes its members to its receivers: both must be within the caller's
   * sets (members not confined to sets are every cluster: unscoped).
   */
  private async inventoryExport(spec: unknown): Promise<ObjectScope> {
    const s = (spec ?? {}) as { members?: { clusterSets?: unknown }; placementRef?: { name?: unknown }; clusterSets?: unknown };
    const members = choosingScope(s.members?.clusterSets);
    const sets = choosingScope(s.clusterSets);
    const placed = typeof s.placementRef?.name === 'string' ? await this.placement(s.placementRef.name) : undefined;
    const receivers = placed && s.clusterSets !== undefined ? allOf(placed, sets) : (placed ?? sets);
    return allOf(members, receivers);
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

/** Reaching both: unscoped if either is; else every set of both must be within reach. */
function allOf(a: ObjectScope, b: ObjectScope): ObjectScope {
  if (a.match === 'unscoped' || b.match === 'unscoped') return UNSCOPED;
  return { match: 'all', sets: [...new Set([...a.sets, ...b.sets])] };
}

function choosingScope(sets: unknown): ObjectScope {
  const list = Array.isArray(sets) ? sets.filter((s): s is string => typeof s === 'string') : [];
  return list.length ? { match: 'all', sets: list } : UNSCOPED;
}
