import type { FleetDeploymentSpec } from '../../../shared/resources/fleetdeployment.js';
import { agentOnline } from '../clusters/cluster-lease.js';
import type { HubContext } from '../../core/context.js';
import { readWorks } from '../works/works.js';
import { observedTrack, observeWork, plannerPhase, type WorkObservation } from './observe.js';
import type { ClusterRolloutState } from './planner.js';
import type { RunState, Target } from './run-state.js';
import type { ClusterTrack } from './tracking.js';
import { WindowEvaluator } from './windows.js';
import { clusterKind } from '../../../shared/resources/cluster.js';
import { readResources } from '../../core/typed-resources.js';

/**
 * The observing phases of a controller run (see ./controller.ts): what the Works and agents of the
 * clusters that may have moved say, turned into the next tracking records; then the maintenance
 * windows of the clusters still waiting, turned into the planner's view of every cluster.
 */

/** A cluster whose template failed is retried after this long (its labels may have been fixed). */
export const TEMPLATE_RETRY_MS = 300_000;

/**
 * Clusters whose Works one controller run reads at a time: a Work may be megabytes as JSON, so a
 * run keeps only each Work's observation, never a whole fleet's Works (one BatchGetItem of Works and
 * one of their status items per slice).
 */
export const OBSERVE_SLICE = 100;

/** What a run saw of the clusters, and the tracking records it will write. */
export interface WaveObservation {
  /** Clusters that left the placement but are still tracked. */
  leaving: string[];
  /** The observation of each cluster whose Work was read (undefined: no Work of this deployment). */
  works: Map<string, WorkObservation | undefined>;
  /** The next tracking record of every decided cluster (later phases add to it). */
  next: Map<string, ClusterTrack>;
  /** Template errors of the target that still hold, by cluster. */
  templateErrors: Map<string, string>;
  /** Clusters whose template failed long enough ago to be tried again. */
  retryTemplate: string[];
}

/** The planner's view of every decided cluster, and the clusters whose time zone label is unusable. */
export interface WindowView {
  states: ClusterRolloutState[];
  zoneProblems: Map<string, string>;
}

/** What the Works of `clusters` say about this deployment (undefined: no Work of it). */
async function observeWorks(ctx: HubContext, name: string, clusters: string[]): Promise<Map<string, WorkObservation | undefined>> {
  const out = new Map<string, WorkObservation | undefined>();
  for (let i = 0; i < clusters.length; i += OBSERVE_SLICE) {
    const slice = clusters.slice(i, i + OBSERVE_SLICE);
    const works = await readWorks(
      ctx,
      slice.map((c) => ({ cluster: c, name })),
    );
    slice.forEach((c, j) => out.set(c, observeWork(works[j], name)));
  }
  return out;
}

/**
 * Reads the Works (and, where a revision is at stake, the agents' heads) of the clusters that may
 * have moved: those marked changed, new to the rollout, or still on their way to the target; plus
 * the clusters that left. Costs in proportion to those, not to the fleet.
 */
export async function observeWave(ctx: HubContext, name: string, state: RunState, target: Target, now: number): Promise<WaveObservation> {
  const { placement, decided, tracks, errors, dirty } = state;
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
  return { leaving, works, next, templateErrors, retryTemplate };
}

/**
 * The maintenance windows of the clusters still waiting for the target: their time zone labels
 * (read once per revision, kept in the tracking record) and whether a window is open now. Returns
 * the planner's view of every decided cluster; adds the labels read to `observation.next`.
 */
export async function judgeWindows(
  ctx: HubContext,
  spec: FleetDeploymentSpec,
  state: RunState,
  observation: WaveObservation,
  target: Target,
  now: number,
): Promise<WindowView> {
  const { placement } = state;
  const { next, templateErrors } = observation;
  const windows = spec.maintenanceWindows;
  const labelKeys = [...new Set(windows.map((w) => w.timeZoneLabel).filter((k): k is string => Boolean(k)))];
  const waiting = placement.decisions.filter((d) => next.get(d.cluster)?.hash !== target.hash).map((d) => d.cluster);
  if (labelKeys.length) {
    const stale = waiting.filter((c) => next.get(c)?.labelsRevision !== target.revision);
    const clusters = await readResources(
      ctx,
      clusterKind,
      stale.map((c) => ({ name: c })),
    );
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
    const cluster: ClusterRolloutState = { name: d.cluster, group: d.groupName, phase, inWindow: true };
    if (phase === 'pending') {
      const verdict = evaluator.verdict(t?.windowLabels ? (JSON.parse(t.windowLabels) as Record<string, string>) : {});
      cluster.inWindow = verdict.open;
      if (verdict.nextOpenAt !== undefined) cluster.windowOpensAt = verdict.nextOpenAt;
      if (verdict.problem) zoneProblems.set(d.cluster, verdict.problem);
    } else {
      if (t?.handedAt !== undefined) cluster.updatedAt = t.handedAt;
      if (t?.since !== undefined) cluster.since = t.since;
      if (t?.succeeded) cluster.succeeded = true;
    }
    return cluster;
  });
  return { states, zoneProblems };
}
