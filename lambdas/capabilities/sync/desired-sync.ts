import { canonicalHash } from '../../../shared/hash.js';
import { WellKnownClaims } from '../../../shared/protocol/v1.js';
import type { DesiredSync, DesiredSyncObject, DesiredSyncSource } from '../../../shared/protocol/sync.js';
import { clusterKind } from '../../../shared/resources/cluster.js';
import { syncRuleKind } from '../../../shared/resources/sync-rule.js';
import { firstMatchingEntry, type MatchableObject } from '../../../shared/sync-match.js';
import type { HubContext } from '../../core/context.js';
import { readResources } from '../../core/typed-resources.js';
import { destinationKey, applyMutations } from './mutations.js';
import type { SyncRuleResource } from './propagation.js';
import { destinationRulesOf, inventoryOf, readInventory, sourceRulesOf, sourcesOf, type InventoryEntry } from './relations.js';
import { openObject, sealContext } from './sealing.js';
import { SYNC_OBJECT_KIND, SYNC_SOURCE_KIND, type SyncObjectItem, type SyncSourceItem } from './store.js';

/**
 * The `sync` part of a cluster's desired state, read only when a poll is answered with 200 (an idle
 * poll never gets here). As a source: the rules it reports on, each with the hub's digest of what
 * it holds from this cluster. As a destination: the rules it receives from and their objects from
 * every other source, mutated, Secret data opened for this agent only. Two sources with the same
 * (mutated) object: the one whose object the hub saw first wins, then the source's name; the
 * order never depends on which reported last, so the choice never flaps.
 */

/** One candidate copy for a destination, before conflicts are resolved. */
export interface Candidate {
  source: string;
  firstSeen: number;
  key: string;
  object: DesiredSyncObject;
}

/** Pure: keeps the first source of every destination key (earliest first seen, then source name); returns the kept and the losers. */
export function resolveConflicts(candidates: readonly Candidate[]): {
  kept: Candidate[];
  conflicts: Map<string, { kept: string; ignored: string[] }>;
} {
  const byKey = new Map<string, Candidate[]>();
  for (const c of candidates) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c]);
  const kept: Candidate[] = [];
  const conflicts = new Map<string, { kept: string; ignored: string[] }>();
  for (const [key, list] of [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const sorted = [...list].sort((a, b) => a.firstSeen - b.firstSeen || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
    kept.push(sorted[0]);
    if (sorted.length > 1) conflicts.set(key, { kept: sorted[0].source, ignored: sorted.slice(1).map((c) => c.source) });
  }
  return { kept, conflicts };
}

async function sourcePart(ctx: HubContext, cluster: string): Promise<DesiredSyncSource[]> {
  const names = await sourceRulesOf(ctx, cluster);
  if (!names.length) return [];
  const [rules, states] = await Promise.all([
    readResources(
      ctx,
      syncRuleKind,
      names.map((name) => ({ name })),
    ),
    ctx.ports.resources.getMany(names.map((rule) => ({ kind: SYNC_SOURCE_KIND, namespace: rule, name: cluster }))),
  ]);
  const out: DesiredSyncSource[] = [];
  rules.forEach((rule, i) => {
    if (!rule || rule.metadata.deletionTimestamp || rule.spec.suspend) return;
    const state = states[i] as SyncSourceItem | undefined;
    out.push({
      rule: rule.metadata.name,
      uid: rule.metadata.uid,
      generation: rule.metadata.generation,
      resource: rule.spec.resource,
      match: rule.spec.rules.map((r) => r.match),
      withStatus: rule.spec.rules.some((r) => r.mutations?.syncStatus),
      digest: state && state.spec.ruleUid === rule.metadata.uid ? state.spec.digest : '',
    });
  });
  return out;
}

/** The candidates of one rule for `cluster` from every other source (stored objects opened and mutated). */
export async function candidatesOf(ctx: HubContext, rule: SyncRuleResource, cluster: string | undefined): Promise<Candidate[]> {
  const name = rule.metadata.name;
  const sources = (await sourcesOf(ctx, name)).filter((s) => s !== cluster);
  if (!sources.length) return [];
  const records = await readResources(
    ctx,
    clusterKind,
    sources.map((s) => ({ name: s })),
  );
  const out: Candidate[] = [];
  for (const [i, source] of sources.entries()) {
    const originClusterId = records[i]?.status?.claims?.find((c) => c.name === WellKnownClaims.id)?.value ?? source;
    const entries = (await readInventory(ctx, name, source)).filter((e) => !e.refused);
    if (!entries.length) continue;
    const items = (await ctx.ports.resources.getMany(
      entries.map((e) => ({ kind: SYNC_OBJECT_KIND, namespace: inventoryOf(name, source), name: e.key })),
    )) as (SyncObjectItem | undefined)[];
    for (const [j, item] of items.entries()) {
      if (!item || item.spec.ruleUid !== rule.metadata.uid) continue;
      const c = await candidate(ctx, rule, source, originClusterId, entries[j], item);
      // Stored before the rule was narrowed (or its kind changed): no entry decides its mutations
      // any more, so it is not delivered at all until its source reports again.
      if (c) out.push(c);
    }
  }
  return out;
}

async function candidate(
  ctx: HubContext,
  rule: SyncRuleResource,
  source: string,
  originClusterId: string,
  entry: InventoryEntry,
  item: SyncObjectItem,
): Promise<Candidate | undefined> {
  const full = await openObject(ctx, item.spec, sealContext(rule.metadata.name, source, entry.key, String(item.spec.object.kind)));
  if (full.kind !== rule.spec.resource.kind) return undefined;
  const index = firstMatchingEntry(rule.spec.rules, full as MatchableObject);
  if (index === undefined) return undefined;
  const object = applyMutations(full, rule.spec.rules[index].mutations);
  return {
    source,
    firstSeen: entry.firstSeen,
    key: destinationKey(object),
    object: {
      rule: rule.metadata.name,
      sourceCluster: source,
      originClusterId,
      sourceResourceVersion: item.spec.sourceResourceVersion,
      hash: canonicalHash(object),
      object,
    },
  };
}

/** Loads the `sync` part of the desired state of `cluster`. */
export async function loadDesiredSync(ctx: HubContext, cluster: string): Promise<DesiredSync> {
  const [sources, destinationNames] = await Promise.all([sourcePart(ctx, cluster), destinationRulesOf(ctx, cluster)]);
  const rules = destinationNames.length
    ? await readResources(
        ctx,
        syncRuleKind,
        destinationNames.map((name) => ({ name })),
      )
    : [];
  const destinationRules: DesiredSync['destinationRules'] = [];
  const objects: DesiredSyncObject[] = [];
  for (const rule of rules) {
    if (!rule || rule.metadata.deletionTimestamp) continue;
    destinationRules.push({
      rule: rule.metadata.name,
      uid: rule.metadata.uid,
      conflictPolicy: rule.spec.conflictPolicy,
      deletePolicy: rule.spec.deletePolicy,
    });
    const { kept } = resolveConflicts(await candidatesOf(ctx, rule, cluster));
    objects.push(...kept.map((c) => c.object));
  }
  return { sources, destinationRules, objects };
}
