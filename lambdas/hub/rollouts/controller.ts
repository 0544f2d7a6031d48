import { parseDuration } from '../../../shared/duration.js';
import { NotFoundError } from '../../../shared/errors.js';
import { canonicalJson } from '../../../shared/hash.js';
import {
  type FleetDeploymentSpec,
  type FleetDeploymentStatus,
  type RolloutStrategy,
} from '../../../shared/resources/fleetdeployment.js';
import type { Resource } from '../../../shared/resources/meta.js';
import { isoNow } from '../../ports/clock.js';
import type { RelationItem } from '../../ports/relation-store.js';
import { agentOnline } from '../clusters/lease.js';
import type { HubContext } from '../context.js';
import { retryOnConflict } from '../retry.js';
import { readWorks } from '../works/works.js';
import { loadDecisions } from './decisions.js';
import { acquireLease, deleteLease, releaseLease } from './lease.js';
import { observedTrack, observeWork, plannerPhase, type WorkObservation } from './observe.js';
import { planRolloutWave, type ClusterRolloutState, type PlanStrategy } from './planner.js';
import { contentHash, ensureRevision, pruneRevisions } from './revisions.js';
import { buildStatus } from './status.js';
import {
  ACTIVE_KEY,
  ACTIVE_RELATION,
  DIRTY_RELATION,
  encodeTrack,
  ERROR_RELATION,
  listAll,
  listTracks,
  TRACK_RELATION,
  type ClusterTrack,
} from './tracking.js';
import { WindowEvaluator } from './windows.js';

