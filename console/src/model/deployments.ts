import type { Condition, Resource } from '../../../shared/resources/meta.js';
import { parseDuration } from './durations.js';
import type { Tone } from './tone.js';

/**
 * How the Deployments view reads a FleetDeployment's status (shared/resources/fleetdeployment.ts):
 * its state, per-group progress, failed clusters and clusters waiting for a maintenance window.
 * Types are written loosely on purpose: the console must survive a hub one version ahead.
 */

/** The parts of a FleetDeployment the console reads. */
export type DeploymentObject = Resource<DeploymentSpecView, DeploymentStatusView>;

export interface DeploymentSpecView {
  placementRef?: { name: string };
  rolloutStrategy?: {
    type?: string;
    maxConcurrency?: number | string;
    maxFailures?: number | string;
    minSuccessTime?: string;
    waveDelay?: string;
    progressDeadline?: string;
  };
  maintenanceWindows?: { schedule: string; duration: string; timeZone?: string; timeZoneLabel?: string }[];
  paused?: boolean;
}

export interface DeploymentStatusView {
  conditions?: Condition[];
  revision?: number;
  state?: string;
  pausedReason?: string;
  summary?: {
    total: number;
    updated: number;
    applied: number;
    available: number;
    degraded: number;
    failed: number;
    pendingWindow: number;
    templateErrors?: number;
  };
  groups?: GroupView[];
  clusters?: { cluster: string; reason: string; message: string }[];
  clustersOmitted?: number;
  waves?: number;
  lastWaveTime?: string;
  failurePause?: { at: string; failed: number; revision: number; reason: string; message: string };
  control?: RolloutControlView;
}

/** Rollout controls set through the API, as the hub records them in status. */
export interface RolloutControlView {
  resumedAt?: string;
  abortedRevision?: number;
  windowOverride?: { reason: string; until?: string; at: string; revision: number; actor?: string };
  rollbackFrom?: { revision: number; to: number; at: string };
}

export interface GroupView {
  name: string;
  total: number;
  updated: number;
  available: number;
  failed: number;
  state: string;
  mandatory?: boolean;
}

/** The rollout state: `status.state` when the hub sets it, else derived from the conditions. */
export function rolloutState(d: DeploymentObject): string {
  if (d.status?.state) return d.status.state;
  const cond = (type: string) => d.status?.conditions?.find((c) => c.type === type)?.status === 'True';
  if (cond('Failed')) return 'Failed';
  if (cond('Paused') || d.spec?.paused) return 'Paused';
  if (cond('Complete'))
    return d.status?.conditions?.find((c) => c.type === 'Complete')?.reason === 'RolloutCompleteWithFailures'
      ? 'CompleteWithFailures'
      : 'Complete';
  if (cond('Progressing')) return 'Progressing';
  return 'Pending';
}

/**
 * Rollout states in order of concern (problems first), for the summary and the default sort.
 * A state this list does not know (a newer hub) still shows, in a neutral colour.
 */
export const RolloutStateOrder: readonly string[] = [
  'Failed',
  'Aborted',
  'CompleteWithFailures',
  'Paused',
  'WaitingForWindow',
  'Progressing',
  'Pending',
  'Complete',
];

/** A state in words: `WaitingForWindow` reads "Waiting for window"; other CamelCase words are split the same way. */
export function stateLabel(state: string): string {
  const words = state.replace(/([a-z])([A-Z])/g, '$1 $2').split(' ');
  return words.map((w, i) => (i === 0 ? w : w.toLowerCase())).join(' ');
}

/** `0 2 * * * (Europe/Berlin, 2h)`: a maintenance window as written, with its zone and length. */
export function describeWindow(w: { schedule: string; duration: string; timeZone?: string; timeZoneLabel?: string }): string {
  const zone = w.timeZoneLabel ? `zone from label ${w.timeZoneLabel}${w.timeZone ? `, else ${w.timeZone}` : ''}` : (w.timeZone ?? 'UTC');
  return `${w.schedule} (${zone}, ${w.duration})`;
}

/** Badge tone of a rollout or group state. */
export function stateTone(state: string): Tone {
  switch (state) {
    case 'Complete':
    case 'Succeeded':
      return 'good';
    case 'Progressing':
      return 'info';
    // Done, but some clusters failed: amber, never the green of a clean success.
    case 'CompleteWithFailures':
    case 'Paused':
    case 'WaitingForWindow':
      return 'warn';
    case 'Failed':
    case 'Aborted':
      return 'bad';
    default:
      return 'muted';
  }
}

