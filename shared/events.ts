import { z } from 'zod';

/**
 * Fleet events: what happened recently, as `GET /v1/events` serves them and `tether get events`
 * prints them. The hub keeps no event log; events are derived from what objects record about
 * themselves: each status condition's last transition, and the drift records of works.
 */

/** One event, in kubectl's terms: a Normal or Warning reason about an object at a time. */
export const FleetEventSchema = z.object({
  /** When it happened (RFC 3339): the condition's lastTransitionTime or the drift's time. */
  time: z.string(),
  type: z.enum(['Normal', 'Warning']),
  reason: z.string(),
  object: z.object({ kind: z.string(), name: z.string(), namespace: z.string().optional() }),
  message: z.string(),
  /** `condition` (a status condition's transition) or `drift` (a work's drift record). */
  source: z.enum(['condition', 'drift']),
});
export type FleetEvent = z.infer<typeof FleetEventSchema>;

/** `GET /v1/events` answer, newest first. */
export const FleetEventListSchema = z.object({
  kind: z.literal('EventList'),
  items: z.array(FleetEventSchema),
  /** How many events were found before `limit` cut the list. */
  total: z.number().int(),
});
export type FleetEventList = z.infer<typeof FleetEventListSchema>;

/**
 * Conditions whose True means trouble (the rest are positive: False, or Unknown, is the warning).
 * Unknown is a warning for every condition: the hub does not know (e.g. a cluster's lease expired).
 */
export const NEGATIVE_CONDITIONS: ReadonlySet<string> = new Set(['Degraded', 'Drifted', 'Failed', 'ClusterIdConflict', 'Stalled']);

/** Normal or Warning for a condition's status. */
export function conditionEventType(type: string, status: string): FleetEvent['type'] {
  if (status === 'Unknown') return 'Warning';
  return (status === 'True') === NEGATIVE_CONDITIONS.has(type) ? 'Warning' : 'Normal';
}
