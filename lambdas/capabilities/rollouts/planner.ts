import { resolveCount, type RolloutState, type RolloutType } from '../../../shared/resources/fleetdeployment.js';

/**
 * The rollout planner: pure. Given the strategy, the decision groups, what each cluster is doing
 * and the time, it says which clusters get the target revision now, whether the rollout must
 * pause, and whether it is complete. The controller feeds it and carries out its answer.
 *
 * Rules, in short:
 * - A cluster succeeds when its Work is Available at the target revision for `minSuccessTime`
 *   (success is sticky for planning, so a later wobble never un-finishes a wave).
 * - It fails when it reports Applied=False at the target, or when it has not succeeded within
 *   `progressDeadline` of getting the target. An offline cluster's deadline counts from the later of
 *   the update and the moment it went offline, so it fails only after being away that long.
 * - Failures past `maxFailures` (a number, or a percentage of all clusters, rounded down) pause the
 *   rollout; so does any failure in a mandatory group. A resume acknowledges the failures present.
 * - Mandatory groups go first, in their listed order, and must be done before any other cluster
 *   starts. Then:
 *   - All: every remaining cluster at once;
 *   - Progressive: at most `maxConcurrency` clusters in flight (default 25%, rounded up);
 *   - ProgressivePerGroup: one group at a time in decision order, the next only when the previous
 *     is done (`maxConcurrency`, when set, caps each group).
 * - Clusters outside their maintenance window wait (pendingWindow) unless windows are overridden.
 * - Two waves are at least `waveDelay` apart.
 */

/** What a cluster is doing, as the controller observed it. */
export type ClusterPhase =
  /** Does not have the target revision yet. */
  | 'pending'
  /** Has been given the target (or is being given it) and has not reported it Available yet. */
  | 'progressing'
  /** Available at the target since `since`. */
  | 'available'
  /** Degraded at the target. */
  | 'degraded'
  /** Applied=False at the target. */
  | 'failed'
  /** Has the target, but its agent is offline since `since`. */
  | 'offline'
  /** The template cannot be rendered for this cluster; it waits for a fix (not a failure). */
  | 'error';

/** One cluster as the planner sees it. */
export interface ClusterRolloutState {
  name: string;
  /** Its decision group's name ('' when the placement has no groups). */
  group: string;
  phase: ClusterPhase;
  /** When it was given the target revision (epoch ms); set for every phase but pending and error. */
  updatedAt?: number;
  /** When the current phase began (available, offline). */
  since?: number;
  /** It has already succeeded at the target (recorded by the controller). */
  succeeded?: boolean;
  /** Inside a maintenance window now (only pending clusters care). */
  inWindow: boolean;
  /** When its next window opens, if it is outside one. */
  windowOpensAt?: number;
}

/** The strategy with durations in milliseconds. */
export interface PlanStrategy {
  type: RolloutType;
  maxConcurrency?: number | string;
  minSuccessMs: number;
  /** undefined: no deadline (`None`). */
  progressDeadlineMs?: number;
  maxFailures: number | string;
  mandatoryGroups: string[];
  waveDelayMs: number;
}

export interface PlanInput {
  strategy: PlanStrategy;
  /** Decision group names in placement order. */
  groups: string[];
  clusters: ClusterRolloutState[];
  now: number;
  /** spec.paused. */
  paused: boolean;
  /** The current revision was aborted. */
  aborted: boolean;
  /** A failure pause is in force (latched until a resume). */
  failurePaused: boolean;
  /** Failures a resume acknowledged for this revision. */
  acknowledgedFailures: number;
  /** When the last wave started. */
  lastWaveAt?: number;
  /** The emergency override: windows are ignored. */
  ignoreWindows?: boolean;
}

/** Where a cluster stands in the rollout. */
export type Outcome = 'succeeded' | 'inFlight' | 'failed' | 'pending' | 'pendingWindow' | 'error';

/** Progress of one decision group. */
export interface GroupPlan {
  name: string;
  mandatory: boolean;
  total: number;
  counts: Record<Outcome, number>;
  /** Pending, Progressing, Succeeded, Failed or WaitingForWindow. */
  state: string;
}

export interface PausePlan {
  reason: 'MaxFailuresExceeded' | 'MandatoryGroupFailed';
  message: string;
}

export interface Plan {
  /** Clusters to give the target revision now, in rollout order. */
  update: string[];
  /** Clusters that succeeded in this evaluation (for the controller to remember). */
  newlySucceeded: string[];
  outcomes: Record<string, Outcome>;
  counts: Record<Outcome, number> & { total: number };
  /** Failures tolerated (maxFailures resolved against the total). */
  failureThreshold: number;
  /** A new failure pause to latch. */
  pause?: PausePlan;
  state: RolloutState;
  /** Why the rollout is not moving, when it is not. */
  message: string;
  groups: GroupPlan[];
  complete: boolean;
  /** The earliest time at which the plan may change without any new report (epoch ms). */
  nextCheckAt?: number;
}

