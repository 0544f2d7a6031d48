import { parseDuration } from '../../../shared/duration.js';
import { NotFoundError } from '../../../shared/errors.js';
import { canonicalJson } from '../../../shared/hash.js';
import type { FleetDeploymentStatus, RolloutStrategy } from '../../../shared/resources/fleetdeployment.js';
import type { Resource } from '../../../shared/resources/meta.js';
import { isoNow } from '../../ports/clock.js';
import type { RelationItem } from '../../ports/relation-store.js';
import type { HubContext } from '../../core/context.js';
import { retryOnConflict } from '../../core/retry.js';
import { acquireLease, deleteLease, releaseLease } from './controller-lock.js';
import { planRolloutWave, type Plan, type PlanStrategy } from './planner.js';
import { judgeWindows, observeWave, type WaveObservation, type WindowView } from './run-observe.js';
import { loadDeployment, loadState, resolveTarget, type Deployment, type RunState, type Target } from './run-state.js';
import { buildStatus } from './status.js';
import { ACTIVE_KEY, ACTIVE_RELATION, encodeTrack, ERROR_RELATION, TRACK_RELATION } from './tracking.js';
import { fleetDeploymentKind } from '../../../shared/resources/fleetdeployment.js';
import { readResource } from '../../core/typed-resources.js';

export { OBSERVE_SLICE, TEMPLATE_RETRY_MS } from './run-observe.js';

/**
 * The rollout controller: one run loads a FleetDeployment, makes sure its template has a revision,
 * reads the placement's decisions and what changed since the last run, asks the planner what to
 * do, hands the next wave to the fan-out steps, and writes status. Runs are serialised per
 * deployment by a lease; each run costs in proportion to the clusters in flight or changed (plus
 * one relation Query per 1,000 clusters), not to the fleet.
 *
 * A run is a sequence of named phases (see {@link runOnce}): the reading ones live in
 * ./run-state.ts and ./run-observe.ts, the deciding and writing ones here.
 */

/** Sends the fan-out and removal messages a run decided on (steps.ts provides it). */
export interface RolloutEffects {
  handOut(ctx: HubContext, name: string, target: { revision: number; hash: string }, clusters: string[], retry: string[]): Promise<void>;
  remove(ctx: HubContext, name: string, clusters: string[]): Promise<void>;
  wakeAt(ctx: HubContext, name: string, at: number): Promise<void>;
}

/** How a run ended. */
export interface ReconcileResult {
  outcome: 'reconciled' | 'busy' | 'fresh' | 'missing';
  state?: string;
  handedOut?: number;
}

/** A cluster handed the revision but still without its Work is re-sent after this long. */
export const RESEND_AFTER_MS = 60_000;
/** Delayed wake-ups further away than this are left to the scheduler (SQS allows 15 minutes). */
const MAX_WAKE_MS = 900_000;

/** The strategy with durations in milliseconds, for the planner. */
export function planStrategy(s: RolloutStrategy): PlanStrategy {
  return {
    type: s.type,
    ...(s.maxConcurrency !== undefined ? { maxConcurrency: s.maxConcurrency } : {}),
    minSuccessMs: parseDuration(s.minSuccessTime) ?? 0,
    ...(s.progressDeadline !== 'None' ? { progressDeadlineMs: parseDuration(s.progressDeadline) ?? 0 } : {}),
    maxFailures: s.maxFailures,
    mandatoryGroups: s.mandatoryDecisionGroups.map((g) => g.groupName),
    waveDelayMs: parseDuration(s.waveDelay) ?? 0,
  };
}

/** Is the emergency window override in force for this revision? */
export function overrideActive(status: FleetDeploymentStatus, revision: number, now: number): boolean {
  const o = status.control?.windowOverride;
  return Boolean(o && o.revision === revision && (!o.until || Date.parse(o.until) > now));
}

/** Runs the controller of one deployment once, unless another run holds it or already saw the change. */
export async function reconcileFleetDeployment(
  ctx: HubContext,
  name: string,
  effects: RolloutEffects,
  requestedAt?: number,
): Promise<ReconcileResult> {
  const lease = await acquireLease(ctx, name, requestedAt);
  if ('busy' in lease) return { outcome: 'busy' };
  if ('fresh' in lease) return { outcome: 'fresh' };
  let result: ReconcileResult | undefined;
  try {
    result = await runOnce(ctx, name, effects, lease.held.startedAt);
    return result;
  } finally {
    // A deployment that is gone keeps no lease item (it also marks works as a deployment's).
    if (result?.outcome === 'missing') await deleteLease(ctx, name);
    else await releaseLease(ctx, lease.held);
  }
}

