import { canonicalJson } from '../../../shared/hash.js';
import type { DriftEvent, WorkStatusReport } from '../../../shared/protocol/v1.js';
import { getCondition, setCondition, type Condition } from '../../../shared/resources/meta.js';
import { MAX_DRIFT_EVENTS, WorkConditions, type WorkStatus } from '../../../shared/resources/work.js';

/**
 * Pure: how an agent's status report lands on a Work's status. The agent owns Applied, Available
 * and Degraded (per work and per manifest); the hub owns Drifted, which summarises the drift
 * events it keeps.
 */

/** A drift event counts as recent (Drifted=True) for this long. */
export const DRIFT_RECENT_MS = 60 * 60 * 1000;

/** Reasons of the hub-owned Drifted condition. */
export const DriftReasons = { detected: 'DriftDetected', corrected: 'DriftCorrected', none: 'NoRecentDrift' } as const;

type ManifestStatus = NonNullable<WorkStatus['resourceStatus']>['manifests'][number];
type DriftRecord = NonNullable<WorkStatus['driftEvents']>[number];

/** Sets each reported condition, keeping transition times of conditions whose status holds. */
function mergeConditions(previous: Condition[] | undefined, reported: Condition[], now: string, observedGeneration?: number): Condition[] {
  let out = previous ?? [];
  for (const c of reported) {
    if (c.type === WorkConditions.Drifted) continue;
    out = setCondition(
      out,
      {
        type: c.type,
        status: c.status,
        reason: c.reason,
        message: c.message,
        ...(observedGeneration !== undefined ? { observedGeneration } : {}),
      },
      now,
    );
  }
  return out;
}

function manifestKey(m: { group: string; kind: string; namespace?: string; name: string }): string {
  return [m.group, m.kind, m.namespace ?? '', m.name].join('\u0000');
}

function manifestStatuses(previous: ManifestStatus[] | undefined, reported: WorkStatusReport['manifests'], now: string): ManifestStatus[] {
  const before = new Map((previous ?? []).map((m) => [manifestKey(m.resourceMeta), m]));
  return reported.map((r) => {
    const prev = before.get(manifestKey(r));
    const resourceMeta = {
      group: r.group,
      version: r.version,
      kind: r.kind,
      ...(r.resource ? { resource: r.resource } : {}),
      ...(r.namespace ? { namespace: r.namespace } : {}),
      name: r.name,
    };
    const out: ManifestStatus = {
      resourceMeta,
      conditions: mergeConditions(prev?.conditions, r.conditions, now).filter((c) => r.conditions.some((x) => x.type === c.type)),
    };
    if (r.feedback?.length) out.statusFeedback = { values: r.feedback.map((f) => ({ name: f.name, value: f.value })) };
    return out;
  });
}

function driftKey(d: DriftRecord): string {
  return [d.time, d.kind, d.namespace ?? '', d.name, d.change].join('\u0000');
}

/** Adds new drift events to the kept ones: no duplicates, oldest first, the newest {@link MAX_DRIFT_EVENTS}. */
export function mergeDriftEvents(previous: DriftRecord[] | undefined, events: DriftEvent[]): DriftRecord[] {
  const byKey = new Map((previous ?? []).map((d) => [driftKey(d), d]));
  for (const e of events) {
    const rec: DriftRecord = {
      kind: e.kind,
      ...(e.namespace ? { namespace: e.namespace } : {}),
      name: e.name,
      change: e.change,
      fields: e.fields,
      corrected: e.corrected,
      ...(e.reason && !e.corrected ? { reason: e.reason } : {}),
      time: e.time,
    };
    byKey.set(driftKey(rec), rec);
  }
  const all = [...byKey.values()].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  return all.slice(Math.max(0, all.length - MAX_DRIFT_EVENTS));
}

function describeDrift(d: DriftRecord): string {
  const target = `${d.kind} ${d.namespace ? `${d.namespace}/` : ''}${d.name}`;
  const what =
    d.change === 'Deleted'
      ? 'was deleted'
      : `changed${d.fields.length ? ` (${d.fields.slice(0, 5).join(', ')}${d.fields.length > 5 ? ', ...' : ''})` : ''}`;
  // The agent says why it did not correct it (CreateOnly, or a failed re-apply such as a conflict
  // with another field manager); an older agent that does not say gets no guess.
  const outcome = d.corrected ? '; the agent re-applied it' : d.reason ? `; not corrected: ${d.reason}` : '; not corrected';
  return `${target} ${what} on the cluster at ${d.time}${outcome}`;
}

/** The Drifted condition the kept events call for, or undefined to leave a work that never drifted without one. */
function driftCondition(events: DriftRecord[], had: boolean, nowMs: number): Omit<Condition, 'lastTransitionTime'> | undefined {
  const recent = events.filter((e) => nowMs - Date.parse(e.time) <= DRIFT_RECENT_MS);
  if (recent.length) {
    const latest = recent[recent.length - 1];
    const allCorrected = recent.every((e) => e.corrected);
    const count = recent.length === 1 ? '1 change' : `${recent.length} changes`;
    return {
      type: WorkConditions.Drifted,
      status: 'True',
      reason: allCorrected ? DriftReasons.corrected : DriftReasons.detected,
      message: `${count} made on the cluster in the last hour; latest: ${describeDrift(latest)}`,
    };
  }
  if (!had) return undefined;
  return {
    type: WorkConditions.Drifted,
    status: 'False',
    reason: DriftReasons.none,
    message: 'no change made on the cluster in the last hour',
  };
}

/**
 * The status after a report: the work's part of the report (if any) and its drift events.
 * `now` is the hub's time; transition times move only when a condition's status changes.
 */
export function workStatusFromReport(
  previous: WorkStatus | undefined,
  report: WorkStatusReport | undefined,
  drift: DriftEvent[],
  now: string,
): WorkStatus {
  const prev: WorkStatus = previous ?? { conditions: [] };
  let conditions = report ? mergeConditions(prev.conditions, report.conditions, now, report.observedGeneration) : prev.conditions;
  const driftEvents = drift.length ? mergeDriftEvents(prev.driftEvents, drift) : (prev.driftEvents ?? []);
  const drifted = driftCondition(driftEvents, getCondition(prev.conditions, WorkConditions.Drifted) !== undefined, Date.parse(now));
  if (drifted) conditions = setCondition(conditions, drifted, now);
  const next: WorkStatus = { conditions };
  const observedGeneration = report?.observedGeneration ?? prev.observedGeneration;
  if (observedGeneration !== undefined) next.observedGeneration = observedGeneration;
  const manifests = report ? manifestStatuses(prev.resourceStatus?.manifests, report.manifests, now) : prev.resourceStatus?.manifests;
  if (manifests) next.resourceStatus = { manifests };
  if (driftEvents.length) next.driftEvents = driftEvents;
  next.lastReportTime = statusChanged(prev, next) ? now : (prev.lastReportTime ?? now);
  return next;
}

/** True when two statuses differ in anything but the report time. */
export function statusChanged(a: WorkStatus | undefined, b: WorkStatus): boolean {
  const strip = (s: WorkStatus | undefined) => {
    if (!s) return { conditions: [] };
    const { lastReportTime: _t, ...rest } = s;
    return rest;
  };
  return canonicalJson(strip(a)) !== canonicalJson(strip(b));
}

/** The part of a status a rollout reacts to: the work conditions and the generation they describe. */
export function statusSummary(s: WorkStatus | undefined): string {
  return canonicalJson({ g: s?.observedGeneration, c: (s?.conditions ?? []).map((c) => [c.type, c.status, c.reason]) });
}
