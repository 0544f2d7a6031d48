import type { Condition, Resource } from '../../../shared/resources/meta.js';
import type { Tone } from './tone.js';

/**
 * How the console summarises Works (per cluster) and their per-resource status and drift.
 */

/** Label the rollout controller puts on the Works it writes. */
export const FLEETDEPLOYMENT_LABEL = 'tether.dev/fleetdeployment';

/** The parts of a Work's status the console reads. */
export interface WorkStatusView {
  conditions?: Condition[];
  observedGeneration?: number;
  resourceStatus?: { manifests?: ManifestStatusView[] };
  driftEvents?: DriftEventView[];
  lastReportTime?: string;
}

/** Status of one manifest of a work. */
export interface ManifestStatusView {
  resourceMeta: { group?: string; version?: string; kind: string; resource?: string; namespace?: string; name: string };
  conditions?: Condition[];
  statusFeedback?: { values?: { name: string; value: unknown }[] };
}

/** A drift event as stored on a Work. */
export interface DriftEventView {
  kind: string;
  namespace?: string;
  name: string;
  change: string;
  fields?: string[];
  corrected?: boolean;
  time: string;
}

/** A Work as the admin API returns it. */
export type WorkObject = Resource<{ workload?: { manifests?: unknown[] } }, WorkStatusView>;

/** Summary states of a work on one cluster, in order of concern. */
export type WorkState = 'Failed' | 'Degraded' | 'Progressing' | 'Available' | 'Applied' | 'Pending';

/** One word for a work's state, from its conditions. */
export function workState(work: WorkObject): WorkState {
  const cond = (type: string) => work.status?.conditions?.find((c) => c.type === type)?.status;
  if (cond('Applied') === 'False') return 'Failed';
  if (cond('Degraded') === 'True') return 'Degraded';
  if (cond('Available') === 'True') return 'Available';
  if (cond('Available') === 'False' && cond('Applied') === 'True') return 'Progressing';
  if (cond('Applied') === 'True') return 'Applied';
  return 'Pending';
}

/** Badge tone of a work state. */
export function workTone(state: WorkState): Tone {
  switch (state) {
    case 'Available':
      return 'good';
    case 'Applied':
    case 'Progressing':
      return 'info';
    case 'Degraded':
      return 'warn';
    case 'Failed':
      return 'bad';
    default:
      return 'muted';
  }
}

/** Every drift event of a cluster's works, newest first, each with its work's name. */
export function driftEventsOf(works: WorkObject[]): (DriftEventView & { work: string })[] {
  const events = works.flatMap((w) => (w.status?.driftEvents ?? []).map((e) => ({ ...e, work: w.metadata.name })));
  return events.sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
}

/** `apps/v1 Deployment web/frontend`. */
export function describeResource(m: ManifestStatusView['resourceMeta']): string {
  const gv = m.group ? `${m.group}/${m.version ?? ''}` : (m.version ?? '');
  return `${gv ? `${gv} ` : ''}${m.kind} ${m.namespace ? `${m.namespace}/` : ''}${m.name}`;
}

/** A feedback value as text. */
export function feedbackText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