/** What a run decided: the planner's answer, and the clusters to send again or to remove from. */
interface WaveDecision {
  plan: Plan;
  /** The failure pause that stays in force (latched before, and not released by a resume). */
  latched: boolean;
  /** Handed the target but still without a Work after a while: handed out again. */
  resend: string[];
  /** Left the placement and still have a Work of the deployment: it is removed. */
  removeNow: string[];
}

/** Everything a run has read, observed and decided: what the writing phases work from. */
interface Run {
  name: string;
  deployment: Deployment;
  target: Target;
  state: RunState;
  observation: WaveObservation;
  view: WindowView;
  decision: WaveDecision;
  now: number;
}

/**
 * One run: read (deployment, target, state), observe (Works, agents, windows), decide (the next
 * wave), write (tracks, then status, so that a fan-out step sees the revision), then send the
 * messages.
 */
async function runOnce(ctx: HubContext, name: string, effects: RolloutEffects, now: number): Promise<ReconcileResult> {
  const deployment = await loadDeployment(ctx, name);
  if (!deployment) return { outcome: 'missing' };
  const target = await resolveTarget(ctx, name, deployment);
  const state = await loadState(ctx, name, deployment.spec, target);
  const observation = await observeWave(ctx, name, state, target, now);
  const view = await judgeWindows(ctx, deployment.spec, state, observation, target, now);
  const decision = planNextWave(deployment, state, observation, view, target, now);
  const run: Run = { name, deployment, target, state, observation, view, decision, now };
  await writeWave(ctx, run);
  const status = await recordStatus(ctx, run);
  const handOut = await sendWave(ctx, effects, run);
  return { outcome: 'reconciled', state: status.state, handedOut: handOut.length };
}

/**
 * Asks the planner for the next wave, and works out the resends and removals. Pure apart from the
 * tracking records it updates in `observation.next`: the clusters handed out, newly succeeded,
 * resent, or being removed.
 */
function planNextWave(
  { spec, previous, control }: Deployment,
  state: RunState,
  observation: WaveObservation,
  view: WindowView,
  target: Target,
  now: number,
): WaveDecision {
  const { placement, tracks } = state;
  const { next, templateErrors, retryTemplate, leaving, works } = observation;
  const fp = previous.failurePause;
  const resumedAt = control.resumedAt ? Date.parse(control.resumedAt) : undefined;
  const latched = Boolean(fp && fp.revision === target.revision && !(resumedAt !== undefined && resumedAt >= Date.parse(fp.at)));
  const ack = control.acknowledgedFailures?.revision === target.revision ? control.acknowledgedFailures.count : 0;
  const lastWaveAt = previous.lastWaveTime ? Date.parse(previous.lastWaveTime) : undefined;
  const plan = planRolloutWave({
    strategy: planStrategy(spec.rolloutStrategy),
    groups: placement.groups,
    clusters: view.states,
    now,
    paused: Boolean(spec.paused),
    aborted: control.abortedRevision === target.revision,
    failurePaused: latched,
    acknowledgedFailures: ack,
    lastWaveAt,
    ignoreWindows: overrideActive(previous, target.revision, now),
  });
  for (const c of plan.newlySucceeded) next.set(c, { ...next.get(c), succeeded: true });
  for (const c of plan.update) {
    const prev = next.get(c) ?? {};
    next.set(c, {
      hash: target.hash,
      revision: target.revision,
      handedAt: now,
      phase: 'progressing',
      since: now,
      windowLabels: prev.windowLabels,
      labelsRevision: prev.labelsRevision,
    });
  }
  // Handed out but still without a Work after a while (a lost or dead-lettered message): send again.
  const resend = placement.decisions
    .map((d) => d.cluster)
    .filter((c) => {
      const t = next.get(c);
      return (
        t?.hash === target.hash &&
        !t.written &&
        !templateErrors.has(c) &&
        now - Math.max(t.handedAt ?? 0, t.resentAt ?? 0) >= RESEND_AFTER_MS
      );
    });
  for (const c of [...resend, ...retryTemplate]) next.set(c, { ...next.get(c), resentAt: now });

  // Clusters that left the placement: remove their Work, then forget them.
  const removeNow: string[] = [];
  for (const c of leaving) {
    if (works.get(c)) {
      removeNow.push(c);
      next.set(c, { ...tracks.get(c), removing: true });
    }
  }
  return { plan, latched, resend, removeNow };
}

/**
 * Writes the tracking records that changed, and forgets the clusters that left without a Work.
 * Tracks have one writer (this run, under the lease), so unconditional batched puts are safe.
 */