/** Default `maxConcurrency` of Progressive. */
export const DEFAULT_MAX_CONCURRENCY = '25%';

const OUTCOMES: Outcome[] = ['succeeded', 'inFlight', 'failed', 'pending', 'pendingWindow', 'error'];

function zeroCounts(): Record<Outcome, number> {
  return { succeeded: 0, inFlight: 0, failed: 0, pending: 0, pendingWindow: 0, error: 0 };
}

/** Classifies one cluster; `wake` receives times at which the answer would change. */
export function classify(c: ClusterRolloutState, s: PlanStrategy, now: number, ignoreWindows: boolean, wake: (t: number) => void): Outcome {
  if (c.phase === 'error') return 'error';
  if (c.phase === 'pending') {
    if (c.inWindow || ignoreWindows) return 'pending';
    if (c.windowOpensAt !== undefined) wake(c.windowOpensAt);
    return 'pendingWindow';
  }
  if (c.succeeded) return 'succeeded';
  if (c.phase === 'failed') return 'failed';
  if (c.phase === 'available') {
    const since = c.since ?? now;
    if (now - since >= s.minSuccessMs) return 'succeeded';
    wake(since + s.minSuccessMs);
    return 'inFlight';
  }
  if (s.progressDeadlineMs !== undefined) {
    const start = c.phase === 'offline' ? Math.max(c.updatedAt ?? now, c.since ?? now) : (c.updatedAt ?? now);
    const deadline = start + s.progressDeadlineMs;
    if (now >= deadline) return 'failed';
    wake(deadline);
  }
  return 'inFlight';
}

function groupState(g: Record<Outcome, number>, total: number): string {
  if (total === 0) return 'Succeeded';
  if (g.inFlight > 0) return 'Progressing';
  if (g.pending === 0 && g.pendingWindow === 0) return g.failed > 0 ? 'Failed' : 'Succeeded';
  if (g.pending === 0 && g.pendingWindow > 0 && g.succeeded + g.failed + g.error > 0) return 'WaitingForWindow';
  if (g.succeeded + g.failed + g.error > 0) return 'Progressing';
  return g.pending === 0 ? 'WaitingForWindow' : 'Pending';
}

/** Is a group finished for sequencing: nothing pending, waiting or in flight. */
function groupDone(g: Record<Outcome, number>): boolean {
  return g.inFlight === 0 && g.pending === 0 && g.pendingWindow === 0;
}

