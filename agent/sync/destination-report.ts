import { syncKeyString, type DesiredSync, type DesiredSyncObject, type SyncDestinationReport } from '../../shared/protocol/sync.js';
import type { SyncDestinationState } from '../../shared/resources/sync-rule.js';
import type { ObjectOutcome } from './destination.js';

/**
 * The per-rule destination status of the status report (`syncDestinations`): counts by state and
 * the first five reasons, rolled up Conflict > Blocked > Pending > OptedOut > Synced (the state that
 * needs a person most wins). A rule with no objects is Synced: there is nothing to be behind on.
 */

/** Most reasons per rule, and longest reason, as the protocol allows. */
export const MAX_REASONS = 5;
export const MAX_REASON_LENGTH = 512;

const ORDER: readonly SyncDestinationState[] = ['Conflict', 'Blocked', 'Pending', 'OptedOut', 'Synced'];

/**
 * One report per rule this cluster receives from (its destination rules, and any rule an object names).
 * @param outcome the last outcome of an object (undefined: not applied yet, Pending).
 */
export function destinationReports(
  sync: DesiredSync,
  outcome: (o: DesiredSyncObject) => ObjectOutcome | undefined,
): SyncDestinationReport[] {
  const uids = new Map<string, string>(sync.destinationRules.map((r) => [r.rule, r.uid]));
  const byRule = new Map<string, DesiredSyncObject[]>([...uids.keys()].map((r) => [r, []]));
  for (const o of sync.objects) (byRule.get(o.rule) ?? byRule.set(o.rule, []).get(o.rule)!).push(o);
  const out: SyncDestinationReport[] = [];
  for (const [rule, objects] of [...byRule].sort(([a], [b]) => a.localeCompare(b))) {
    const counts: Record<SyncDestinationState, number> = { Synced: 0, Conflict: 0, Blocked: 0, Pending: 0, OptedOut: 0 };
    const reasons: string[] = [];
    for (const o of objects) {
      const r = outcome(o) ?? { state: 'Pending' as const, reason: 'not applied yet' };
      counts[r.state]++;
      if (r.state !== 'Synced' && r.reason && reasons.length < MAX_REASONS) {
        const meta = (o.object.metadata ?? {}) as { name?: string; namespace?: string };
        const key = syncKeyString({ namespace: meta.namespace ?? '', name: meta.name ?? '?' });
        reasons.push(`${key}: ${r.reason}`.slice(0, MAX_REASON_LENGTH));
      }
    }
    out.push({
      rule,
      uid: uids.get(rule) ?? 'unknown',
      state: ORDER.find((s) => counts[s] > 0) ?? 'Synced',
      objects: objects.length,
      synced: counts.Synced,
      conflicts: counts.Conflict,
      blocked: counts.Blocked,
      optedOut: counts.OptedOut,
      reasons,
    });
  }
  return out;
}