/**
 * The rollout controller: one run loads a FleetDeployment, makes sure its template has a revision,
 * reads the placement's decisions and what changed since the last run, asks the planner what to
 * do, hands the next wave to the fan-out steps, and writes status. Runs are serialised per
 * deployment by a lease; each run costs in proportion to the clusters in flight or changed (plus
 * one relation Query per 1,000 clusters), not to the fleet.
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
/** A cluster whose template failed is retried after this long (its labels may have been fixed). */
export const TEMPLATE_RETRY_MS = 300_000;
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
export async function reconcileFleetDeployment(ctx: HubContext, name: string, effects: RolloutEffects, requestedAt?: number): Promise<ReconcileResult> {
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

/**
 * Clusters whose Works one controller run reads at a time: a Work may be megabytes as JSON, so a
 * run keeps only each Work's observation, never a whole fleet's Works (one BatchGetItem of Works and
 * one of their status items per slice).
 */
export const OBSERVE_SLICE = 100;

/** What the Works of `clusters` say about this deployment (undefined: no Work of it). */
async function observeWorks(ctx: HubContext, name: string, clusters: string[]): Promise<Map<string, WorkObservation | undefined>> {
  const out = new Map<string, WorkObservation | undefined>();
  for (let i = 0; i < clusters.length; i += OBSERVE_SLICE) {
    const slice = clusters.slice(i, i + OBSERVE_SLICE);
    const works = await readWorks(ctx, slice.map((c) => ({ cluster: c, name })));
    slice.forEach((c, j) => out.set(c, observeWork(works[j], name)));
  }
  return out;
}

async function runOnce(ctx: HubContext, name: string, effects: RolloutEffects, now: number): Promise<ReconcileResult> {
  const fd = await ctx.ports.resources.get({ kind: 'FleetDeployment', name }, { consistent: true });
  if (!fd || fd.metadata.deletionTimestamp) {
    await ctx.ports.relations.remove(ACTIVE_RELATION, ACTIVE_KEY, name);
    return { outcome: 'missing' };
  }
  const spec = fd.spec as FleetDeploymentSpec;
  const previous = (fd.status ?? { conditions: [] }) as FleetDeploymentStatus;
  const control = previous.control ?? {};

  // 1. The revision: a new one when template or overrides changed.
  const content = { template: spec.template, overrides: spec.overrides };
  const hash = contentHash(content);
  let target = { revision: previous.revision ?? 0, hash };
  if (previous.revisionHash !== hash || !previous.revision) {
    const rollbackOf = control.rollbackFrom?.revision === previous.revision ? control.rollbackFrom?.to : undefined;
    const rev = await ensureRevision(ctx, name, content, previous.revision ?? 0, rollbackOf);
    await pruneRevisions(ctx, name, rev.revision);
    target = { revision: rev.revision, hash };
  }

  // 2. What the placement chose, what we remember, and what changed.
  const placement = await loadDecisions(ctx, spec.placementRef.name);
  // With no decisions there is nothing to roll out *yet*: never "Complete" (a watcher would stop).
  let placementProblem: string | undefined;
  if (placement.decisions.length === 0) {
    const exists = await ctx.ports.resources.get({ kind: 'Placement', name: spec.placementRef.name });
    placementProblem = exists ? `Placement "${spec.placementRef.name}" has chosen no clusters (yet)` : `Placement "${spec.placementRef.name}" does not exist`;
  }
  const decided = new Map(placement.decisions.map((d) => [d.cluster, d]));
  const tracks = await listTracks(ctx, name);
  const errors = new Map((await listAll(ctx, ERROR_RELATION, name)).map((i) => [i.to, i.data ?? {}]));
  // Errors of an older revision no longer apply (and no step for that revision writes any more).
  const staleErrors = [...errors.entries()].filter(([, e]) => e.h !== target.hash).map(([c]) => c);
  await ctx.ports.relations.removeMany(staleErrors.map((c) => ({ relation: ERROR_RELATION, from: name, to: c })));
  for (const c of staleErrors) errors.delete(c);
  const dirty = (await listAll(ctx, DIRTY_RELATION, name)).map((i) => i.to);
  // Cleared before reading, so a change reported while this run reads is marked again for the next.
  await ctx.ports.relations.removeMany(dirty.map((c) => ({ relation: DIRTY_RELATION, from: name, to: c })));

  const toRead = new Set<string>(dirty.filter((c) => decided.has(c)));
  for (const d of placement.decisions) {
    const t = tracks.get(d.cluster);
    if (!t || (t.hash === target.hash && !t.succeeded)) toRead.add(d.cluster);
  }
  const leaving = [...tracks.keys()].filter((c) => !decided.has(c));
  const works = await observeWorks(ctx, name, [...toRead, ...leaving]);
  // Whether the agent is online matters only for a cluster that has (or is adopting) a revision:
  // a cluster new to the rollout, without a Work of it, costs no head read.
  const needOnline = [...toRead].filter((c) => tracks.get(c)?.hash || works.get(c)?.hash);
  const heads = await ctx.ports.heads.getMany(needOnline);
  const online = new Map(
    needOnline.map((c, i) => {
      const head = heads[i];
      return [c, head !== undefined && agentOnline(head)];
    }),
  );

  // 3. Observe: the next tracking record of every decided cluster.
  const next = new Map<string, ClusterTrack>();
  const templateErrors = new Map<string, string>();
  const retryTemplate: string[] = [];
  for (const d of placement.decisions) {
    let t: ClusterTrack = { ...(tracks.get(d.cluster) ?? {}) };
    if (toRead.has(d.cluster)) {
      const obs = works.get(d.cluster);
      // A Work written before this track existed (lost state, or a rollback to content it has) is adopted.
      if (!t.hash && obs?.hash) t = { hash: obs.hash, revision: obs.revision, handedAt: now };
      if (t.hash) t = observedTrack(t, obs, online.get(d.cluster) ?? false, now);
    }
    const err = errors.get(d.cluster);
    if (err && err.h === target.hash && t.hash === target.hash && !t.written) {
      templateErrors.set(d.cluster, String(err.m));
      if (now - Number(err.at ?? 0) >= TEMPLATE_RETRY_MS) retryTemplate.push(d.cluster);
    }
    next.set(d.cluster, t);
  }

  // 4. Windows, for clusters still waiting for the target.
  const windows = spec.maintenanceWindows;
  const labelKeys = [...new Set(windows.map((w) => w.timeZoneLabel).filter((k): k is string => Boolean(k)))];
  const waiting = placement.decisions.filter((d) => next.get(d.cluster)?.hash !== target.hash).map((d) => d.cluster);
  if (labelKeys.length) {
    const stale = waiting.filter((c) => next.get(c)?.labelsRevision !== target.revision);
    const clusters = await ctx.ports.resources.getMany(stale.map((c) => ({ kind: 'Cluster', name: c })));
    for (const [i, c] of stale.entries()) {
      const labels = clusters[i]?.metadata.labels ?? {};
      const subset = Object.fromEntries(labelKeys.filter((k) => labels[k] !== undefined).map((k) => [k, labels[k]]));
      next.set(c, { ...next.get(c), windowLabels: JSON.stringify(subset), labelsRevision: target.revision });
    }
  }
  const evaluator = new WindowEvaluator(windows, now);
  const zoneProblems = new Map<string, string>();
  const states: ClusterRolloutState[] = placement.decisions.map((d) => {
    const t = next.get(d.cluster);
    const phase = plannerPhase(t, target.hash, templateErrors.has(d.cluster));
    const state: ClusterRolloutState = { name: d.cluster, group: d.groupName, phase, inWindow: true };
    if (phase === 'pending') {
      const verdict = evaluator.verdict(t?.windowLabels ? (JSON.parse(t.windowLabels) as Record<string, string>) : {});
      state.inWindow = verdict.open;
      if (verdict.nextOpenAt !== undefined) state.windowOpensAt = verdict.nextOpenAt;
      if (verdict.problem) zoneProblems.set(d.cluster, verdict.problem);
    } else {
      if (t?.handedAt !== undefined) state.updatedAt = t.handedAt;
      if (t?.since !== undefined) state.since = t.since;
      if (t?.succeeded) state.succeeded = true;
    }
    return state;
  });

  // 5. Plan.
  const fp = previous.failurePause;
  const resumedAt = control.resumedAt ? Date.parse(control.resumedAt) : undefined;
  const latched = Boolean(fp && fp.revision === target.revision && !(resumedAt !== undefined && resumedAt >= Date.parse(fp.at)));
  const ack = control.acknowledgedFailures?.revision === target.revision ? control.acknowledgedFailures.count : 0;
  const lastWaveAt = previous.lastWaveTime ? Date.parse(previous.lastWaveTime) : undefined;
  const plan = planRolloutWave({
    strategy: planStrategy(spec.rolloutStrategy),
    groups: placement.groups,
    clusters: states,
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
    next.set(c, { hash: target.hash, revision: target.revision, handedAt: now, phase: 'progressing', since: now, windowLabels: prev.windowLabels, labelsRevision: prev.labelsRevision });
  }
  // Handed out but still without a Work after a while (a lost or dead-lettered message): send again.
  const resend = placement.decisions
    .map((d) => d.cluster)
    .filter((c) => {
      const t = next.get(c);
      return t?.hash === target.hash && !t.written && !templateErrors.has(c) && now - Math.max(t.handedAt ?? 0, t.resentAt ?? 0) >= RESEND_AFTER_MS;
    });
  for (const c of [...resend, ...retryTemplate]) next.set(c, { ...next.get(c), resentAt: now });

  // 6. Clusters that left the placement: remove their Work, then forget them.
  const removeNow: string[] = [];
  for (const c of leaving) {
    if (works.get(c)) {
      removeNow.push(c);
      next.set(c, { ...tracks.get(c), removing: true });
    }
  }

  // 7. Write: tracks, then status (so that a fan-out step sees the revision), then messages.
  // Tracks have one writer (this run, under the lease), so unconditional batched puts are safe.
  const changedTracks: RelationItem[] = [];
  for (const [c, t] of next) {
    const before = tracks.get(c);
    const data = encodeTrack(t);
    if (!before || JSON.stringify(encodeTrack(before)) !== JSON.stringify(data)) changedTracks.push({ relation: TRACK_RELATION, from: name, to: c, data });
  }
  await ctx.ports.relations.putMany(changedTracks);
  const forgotten = leaving.filter((c) => !removeNow.includes(c));
  await ctx.ports.relations.removeMany([
    ...forgotten.map((c) => ({ relation: TRACK_RELATION, from: name, to: c })),
    ...forgotten.filter((c) => errors.has(c)).map((c) => ({ relation: ERROR_RELATION, from: name, to: c })),
  ]);
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
  const active = ((status.state === 'Progressing' || status.state === 'WaitingForWindow') && placement.decisions.length > 0) || templateErrors.size > 0;
  if (active) await ctx.ports.relations.put(ACTIVE_RELATION, ACTIVE_KEY, name);
  else await ctx.ports.relations.remove(ACTIVE_RELATION, ACTIVE_KEY, name);

  const handOut = [...plan.update, ...resend];
  if (handOut.length || retryTemplate.length) await effects.handOut(ctx, name, target, [...handOut, ...retryTemplate], retryTemplate);
  if (removeNow.length) await effects.remove(ctx, name, removeNow);
  if (plan.nextCheckAt !== undefined && plan.nextCheckAt - now <= MAX_WAKE_MS) await effects.wakeAt(ctx, name, plan.nextCheckAt);
  if (handOut.length) ctx.ports.log.info('rollout wave', { fleetDeployment: name, revision: target.revision, clusters: handOut.length, resent: resend.length });
  return { outcome: 'reconciled', state: status.state, handedOut: handOut.length };
}

/**
 * Writes the controller's part of the status onto the freshest object: the API owns
 * `status.control`, so a conflict re-reads and keeps whatever control the API wrote meanwhile.
 */
async function writeStatus(ctx: HubContext, fd: Resource, status: FleetDeploymentStatus): Promise<void> {
  let current: Resource | undefined = fd;
  await retryOnConflict(ctx.ports.clock, async (attempt) => {
    if (attempt > 0) current = await ctx.ports.resources.get({ kind: 'FleetDeployment', name: fd.metadata.name }, { consistent: true });
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