/** Plans the next step of a rollout. Pure and deterministic. */
export function planRolloutWave(input: PlanInput): Plan {
  const { strategy: s, now } = input;
  let nextCheckAt: number | undefined;
  const wake = (t: number) => {
    if (t > now && (nextCheckAt === undefined || t < nextCheckAt)) nextCheckAt = t;
  };

  const mandatory = s.mandatoryGroups.filter((g, i, all) => all.indexOf(g) === i);
  const order = [...mandatory, ...input.groups.filter((g) => !mandatory.includes(g))];
  for (const c of input.clusters) if (!order.includes(c.group)) order.push(c.group);
  const rank = new Map(order.map((g, i) => [g, i]));

  const outcomes: Record<string, Outcome> = {};
  const newlySucceeded: string[] = [];
  const counts = { ...zeroCounts(), total: input.clusters.length };
  const perGroup = new Map<string, Record<Outcome, number>>(order.map((g) => [g, zeroCounts()]));
  for (const c of input.clusters) {
    const o = classify(c, s, now, Boolean(input.ignoreWindows), wake);
    outcomes[c.name] = o;
    if (o === 'succeeded' && !c.succeeded) newlySucceeded.push(c.name);
    counts[o]++;
    perGroup.get(c.group)![o]++;
  }

  const failureThreshold = Math.max(0, resolveCount(s.maxFailures, counts.total));
  const effectiveFailed = Math.max(0, counts.failed - input.acknowledgedFailures);
  const mandatoryFailed = mandatory.reduce((n, g) => n + (perGroup.get(g)?.failed ?? 0), 0);
  let pause: PausePlan | undefined;
  if (!input.failurePaused && effectiveFailed > 0) {
    if (effectiveFailed > failureThreshold) {
      pause = {
        reason: 'MaxFailuresExceeded',
        message: `${counts.failed} cluster${counts.failed === 1 ? '' : 's'} failed${input.acknowledgedFailures ? ` (${input.acknowledgedFailures} acknowledged)` : ''}; maxFailures allows ${failureThreshold}`,
      };
    } else if (mandatoryFailed > 0 && counts.failed > input.acknowledgedFailures) {
      pause = {
        reason: 'MandatoryGroupFailed',
        message: `${mandatoryFailed} cluster${mandatoryFailed === 1 ? '' : 's'} failed in mandatory group(s) ${mandatory.join(', ')}`,
      };
    }
  }

  const groups: GroupPlan[] = order
    .filter((g) => input.groups.includes(g) || input.clusters.some((c) => c.group === g))
    .map((g) => {
      const gc = perGroup.get(g)!;
      const total = OUTCOMES.reduce((n, o) => n + gc[o], 0);
      return { name: g, mandatory: mandatory.includes(g), total, counts: gc, state: groupState(gc, total) };
    });

  const complete = counts.inFlight === 0 && counts.pending === 0 && counts.pendingWindow === 0;
  const base = { newlySucceeded, outcomes, counts, failureThreshold, groups, complete };
  const stop = (state: RolloutState, message: string, extra: Partial<Plan> = {}): Plan => ({
    ...base,
    update: [],
    state,
    message,
    nextCheckAt,
    ...extra,
  });

  if (input.aborted) return stop('Aborted', 'the rollout of this revision was aborted; what was applied stays');
  if (pause || input.failurePaused)
    return stop('Failed', pause?.message ?? 'paused after failures; resume to continue', pause ? { pause } : {});
  if (input.paused) return stop('Paused', 'paused by request; resume to continue');
  if (complete) {
    const tail = [counts.failed ? `${counts.failed} failed` : '', counts.error ? `${counts.error} with template errors` : '']
      .filter(Boolean)
      .join(', ');
    // Failures within the budget do not stop the rollout, but they must not read as a clean success.
    return stop(tail ? 'CompleteWithFailures' : 'Complete', `all ${counts.total} clusters processed${tail ? `; ${tail}` : ''}`);
  }

  // Candidates in rollout order; mandatory groups must be done before anything else starts.
  const pending = input.clusters
    .filter((c) => outcomes[c.name] === 'pending')
    .sort((a, b) => rank.get(a.group)! - rank.get(b.group)! || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const mandatoryOpen = mandatory.find((g) => !groupDone(perGroup.get(g) ?? zeroCounts()));
  let candidates = mandatoryOpen !== undefined ? pending.filter((c) => c.group === mandatoryOpen) : pending;
  let limit = Infinity;
  if (s.type === 'ProgressivePerGroup' && mandatoryOpen === undefined) {
    const current = order.find((g) => !groupDone(perGroup.get(g) ?? zeroCounts()));
    candidates = pending.filter((c) => c.group === current);
  }
  const inFlightOf = (filter: (c: ClusterRolloutState) => boolean) =>
    input.clusters.filter((c) => filter(c) && outcomes[c.name] === 'inFlight').length;
  if (s.type === 'Progressive') {
    limit = Math.max(1, resolveCount(s.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY, counts.total, true)) - counts.inFlight;
  } else if (s.type === 'ProgressivePerGroup' && s.maxConcurrency !== undefined && candidates.length) {
    const g = candidates[0].group;
    const size = input.clusters.filter((c) => c.group === g).length;
    limit = Math.max(1, resolveCount(s.maxConcurrency, size, true)) - inFlightOf((c) => c.group === g);
  }
  const waiting = (): string => {
    if (mandatoryOpen !== undefined) return `waiting for mandatory group ${mandatoryOpen || '(ungrouped)'} to finish`;
    if (counts.inFlight > 0) return `${counts.inFlight} cluster${counts.inFlight === 1 ? '' : 's'} in flight`;
    return `${counts.pendingWindow} cluster${counts.pendingWindow === 1 ? '' : 's'} waiting for a maintenance window`;
  };
  if (candidates.length === 0 || limit <= 0) {
    const onlyWindows = counts.inFlight === 0 && counts.pending === 0 && counts.pendingWindow > 0;
    return stop(onlyWindows ? 'WaitingForWindow' : 'Progressing', waiting());
  }
  if (input.lastWaveAt !== undefined && now < input.lastWaveAt + s.waveDelayMs) {
    wake(input.lastWaveAt + s.waveDelayMs);
    return stop('Progressing', `next wave after the wave delay, at ${new Date(input.lastWaveAt + s.waveDelayMs).toISOString()}`);
  }
  const update = candidates.slice(0, Number.isFinite(limit) ? limit : candidates.length).map((c) => c.name);
  // The new wave is in flight as soon as it is handed out; a deadline may fall due later.
  if (s.progressDeadlineMs !== undefined) wake(now + s.progressDeadlineMs);
  if (s.waveDelayMs > 0) wake(now + s.waveDelayMs);
  return {
    ...base,
    update,
    state: 'Progressing',
    message: `updating ${update.length} cluster${update.length === 1 ? '' : 's'}`,
    nextCheckAt,
  };
}
