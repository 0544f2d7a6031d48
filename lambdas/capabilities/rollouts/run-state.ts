import { listAllTargets } from '../../core/relations.js';
import type { FleetDeploymentSpec, FleetDeploymentStatus, RolloutControl } from '../../../shared/resources/fleetdeployment.js';
import type { Resource } from '../../../shared/resources/meta.js';
import type { HubContext } from '../../core/context.js';
import { loadDecisions, type PlacementDecision } from './decision-lister.js';
import { contentHash, ensureRevision, pruneRevisions } from './revisions.js';
import { ACTIVE_KEY, ACTIVE_RELATION, DIRTY_RELATION, ERROR_RELATION, listTracks, type ClusterTrack } from './tracking.js';
import { fleetDeploymentKind } from '../../../shared/resources/fleetdeployment.js';
import { placementKind } from '../../../shared/resources/placement.js';
import { readResource } from '../../core/typed-resources.js';

/**
 * The first phases of a controller run (see ./controller.ts): the deployment, its target revision,
 * and what the run starts from (the placement's decisions, the tracking records, the template
 * errors and the clusters marked changed since the last run).
 */

/** The deployment a run works on, as read at its start. */
export interface Deployment {
  fd: Resource;
  spec: FleetDeploymentSpec;
  /** The status as the last run (and the API's control part) left it. */
  previous: FleetDeploymentStatus;
  control: RolloutControl;
}

/** The revision the run rolls out: its number and the hash of its content. */
export interface Target {
  revision: number;
  hash: string;
}

/** What a run starts from, besides the deployment. */
export interface RunState {
  placement: { decisions: PlacementDecision[]; groups: string[] };
  /** Why nothing can be rolled out yet, when the placement chose no cluster. */
  placementProblem?: string;
  decided: Map<string, PlacementDecision>;
  /** The tracking records of the last run, by cluster. */
  tracks: Map<string, ClusterTrack>;
  /** Template errors of the target revision, by cluster (older ones are already dropped). */
  errors: Map<string, Record<string, string | number | boolean>>;
  /** Clusters whose Work changed since the last run. */
  dirty: string[];
}

/**
 * The deployment, read consistently; undefined when it is gone or being deleted, in which case it
 * is also taken off the scheduler's list of active deployments.
 */
export async function loadDeployment(ctx: HubContext, name: string): Promise<Deployment | undefined> {
  const fd = await readResource(ctx, fleetDeploymentKind, { name }, { consistent: true });
  if (!fd || fd.metadata.deletionTimestamp) {
    await ctx.ports.relations.remove(ACTIVE_RELATION, ACTIVE_KEY, name);
    return undefined;
  }
  const previous: FleetDeploymentStatus = fd.status ?? { conditions: [] };
  return { fd, spec: fd.spec, previous, control: previous.control ?? {} };
}

/** The target revision: a new one (and old ones pruned) when the template or overrides changed. */
export async function resolveTarget(ctx: HubContext, name: string, { spec, previous, control }: Deployment): Promise<Target> {
  const content = { template: spec.template, overrides: spec.overrides };
  const hash = contentHash(content);
  if (previous.revisionHash === hash && previous.revision) return { revision: previous.revision, hash };
  const rollbackOf = control.rollbackFrom?.revision === previous.revision ? control.rollbackFrom?.to : undefined;
  const rev = await ensureRevision(ctx, name, content, previous.revision ?? 0, rollbackOf);
  await pruneRevisions(ctx, name, rev.revision);
  return { revision: rev.revision, hash };
}

/**
 * What the placement chose, what the last run remembered, and what changed since. Drops template
 * errors of older revisions, and clears the changed marks before the Works are read, so that a
 * change reported while this run reads is marked again for the next one.
 */
export async function loadState(ctx: HubContext, name: string, spec: FleetDeploymentSpec, target: Target): Promise<RunState> {
  const placement = await loadDecisions(ctx, spec.placementRef.name);
  // With no decisions there is nothing to roll out *yet*: never "Complete" (a watcher would stop).
  let placementProblem: string | undefined;
  if (placement.decisions.length === 0) {
    const exists = await readResource(ctx, placementKind, { name: spec.placementRef.name });
    placementProblem = exists
      ? `Placement "${spec.placementRef.name}" has chosen no clusters (yet)`
      : `Placement "${spec.placementRef.name}" does not exist`;
  }
  const decided = new Map(placement.decisions.map((d) => [d.cluster, d]));
  const tracks = await listTracks(ctx, name);
  const errors = new Map((await listAllTargets(ctx, ERROR_RELATION, name)).map((i) => [i.to, i.data ?? {}]));
  // Errors of an older revision no longer apply (and no step for that revision writes any more).
  const staleErrors = [...errors.entries()].filter(([, e]) => e.h !== target.hash).map(([c]) => c);
  await ctx.ports.relations.removeMany(staleErrors.map((c) => ({ relation: ERROR_RELATION, from: name, to: c })));
  for (const c of staleErrors) errors.delete(c);
  const dirty = (await listAllTargets(ctx, DIRTY_RELATION, name)).map((i) => i.to);
  await ctx.ports.relations.removeMany(dirty.map((c) => ({ relation: DIRTY_RELATION, from: name, to: c })));
  return { placement, ...(placementProblem !== undefined ? { placementProblem } : {}), decided, tracks, errors, dirty };
}
