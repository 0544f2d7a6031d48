import { FLEETDEPLOYMENT_LABEL, REVISION_ANNOTATION, REVISION_HASH_ANNOTATION } from '../../../shared/resources/fleetdeployment.js';
import { getCondition, type Resource } from '../../../shared/resources/meta.js';
import { WorkConditions, type WorkStatus } from '../../../shared/resources/work.js';
import type { ClusterPhase } from './planner.js';
import type { ClusterTrack } from './tracking.js';

/**
 * Pure: what one cluster's Work and agent say about a rollout, turned into the controller's
 * tracking record and the planner's phase.
 */

/** What the controller saw of one cluster's Work of this deployment. */
export interface WorkObservation {
  /** The revision hash the Work carries (undefined: no Work of this deployment). */
  hash?: string;
  revision?: number;
  /** The agent reported the Work's current generation. */
  current: boolean;
  applied: boolean;
  /** Applied=False at the current generation. */
  applyFailed: boolean;
  available: boolean;
  degraded: boolean;
  /** The Applied=False or Degraded=True message, if any. */
  message?: string;
}

/** Reads a Work written by deployment `name` (undefined when absent or owned by someone else). */
export function observeWork(work: Resource | undefined, name: string): WorkObservation | undefined {
  if (!work || work.metadata.labels?.[FLEETDEPLOYMENT_LABEL] !== name || work.metadata.deletionTimestamp) return undefined;
  const status = (work.status ?? {}) as Partial<WorkStatus>;
  const gen = work.metadata.generation;
  const conditions = status.conditions ?? [];
  const applied = getCondition(conditions, WorkConditions.Applied);
  const current =
    status.observedGeneration !== undefined
      ? status.observedGeneration === gen
      : applied?.observedGeneration !== undefined && applied.observedGeneration === gen;
  const is = (type: string, value: string) => current && getCondition(conditions, type)?.status === value;
  const rev = Number(work.metadata.annotations?.[REVISION_ANNOTATION]);
  const applyFailed = is(WorkConditions.Applied, 'False');
  const degraded = is(WorkConditions.Degraded, 'True');
  const message = applyFailed ? applied?.message : degraded ? getCondition(conditions, WorkConditions.Degraded)?.message : undefined;
  return {
    hash: work.metadata.annotations?.[REVISION_HASH_ANNOTATION],
    ...(Number.isInteger(rev) && rev > 0 ? { revision: rev } : {}),
    current,
    applied: is(WorkConditions.Applied, 'True'),
    applyFailed,
    available: is(WorkConditions.Available, 'True'),
    degraded,
    ...(message ? { message: message.slice(0, 300) } : {}),
  };
}

/**
 * The next tracking record of a cluster that was handed `track.hash`, after looking at its Work
 * and whether its agent is online. Keeps `since` while the phase does not change, so "available
 * since" and "offline since" survive many runs.
 */
export function observedTrack(track: ClusterTrack, obs: WorkObservation | undefined, online: boolean, now: number): ClusterTrack {
  const written = obs !== undefined && obs.hash === track.hash;
  let phase: ClusterPhase;
  if (!written) phase = 'progressing';
  else if (!online) phase = 'offline';
  else if (!obs.current) phase = 'progressing';
  else if (obs.applyFailed) phase = 'failed';
  else if (obs.available) phase = 'available';
  else if (obs.degraded) phase = 'degraded';
  else phase = 'progressing';
  const since = track.phase === phase && track.since !== undefined ? track.since : now;
  const next: ClusterTrack = {
    ...track,
    phase,
    since,
    written,
    current: written && obs.current,
    applied: written && obs.applied,
    available: written && obs.available,
    degraded: written && obs.degraded,
    online,
  };
  if (written && obs.message) next.message = obs.message;
  else delete next.message;
  return next;
}

/** The phase the planner sees for a tracked cluster, relative to the target hash. */
export function plannerPhase(track: ClusterTrack | undefined, targetHash: string, templateError: boolean): ClusterPhase {
  if (!track || track.hash !== targetHash) return 'pending';
  if (templateError && !track.written) return 'error';
  return track.phase ?? 'progressing';
}