/** What the controls may do in a state: pause while running, resume while paused or aborted. */
export function allowedActions(state: string, revision?: number): { pause: boolean; resume: boolean; abort: boolean; rollback: boolean } {
  const running = state === 'Progressing' || state === 'WaitingForWindow' || state === 'Pending';
  const stopped = state === 'Paused' || state === 'Aborted' || state === 'Failed';
  const finished = state === 'Complete' || state === 'CompleteWithFailures';
  // Rollback needs an earlier revision to go back to; revision 1 (or none yet) has none.
  return { pause: running, resume: stopped, abort: state !== 'Aborted' && !finished, rollback: (revision ?? 0) > 1 };
}

/** Does a cluster problem mean "waiting for its maintenance window" rather than a failure? */
export function isWindowWait(reason: string): boolean {
  return /window/i.test(reason);
}

/** Splits the status' cluster list into failures and clusters waiting for a window. */
export function clusterProblems(d: DeploymentObject): {
  failed: { cluster: string; reason: string; message: string }[];
  waiting: { cluster: string; reason: string; message: string }[];
} {
  const list = d.status?.clusters ?? [];
  return { failed: list.filter((c) => !isWindowWait(c.reason)), waiting: list.filter((c) => isWindowWait(c.reason)) };
}

/** Bar segments of a group: available, updated but not yet available, failed, the rest. */
export function groupSegments(
  g: Pick<GroupView, 'total' | 'updated' | 'available' | 'failed'>,
): { label: string; count: number; tone: Tone }[] {
  const available = Math.min(g.available, g.total);
  const failed = Math.min(g.failed, g.total - available);
  const updating = Math.max(0, Math.min(g.updated - available - failed, g.total - available - failed));
  return [
    { label: 'available', count: available, tone: 'good' },
    { label: 'updating', count: updating, tone: 'info' },
    { label: 'failed', count: failed, tone: 'bad' },
  ];
}

/** When the current wave can end and the rollout finish, at the earliest; see {@link waveTiming}. */
export interface WaveTiming {
  /** Number of the current wave (status.waves) and when it started. */
  wave?: number;
  waveStartedAt?: number;
  /** minSuccessTime: how long an updated cluster must stay Available before it counts. */
  soakMs: number;
  /** When the current wave's clusters can have soaked, if they became Available at once. */
  soakEndsAt?: number;
  /** The earliest the next wave can start: after the soak and after waveDelay. */
  nextWaveAt?: number;
  /** Waves still to start after the current one (an estimate from the strategy). */
  wavesLeft?: number;
  /** The earliest the whole rollout can be complete. */
  finishAt?: number;
}

function resolveCount(value: number | string, total: number): number {
  if (typeof value === 'number') return value;
  return Math.ceil((total * Number(value.trim().replace('%', ''))) / 100);
}

/**
 * The soak countdown and the wave ETA of a progressing rollout, from what the status says (the
 * current wave's start) and the strategy (minSuccessTime, waveDelay, concurrency). These are lower
 * bounds: a cluster that takes longer to become Available delays its wave by as much.
 */
export function waveTiming(d: DeploymentObject): WaveTiming {
  const strategy = d.spec?.rolloutStrategy ?? {};
  const soakMs = parseDuration(strategy.minSuccessTime ?? '0s') ?? 0;
  const delayMs = parseDuration(strategy.waveDelay ?? '0s') ?? 0;
  const started = d.status?.lastWaveTime ? Date.parse(d.status.lastWaveTime) : NaN;
  if (Number.isNaN(started)) return { soakMs };
  const state = rolloutState(d);
  const timing: WaveTiming = { wave: d.status?.waves, waveStartedAt: started, soakMs };
  if (state !== 'Progressing') return timing;
  const soakEndsAt = started + soakMs;
  const nextWaveAt = Math.max(soakEndsAt, started + delayMs);
  const summary = d.status?.summary;
  const total = summary?.total ?? 0;
  const remaining = Math.max(0, total - (summary?.updated ?? 0));
  let wavesLeft: number;
  switch (strategy.type ?? 'All') {
    case 'Progressive': {
      const concurrency = Math.max(1, resolveCount(strategy.maxConcurrency ?? '25%', total));
      wavesLeft = Math.ceil(remaining / concurrency);
      break;
    }
    case 'ProgressivePerGroup':
      wavesLeft = Math.max(0, (d.status?.groups ?? []).filter((g) => g.state !== 'Succeeded' && g.state !== 'Progressing').length);
      break;
    default:
      wavesLeft = remaining > 0 ? 1 : 0;
  }
  const perWave = Math.max(soakMs, delayMs);
  // The last wave starts (wavesLeft - 1) waves after the next one, and needs its own soak.
  const finishAt = wavesLeft === 0 ? soakEndsAt : nextWaveAt + (wavesLeft - 1) * perWave + soakMs;
  return { ...timing, soakEndsAt, nextWaveAt, wavesLeft, finishAt };
}

