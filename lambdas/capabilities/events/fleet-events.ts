import { conditionEventType, type FleetEvent } from '../../../shared/events.js';
import type { Condition, Resource } from '../../../shared/resources/meta.js';
import type { z } from 'zod';
import type { DriftRecordSchema } from '../../../shared/resources/work.js';

type DriftRecord = z.infer<typeof DriftRecordSchema>;

/**
 * Derives fleet events from objects: one per status condition (at its last transition) and, for
 * works, one per drift record. Pure: the route reads the objects, this says what happened.
 */

function ref(o: Resource): FleetEvent['object'] {
  return { kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) };
}

/** The events one object's status records. */
export function eventsOf(o: Resource): FleetEvent[] {
  const status = (o.status ?? {}) as { conditions?: Condition[]; driftEvents?: DriftRecord[] };
  const out: FleetEvent[] = [];
  for (const c of status.conditions ?? []) {
    if (!c?.lastTransitionTime) continue;
    out.push({
      time: c.lastTransitionTime,
      type: conditionEventType(c.type, c.status),
      reason: c.reason || `${c.type}${c.status}`,
      object: ref(o),
      message: `${c.type}=${c.status}${c.message ? `: ${c.message}` : ''}`,
      source: 'condition',
    });
  }
  for (const d of status.driftEvents ?? []) {
    const what = `${d.kind} ${d.namespace ? `${d.namespace}/` : ''}${d.name}`;
    out.push({
      time: d.time,
      type: d.corrected ? 'Normal' : 'Warning',
      reason: d.corrected ? 'DriftCorrected' : 'Drifted',
      object: ref(o),
      message: `${what} ${d.change === 'Deleted' ? 'was deleted' : `was modified${d.fields.length ? ` (${d.fields.join(', ')})` : ''}`} on the cluster${d.corrected ? '; restored' : ''}`,
      source: 'drift',
    });
  }
  return out;
}

/** Every event of `objects`, newest first (ties by object, then reason, for a stable order). */
export function recentEvents(objects: readonly Resource[]): FleetEvent[] {
  const key = (e: FleetEvent) => `${e.object.kind}/${e.object.namespace ?? ''}/${e.object.name}/${e.reason}`;
  return objects.flatMap(eventsOf).sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : key(a).localeCompare(key(b))));
}
