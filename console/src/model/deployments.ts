import type { Condition, Resource } from '../../../shared/resources/meta.js';
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
  rolloutStrategy?: { type?: string; maxConcurrency?: number | string; maxFailures?: number | string; minSuccessTime?: string };
  maintenanceWindows?: { schedule: string; duration: string; timeZone?: string; timeZoneLabel?: string }[];
  paused?: boolean;
}

export interface DeploymentStatusView {
  conditions?: Condition[];
  revision?: number;
  state?: string;
  pausedReason?: string;
  summary?: { total: number; updated: number; applied: number; available: number; degraded: number; failed: number; pendingWindow: number; templateErrors?: number };
  groups?: GroupView[];
  clusters?: { cluster: string; reason: string; message: string }[];
  clustersOmitted?: number;
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
  if (cond('Complete')) return d.status?.conditions?.find((c) => c.type === 'Complete')?.reason === 'RolloutCompleteWithFailures' ? 'CompleteWithFailures' : 'Complete';
  if (cond('Progressing')) return 'Progressing';
  return 'Pending';
}

/** A state in words: `WaitingForWindow` reads "Waiting for window". */
export function stateLabel(state: string): string {
  if (state === 'WaitingForWindow') return 'Waiting for window';
  if (state === 'CompleteWithFailures') return 'Complete with failures';
  return state;
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
  // Rollback needs an earlier revision to go back to; revision 1 (or none yet) has none.
  return { pause: running, resume: stopped, abort: state !== 'Aborted' && state !== 'Complete' && state !== 'CompleteWithFailures', rollback: (revision ?? 0) > 1 };
}

/** Does a cluster problem mean "waiting for its maintenance window" rather than a failure? */
export function isWindowWait(reason: string): boolean {
  return /window/i.test(reason);
}

/** Splits the status' cluster list into failures and clusters waiting for a window. */
export function clusterProblems(d: DeploymentObject): { failed: { cluster: string; reason: string; message: string }[]; waiting: { cluster: string; reason: string; message: string }[] } {
  const list = d.status?.clusters ?? [];
  return { failed: list.filter((c) => !isWindowWait(c.reason)), waiting: list.filter((c) => isWindowWait(c.reason)) };
}

/** Bar segments of a group: available, updated but not yet available, failed, the rest. */
export function groupSegments(g: Pick<GroupView, 'total' | 'updated' | 'available' | 'failed'>): { label: string; count: number; tone: Tone }[] {
  const available = Math.min(g.available, g.total);
  const failed = Math.min(g.failed, g.total - available);
  const updating = Math.max(0, Math.min(g.updated - available - failed, g.total - available - failed));
  return [
    { label: 'available', count: available, tone: 'good' },
    { label: 'updating', count: updating, tone: 'info' },
    { label: 'failed', count: failed, tone: 'bad' },
  ];
}
