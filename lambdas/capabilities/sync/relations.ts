import type { HubContext } from '../../core/context.js';
import { listAllTargets, type RelationData } from '../../core/relations.js';

export { listAllTargets };

/**
 * The index items resource sync keeps (RelationStore: one Query per 1,000 targets):
 *
 * | relation | from → to | data | written by |
 * |---|---|---|---|
 * | {@link RULE_SOURCES} | rule → cluster | `{s}`: the rule stamp the source was told about | the sync step |
 * | {@link CLUSTER_SOURCE_RULES} | cluster → rule | — | the sync step (what the source's desired state reads) |
 * | {@link RULE_DESTINATIONS} | rule → cluster | `{s}` | the sync step |
 * | {@link CLUSTER_DESTINATION_RULES} | cluster → rule | — | the sync step (what the destination's desired state reads) |
 * | {@link RULE_OPTED_OUT} | rule → cluster | — | the sync step: clusters kept off by the `sync.tether.dev/disabled` label |
 * | {@link PLACEMENT_SYNCRULES} | placement → rule | — | the SyncRule behaviour: who follows a placement |
 * | {@link SYNC_INVENTORY} | `rule/source` → object key | `{h, f}`: hash, first seen (ms); `{r}`: why refused | the sync report |
 *
 * Order of the step's writes, so a run stopped part-way is finished by running it again: reverse
 * item first, then the cluster's revision bump, then the forward item (the record that it was told).
 */

export const RULE_SOURCES = 'syncrule-sources';
export const CLUSTER_SOURCE_RULES = 'cluster-syncrule-sources';
export const RULE_DESTINATIONS = 'syncrule-destinations';
export const CLUSTER_DESTINATION_RULES = 'cluster-syncrule-destinations';
export const RULE_OPTED_OUT = 'syncrule-opted-out';
export const PLACEMENT_SYNCRULES = 'placement-syncrules';
export const SYNC_INVENTORY = 'sync-inventory';

/** The `from` of one source's inventory under one rule. */
export function inventoryOf(rule: string, source: string): string {
  return `${rule}/${source}`;
}

/** The stamp of one incarnation and generation of a rule: what its clusters were last told about. */
export function ruleStamp(rule: { metadata: { uid: string; generation: number } }): string {
  return `${rule.metadata.uid}:${rule.metadata.generation}`;
}

/** One entry of a source's inventory as the hub holds it. */
export interface InventoryEntry {
  /** `namespace/name` ('/name' for a cluster-scoped object): see {@link objectKeyName}. */
  key: string;
  hash: string;
  /** When the hub first stored this key from this source (ms): decides which of two sources wins. */
  firstSeen: number;
  /** Set when the hub refused the object (too large, ...): counted in the digest, never delivered. */
  refused?: string;
}

function toEntry(item: { to: string; data?: RelationData }): InventoryEntry {
  const d = item.data ?? {};
  return {
    key: item.to,
    hash: String(d.h ?? ''),
    firstSeen: Number(d.f ?? 0),
    ...(typeof d.r === 'string' ? { refused: d.r } : {}),
  };
}

/** A source's inventory under a rule, in key order. */
export async function readInventory(ctx: HubContext, rule: string, source: string): Promise<InventoryEntry[]> {
  return (await listAllTargets(ctx, SYNC_INVENTORY, inventoryOf(rule, source))).map(toEntry);
}

/** The relation data of an inventory entry. */
export function inventoryData(e: InventoryEntry): RelationData {
  return { h: e.hash, f: e.firstSeen, ...(e.refused ? { r: e.refused } : {}) };
}

/** The key name of an object within a rule and source: `namespace/name`, '' namespace for a cluster-scoped one. */
export function objectKeyName(key: { namespace: string; name: string }): string {
  return `${key.namespace}/${key.name}`;
}

/** The inverse of {@link objectKeyName}. */
export function parseObjectKeyName(keyName: string): { namespace: string; name: string } {
  const i = keyName.indexOf('/');
  return { namespace: keyName.slice(0, i), name: keyName.slice(i + 1) };
}

/** Names of the rules `cluster` is a source of. */
export async function sourceRulesOf(ctx: HubContext, cluster: string): Promise<string[]> {
  return (await listAllTargets(ctx, CLUSTER_SOURCE_RULES, cluster)).map((i) => i.to);
}

/** Names of the rules `cluster` receives from. */
export async function destinationRulesOf(ctx: HubContext, cluster: string): Promise<string[]> {
  return (await listAllTargets(ctx, CLUSTER_DESTINATION_RULES, cluster)).map((i) => i.to);
}

/** The sources of a rule. */
export async function sourcesOf(ctx: HubContext, rule: string): Promise<string[]> {
  return (await listAllTargets(ctx, RULE_SOURCES, rule)).map((i) => i.to);
}

/** The destinations of a rule. */
export async function destinationsOf(ctx: HubContext, rule: string): Promise<string[]> {
  return (await listAllTargets(ctx, RULE_DESTINATIONS, rule)).map((i) => i.to);
}
