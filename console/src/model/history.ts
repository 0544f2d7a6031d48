import type { ClusterObject } from './clusters.js';
import type { HistoryEntry } from './deployments.js';
import type { Tone } from './tone.js';
import { driftEventsOf, type WorkObject } from './works.js';

/**
 * A cluster's history, from what the hub keeps (it has no separate event log): each condition's
 * last transition, taints with the time they were added, drift events of its works, and its
 * creation. Newest first.
 */

/** Conditions where True is the bad news. */
const TRUE_IS_BAD = new Set(['ClusterIdConflict', 'Degraded', 'Drifted']);

function conditionTone(type: string, status: string): Tone {
  if (status === 'Unknown') return 'warn';
  const good = (status === 'True') !== TRUE_IS_BAD.has(type);
  return good ? 'good' : 'bad';
}

/** The entries of a cluster's timeline. */
export function clusterHistory(cluster: ClusterObject, works: readonly WorkObject[] = []): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const c of cluster.status?.conditions ?? []) {
    if (!c.lastTransitionTime) continue;
    out.push({
      time: c.lastTransitionTime,
      what: `${c.type} became ${c.status}${c.reason ? ` (${c.reason})` : ''}`,
      detail: c.message || undefined,
      tone: conditionTone(c.type, c.status),
    });
  }
  for (const t of cluster.spec?.taints ?? []) {
    if (t.timeAdded) out.push({ time: t.timeAdded, what: `Taint ${t.key}${t.value ? `=${t.value}` : ''}:${t.effect} added`, tone: 'warn' });
  }
  for (const e of driftEventsOf([...works])) {
    out.push({
      time: e.time,
      what: `Drift: ${e.kind} ${e.namespace ? `${e.namespace}/` : ''}${e.name} ${e.change}`,
      detail: `work ${e.work}${e.fields?.length ? `; fields ${e.fields.join(', ')}` : ''}; ${e.corrected ? 're-applied by the agent' : 'not corrected'}`,
      tone: e.corrected ? 'info' : 'warn',
    });
  }
  if (cluster.metadata.creationTimestamp) out.push({ time: cluster.metadata.creationTimestamp, what: 'Created', tone: 'muted' });
  return out.sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
}
