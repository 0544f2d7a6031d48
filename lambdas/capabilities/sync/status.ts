import type { StatusReport } from '../../../shared/protocol/v1.js';
import type { SyncDestinationStatus, SyncRuleStatus, SyncSourceStatus } from '../../../shared/resources/sync-rule.js';
import type { HubContext } from '../../core/context.js';
import { readResources } from '../../core/typed-resources.js';
import { syncRuleKind } from '../../../shared/resources/sync-rule.js';
import { onlineClusters } from '../governance/rollup.js';
import type { SyncRuleResource } from './propagation.js';
import { destinationRulesOf, listAllTargets, readInventory, RULE_DESTINATIONS, RULE_OPTED_OUT, RULE_SOURCES } from './relations.js';
import { resolveConflicts } from './desired-sync.js';
import {
  listItems,
  putItem,
  sameSpec,
  SYNC_DESTINATION_KIND,
  SYNC_SOURCE_KIND,
  type SyncDestinationItem,
  type SyncDestinationSpec,
  type SyncSourceItem,
} from './store.js';

/**
 * A SyncRule's status as people read it, derived at read time and never stored (like Policy
 * roll-ups): per source its last report's state (Unknown while its agent is silent: its copies
 * stay), per destination its last status report (Pending before the first; OptedOut for clusters
 * the opt-out label keeps off), conflicts between sources, and the summary counts the printer
 * columns show. Destinations that are not Synced come first; at most {@link MAX_DESTINATIONS}.
 */

/** Most destinations listed in a rule's status. */
export const MAX_DESTINATIONS = 100;

/**
 * Status-report handler for `syncDestinations`: one small item per (rule, destination), written
 * only when what it says changed. A report on a rule the cluster does not receive from (its
 * desired state was behind), or on an older incarnation, is ignored.
 */
export async function ingestSyncDestinations(ctx: HubContext, cluster: string, report: StatusReport): Promise<void> {
  const reports = report.syncDestinations ?? [];
  if (!reports.length) return;
  const mine = new Set(await destinationRulesOf(ctx, cluster));
  const relevant = [...new Map(reports.filter((r) => mine.has(r.rule)).map((r) => [r.rule, r])).values()];
  if (!relevant.length) return;
  const rules = await readResources(
    ctx,
    syncRuleKind,
    relevant.map((r) => ({ name: r.rule })),
    { consistent: true },
  );
  const items = (await ctx.ports.resources.getMany(
    relevant.map((r) => ({ kind: SYNC_DESTINATION_KIND, namespace: r.rule, name: cluster })),
    { consistent: true },
  )) as (SyncDestinationItem | undefined)[];
  for (const [i, r] of relevant.entries()) {
    if (rules[i]?.metadata.uid !== r.uid) continue;
    const { rule: _rule, ...rest } = r;
    const spec: SyncDestinationSpec = { ...rest, lastReported: new Date(ctx.ports.clock.now()).toISOString() };
    if (items[i] && sameSpec(items[i]!.spec, spec)) continue;
    await putItem(ctx, SYNC_DESTINATION_KIND, r.rule, cluster, spec, items[i]);
  }
}

const STATE_ORDER: Record<SyncDestinationStatus['state'], number> = { Blocked: 0, Conflict: 1, Pending: 2, OptedOut: 3, Synced: 4 };