async function writeWave(ctx: HubContext, run: Run): Promise<void> {
  const { name } = run;
  const { tracks, errors } = run.state;
  const { next, leaving } = run.observation;
  const { removeNow } = run.decision;
  const changedTracks: RelationItem[] = [];
  for (const [c, t] of next) {
    const before = tracks.get(c);
    const data = encodeTrack(t);
    if (!before || JSON.stringify(encodeTrack(before)) !== JSON.stringify(data))
      changedTracks.push({ relation: TRACK_RELATION, from: name, to: c, data });
  }
  await ctx.ports.relations.putMany(changedTracks);
  const forgotten = leaving.filter((c) => !removeNow.includes(c));
  await ctx.ports.relations.removeMany([
    ...forgotten.map((c) => ({ relation: TRACK_RELATION, from: name, to: c })),
    ...forgotten.filter((c) => errors.has(c)).map((c) => ({ relation: ERROR_RELATION, from: name, to: c })),
  ]);
}

/**
 * Builds and writes the status, and keeps the deployment on (or takes it off) the scheduler's list
 * of active deployments. Returns the status written.
 */
async function recordStatus(ctx: HubContext, run: Run): Promise<FleetDeploymentStatus> {
  const { name, target, now } = run;
  const { fd, previous } = run.deployment;
  const { placement, placementProblem } = run.state;
  const { next, templateErrors } = run.observation;
  const { zoneProblems } = run.view;
  const { plan, latched } = run.decision;
  const fp = previous.failurePause;
  const nowIso = new Date(now).toISOString();
  const failurePause = plan.pause
    ? { at: nowIso, failed: plan.counts.failed, revision: target.revision, reason: plan.pause.reason, message: plan.pause.message }
    : latched
      ? fp
      : undefined;
  const waved = plan.update.length > 0;
  const status = buildStatus({
    previous,
    generation: fd.metadata.generation,
    target,
    plan,
    decisions: placement.decisions,
    tracks: next,
    templateErrors,
    zoneProblems,
    failurePause,
    waves: (previous.revision === target.revision ? (previous.waves ?? 0) : 0) + (waved ? 1 : 0),
    lastWaveTime: waved ? nowIso : previous.revision === target.revision ? previous.lastWaveTime : undefined,
    placementProblem,
    nowIso: isoNow(ctx.ports.clock),
  });
  await writeStatus(ctx, fd, status);
  // Template errors keep a finished rollout on the scheduler's list, so a fixed label is picked up.
  // An empty placement is not active: its placement-changed event wakes the controller.
  const active =
    ((status.state === 'Progressing' || status.state === 'WaitingForWindow') && placement.decisions.length > 0) || templateErrors.size > 0;
  if (active) await ctx.ports.relations.put(ACTIVE_RELATION, ACTIVE_KEY, name);
  else await ctx.ports.relations.remove(ACTIVE_RELATION, ACTIVE_KEY, name);
  return status;
}

/** Sends the fan-out, removal and wake-up messages of the wave; returns the clusters handed out. */
async function sendWave(ctx: HubContext, effects: RolloutEffects, run: Run): Promise<string[]> {
  const { name, target, now } = run;
  const { retryTemplate } = run.observation;
  const { plan, resend, removeNow } = run.decision;
  const handOut = [...plan.update, ...resend];
  if (handOut.length || retryTemplate.length) await effects.handOut(ctx, name, target, [...handOut, ...retryTemplate], retryTemplate);
  if (removeNow.length) await effects.remove(ctx, name, removeNow);
  if (plan.nextCheckAt !== undefined && plan.nextCheckAt - now <= MAX_WAKE_MS) await effects.wakeAt(ctx, name, plan.nextCheckAt);
  if (handOut.length)
    ctx.ports.log.info('rollout wave', {
      fleetDeployment: name,
      revision: target.revision,
      clusters: handOut.length,
      resent: resend.length,
    });
  return handOut;
}

/**
 * Writes the controller's part of the status onto the freshest object: the API owns
 * `status.control`, so a conflict re-reads and keeps whatever control the API wrote meanwhile.
 */
async function writeStatus(ctx: HubContext, fd: Resource, status: FleetDeploymentStatus): Promise<void> {
  let current: Resource | undefined = fd;
  await retryOnConflict(ctx.ports.clock, async (attempt) => {
    if (attempt > 0) current = await readResource(ctx, fleetDeploymentKind, { name: fd.metadata.name }, { consistent: true });
    if (!current || current.metadata.deletionTimestamp || current.metadata.uid !== fd.metadata.uid) return;
    const control = (current.status as FleetDeploymentStatus | undefined)?.control;
    const nextStatus: FleetDeploymentStatus = { ...status, ...(control ? { control } : {}) };
    if (!control) delete nextStatus.control;
    // An unchanged status is not written: no cost, and the status ETag stays put for watchers.
    if (canonicalJson(current.status ?? null) === canonicalJson(nextStatus)) return;
    await ctx.ports.resources.replace({ ...current, status: nextStatus }, current.metadata.resourceVersion);
  }).catch((err) => {
    if (!(err instanceof NotFoundError)) throw err;
  });
}
