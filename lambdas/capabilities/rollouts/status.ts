import {
  FleetDeploymentConditions as C,
  MAX_CLUSTER_PROBLEMS,
  type ClusterProblem,
  type FleetDeploymentStatus,
  type GroupStatus,
  type RolloutSummary,
} from '../../../shared/resources/fleetdeployment.js';
import { setCondition, type Condition } from '../../../shared/resources/meta.js';
import type { PlacementDecision } from './decision-lister.js';
import type { Plan } from './planner.js';
import type { ClusterTrack } from './tracking.js';

/**
 * Pure: the FleetDeployment status a controller run writes: summary counts, per-group progress,
 * the clusters that need attention, and the Progressing/Paused/Complete/Failed conditions. A rollout
 * that processed every cluster but left some failed (within maxFailures) or unrendered is
 * `CompleteWithFailures`, with Complete=True and reason RolloutCompleteWithFailures.
 */

export interface StatusInput {
  previous: FleetDeploymentStatus;
  generation: number;
  target: { revision: number; hash: string };
  plan: Plan;
  decisions: PlacementDecision[];
  /** Tracking records after this run. */
  tracks: Map<string, ClusterTrack>;
  /** Template errors for the target, by cluster. */
  templateErrors: Map<string, string>;
  /** Time-zone label problems, by cluster. */
  zoneProblems: Map<string, string>;
  /** The failure pause in force after this run, if any. */
  failurePause?: FleetDeploymentStatus['failurePause'];
  waves: number;
  lastWaveTime?: string;
  /** Why the placement could not be read, if it could not. */
  placementProblem?: string;
  /** ISO time of this run (condition transitions). */
  nowIso: string;
}

/**
 * The facts about a cluster at the target revision: updated (its agent acted on the revision and is
 * online: a stale cluster is never "updated"), applied, available (of this revision, so applied
 * too: an old version still running after a failed apply does not count), degraded.
 */
function facts(t: ClusterTrack | undefined, hash: string): { updated: boolean; applied: boolean; available: boolean; degraded: boolean } {
  const at = Boolean(t && t.hash === hash && t.written && t.current);
  const online = t?.online !== false;
  const applied = at && Boolean(t?.applied);
  return { updated: at && online, applied, available: applied && online && Boolean(t?.available), degraded: at && Boolean(t?.degraded) };
}

function failureReason(t: ClusterTrack | undefined): { reason: string; message: string } {
  if (t?.phase === 'failed') return { reason: 'ApplyFailed', message: t.message ?? 'the agent could not apply the work' };
  if (t?.phase === 'offline') return { reason: 'Offline', message: 'the agent has been offline longer than progressDeadline' };
  if (t?.phase === 'degraded')
    return { reason: 'ProgressDeadlineExceeded', message: `degraded past progressDeadline${t.message ? `: ${t.message}` : ''}` };
  return { reason: 'ProgressDeadlineExceeded', message: 'not available within progressDeadline' };
}

/** Builds the status of one run. `control` is kept from `previous`: it belongs to the API. */
export function buildStatus(input: StatusInput): FleetDeploymentStatus {
  const { plan, target } = input;
  const summary: RolloutSummary = {
    total: input.decisions.length,
    updated: 0,
    applied: 0,
    available: 0,
    degraded: 0,
    failed: plan.counts.failed,
    pendingWindow: plan.counts.pendingWindow,
    templateErrors: plan.counts.error,
  };
  const perGroup = new Map<string, { updated: number; available: number }>();
  const problems: ClusterProblem[] = [];
  for (const d of input.decisions) {
    const t = input.tracks.get(d.cluster);
    const f = facts(t, target.hash);
    summary.updated += Number(f.updated);
    summary.applied += Number(f.applied);
    summary.available += Number(f.available);
    summary.degraded += Number(f.degraded);
    const g = perGroup.get(d.groupName) ?? { updated: 0, available: 0 };
    g.updated += Number(f.updated);
    g.available += Number(f.available);
    perGroup.set(d.groupName, g);
    const outcome = plan.outcomes[d.cluster];
    if (outcome === 'error')
      problems.push({
        cluster: d.cluster,
        reason: 'TemplateError',
        message: input.templateErrors.get(d.cluster) ?? 'the template could not be rendered',
      });
    else if (outcome === 'failed') problems.push({ cluster: d.cluster, ...failureReason(t) });
    const zone = input.zoneProblems.get(d.cluster);
    if (zone) problems.push({ cluster: d.cluster, reason: 'TimeZoneLabel', message: zone });
  }
  problems.sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : a.reason < b.reason ? -1 : 1));

  const groups: GroupStatus[] = plan.groups.map((g) => ({
    name: g.name,
    total: g.total,
    updated: perGroup.get(g.name)?.updated ?? 0,
    available: perGroup.get(g.name)?.available ?? 0,
    failed: g.counts.failed,
    state: g.state,
    ...(g.mandatory ? { mandatory: true } : {}),
  }));

  const noPlacement = input.decisions.length === 0 && input.placementProblem !== undefined;
  const state = noPlacement ? 'Pending' : plan.state;
  const failure = plan.state === 'Failed' ? (input.failurePause ?? { reason: 'MaxFailuresExceeded', message: plan.message }) : undefined;
  const message = noPlacement ? (input.placementProblem as string) : (failure?.message ?? plan.message);
  const pausedReason = plan.state === 'Paused' ? 'PausedByUser' : failure?.reason;

  let conditions: Condition[] = input.previous.conditions ?? [];
  const set = (type: string, on: boolean, reason: string, msg: string) => {
    conditions = setCondition(
      conditions,
      { type, status: on ? 'True' : 'False', reason, message: msg, observedGeneration: input.generation },
      input.nowIso,
    );
  };
  const moving = state === 'Progressing' || state === 'WaitingForWindow';
  set(
    C.Progressing,
    moving,
    noPlacement ? 'PlacementUnavailable' : moving ? (state === 'WaitingForWindow' ? 'WaitingForWindow' : 'RolloutProgressing') : state,
    message,
  );
  set(C.Paused, Boolean(pausedReason), pausedReason ?? 'NotPaused', pausedReason ? message : 'the rollout is not paused');
  // Complete is True for both final states (every cluster processed); its reason tells them apart.
  const complete = state === 'Complete' || state === 'CompleteWithFailures';
  const completeReason =
    state === 'CompleteWithFailures' ? 'RolloutCompleteWithFailures' : complete ? 'RolloutComplete' : 'RolloutIncomplete';
  set(C.Complete, complete, completeReason, complete ? message : `${summary.updated} of ${summary.total} clusters updated`);
  set(
    C.Failed,
    state === 'Failed',
    failure?.reason ?? 'WithinFailureBudget',
    state === 'Failed' ? message : `${summary.failed} failed; maxFailures allows ${plan.failureThreshold}`,
  );

  const out: FleetDeploymentStatus = {
    conditions,
    observedGeneration: input.generation,
    revision: target.revision,
    revisionHash: target.hash,
    state,
    ...(pausedReason ? { pausedReason } : {}),
    summary,
    groups,
    clusters: problems.slice(0, MAX_CLUSTER_PROBLEMS),
    ...(problems.length > MAX_CLUSTER_PROBLEMS ? { clustersOmitted: problems.length - MAX_CLUSTER_PROBLEMS } : {}),
    waves: input.waves,
    ...(input.lastWaveTime ? { lastWaveTime: input.lastWaveTime } : {}),
    ...(input.failurePause ? { failurePause: input.failurePause } : {}),
    ...(input.previous.control ? { control: input.previous.control } : {}),
  };
  return out;
}