/** The status of one rule (several Queries: its relations and items, and one batched read of heads). */
export async function ruleStatus(ctx: HubContext, rule: SyncRuleResource): Promise<SyncRuleStatus> {
  const name = rule.metadata.name;
  const uid = rule.metadata.uid;
  const [sources, destinations, optedOut, sourceItems, destinationItems] = await Promise.all([
    listAllTargets(ctx, RULE_SOURCES, name).then((l) => l.map((i) => i.to)),
    listAllTargets(ctx, RULE_DESTINATIONS, name).then((l) => l.map((i) => i.to)),
    listAllTargets(ctx, RULE_OPTED_OUT, name).then((l) => l.map((i) => i.to)),
    listItems<SyncSourceItem['spec']>(ctx, SYNC_SOURCE_KIND, name),
    listItems<SyncDestinationItem['spec']>(ctx, SYNC_DESTINATION_KIND, name),
  ]);
  const online = await onlineClusters(ctx, sources);
  const sourceState = new Map(sourceItems.filter((i) => i.spec.ruleUid === uid).map((i) => [i.metadata.name, i.spec]));
  const destState = new Map(destinationItems.filter((i) => i.spec.uid === uid).map((i) => [i.metadata.name, i.spec]));

  // Conflicts between sources, by source key (what the hub can tell without opening objects).
  const inventories = await Promise.all(sources.map((s) => readInventory(ctx, name, s)));
  const { conflicts } = resolveConflicts(
    inventories.flatMap((entries, i) =>
      entries
        .filter((e) => !e.refused)
        .map((e) => ({ source: sources[i], firstSeen: e.firstSeen, key: e.key, object: undefined as never })),
    ),
  );
  const losing = new Map<string, string[]>();
  for (const [key, c] of conflicts) for (const s of c.ignored) losing.set(s, [...(losing.get(s) ?? []), key]);

  const sourceStatus: SyncSourceStatus[] = sources.map((cluster) => {
    const s = sourceState.get(cluster);
    const base = { cluster, ...(s ? { objects: s.objects, lastReported: s.lastReported } : {}) };
    if (!online.has(cluster)) return { ...base, state: 'Unknown', reason: "the source's agent is silent; its copies stay" };
    if (s?.state === 'Blocked') return { ...base, state: 'Blocked', ...(s.reason ? { reason: s.reason } : {}) };
    const lost = losing.get(cluster);
    if (lost)
      return {
        ...base,
        state: 'Conflict',
        reason: `${lost.length} object(s) also come from a source seen first, e.g. ${lost[0].replace(/^\//, '')}`,
      };
    if (s?.refused) return { ...base, state: 'Ok', reason: `${s.refused} object(s) refused: ${(s.reasons ?? []).join('; ')}` };
    return { ...base, state: 'Ok' };
  });

  const destStatus: SyncDestinationStatus[] = [
    ...destinations.map((cluster): SyncDestinationStatus => {
      const d = destState.get(cluster);
      if (!d) return { cluster, state: 'Pending' };
      return {
        cluster,
        state: d.state,
        objects: d.objects,
        synced: d.synced,
        conflicts: d.conflicts,
        blocked: d.blocked,
        ...(d.reasons.length ? { reasons: d.reasons } : {}),
        lastReported: d.lastReported,
      };
    }),
    ...optedOut.map((cluster): SyncDestinationStatus => ({ cluster, state: 'OptedOut' })),
  ].sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
  const count = (s: SyncDestinationStatus['state']) => destStatus.filter((d) => d.state === s).length;
  return {
    summary: {
      sources: sources.length,
      objects: sourceStatus.reduce((n, s) => n + (s.objects ?? 0), 0),
      destinations: destinations.length,
      synced: count('Synced'),
      conflict: count('Conflict'),
      blocked: count('Blocked'),
      pending: count('Pending'),
      optedOut: count('OptedOut'),
    },
    sources: sourceStatus,
    destinations: destStatus.slice(0, MAX_DESTINATIONS),
    ...(conflicts.size
      ? { conflicts: [...conflicts.entries()].map(([key, c]) => ({ object: key.replace(/^\//, ''), kept: c.kept, ignored: c.ignored })) }
      : {}),
  };
}

/** The rules with their status decorated (read time). */
export async function withRuleStatus(ctx: HubContext, rules: SyncRuleResource[]): Promise<SyncRuleResource[]> {
  return Promise.all(rules.map(async (r) => ({ ...r, status: { ...(r.status ?? {}), ...(await ruleStatus(ctx, r)) } })));
}