/** The emergency window override, and whether it still applies (same revision, not expired). */
export function windowOverride(
  d: DeploymentObject,
  now: number,
): { active: boolean; reason: string; at: string; until?: string; actor?: string; revision: number; why?: string } | undefined {
  const o = d.status?.control?.windowOverride;
  if (!o) return undefined;
  const expired = o.until !== undefined && Date.parse(o.until) <= now;
  const stale = d.status?.revision !== undefined && o.revision !== d.status.revision;
  const why = expired
    ? `expired ${o.until}`
    : stale
      ? `it was for revision ${o.revision}; revision ${d.status?.revision} needs a new override`
      : undefined;
  return { active: !expired && !stale, reason: o.reason, at: o.at, until: o.until, actor: o.actor, revision: o.revision, why };
}

/** One entry of an object's history, as shown in its timeline. */
export interface HistoryEntry {
  time: string;
  what: string;
  detail?: string;
  tone: Tone;
}

function byTimeDesc(a: HistoryEntry, b: HistoryEntry): number {
  return Date.parse(b.time) - Date.parse(a.time);
}

/**
 * A FleetDeployment's history from what the hub keeps: its conditions' transitions, the current
 * wave, a pause for failures, and the controls (resume, window override, rollback), newest first.
 */
export function deploymentHistory(d: DeploymentObject): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const c of d.status?.conditions ?? []) {
    if (!c.lastTransitionTime) continue;
    const bad = c.type === 'Failed' || c.type === 'Paused';
    const tone: Tone = c.status === 'True' ? (bad ? 'bad' : c.type === 'Complete' ? 'good' : 'info') : 'muted';
    out.push({
      time: c.lastTransitionTime,
      what: `${c.type}: ${c.status}${c.reason ? ` (${c.reason})` : ''}`,
      detail: c.message || undefined,
      tone,
    });
  }
  const s = d.status;
  if (s?.lastWaveTime)
    out.push({
      time: s.lastWaveTime,
      what: s.waves ? `Wave ${s.waves} started` : 'Wave started',
      detail: s.revision ? `revision ${s.revision}` : undefined,
      tone: 'info',
    });
  if (s?.failurePause)
    out.push({
      time: s.failurePause.at,
      what: `Paused for failures (${s.failurePause.failed} failed)`,
      detail: s.failurePause.message,
      tone: 'bad',
    });
  const c = s?.control;
  if (c?.resumedAt) out.push({ time: c.resumedAt, what: 'Resumed', tone: 'info' });
  if (c?.windowOverride)
    out.push({
      time: c.windowOverride.at,
      what: `Maintenance windows overridden for revision ${c.windowOverride.revision}`,
      detail: `${c.windowOverride.reason}${c.windowOverride.actor ? ` (by ${c.windowOverride.actor})` : ''}`,
      tone: 'warn',
    });
  if (c?.rollbackFrom)
    out.push({
      time: c.rollbackFrom.at,
      what: `Rolled back from revision ${c.rollbackFrom.revision} to ${c.rollbackFrom.to}`,
      tone: 'warn',
    });
  if (d.metadata.creationTimestamp) out.push({ time: d.metadata.creationTimestamp, what: 'Created', tone: 'muted' });
  return out.sort(byTimeDesc);
}

/** A revision as a hub's revision list may give it (read tolerantly: the route is optional). */
export interface RevisionView {
  revision: number;
  createdAt?: string;
  hash?: string;
  rollbackOf?: number;
}

/** Reads a revision list answer, keeping only entries with a revision number; newest first. */
export function readRevisions(body: unknown): RevisionView[] {
  const items = (body as { items?: unknown })?.items;
  if (!Array.isArray(items)) return [];
  const out: RevisionView[] = [];
  for (const raw of items) {
    const r = raw as Record<string, unknown>;
    if (typeof r?.revision !== 'number') continue;
    const createdAt =
      typeof r.createdAt === 'string' ? r.createdAt : typeof r.creationTimestamp === 'string' ? r.creationTimestamp : undefined;
    out.push({
      revision: r.revision,
      createdAt,
      hash: typeof r.hash === 'string' ? r.hash : undefined,
      rollbackOf: typeof r.rollbackOf === 'number' ? r.rollbackOf : undefined,
    });
  }
  return out.sort((a, b) => b.revision - a.revision);
}
