import type { DesiredInventory } from '../../../shared/protocol/inventory.js';
import { clusterKind } from '../../../shared/resources/cluster.js';
import { inventoryExportKind } from '../../../shared/resources/inventory-export.js';
import type { HubContext } from '../../core/context.js';
import { listResources, readResource, readResources } from '../../core/typed-resources.js';
import { CLUSTERSET_MEMBERS } from '../clustersets/membership.js';
import { allDecisions, decisionsOfCluster } from '../placements/decision-store.js';
import { isMember, mergeProfiles, toDesiredProfile, type ClusterRecord, type InventoryExport } from './profiles.js';

/**
 * Reading exports, their receivers and their members. Exports are few (one per consumer: an Argo
 * CD instance, a Kueue manager); receivers are the clusters those consumers run on; members may be
 * the whole fleet, read only when a receiver's desired state is built (never on an idle poll).
 */

const PAGE = 500;

/** Every live ClusterInventoryExport. */
export async function allExports(ctx: HubContext): Promise<InventoryExport[]> {
  const out: InventoryExport[] = [];
  let cursor: string | undefined;
  do {
    const page = await listResources(ctx, inventoryExportKind, { limit: PAGE, cursor, consistent: true });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out.filter((e) => !e.metadata.deletionTimestamp);
}

async function setMembers(ctx: HubContext, set: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.ports.relations.list(CLUSTERSET_MEMBERS, set, { limit: 1000, cursor });
    out.push(...page.items.map((i) => i.to));
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** The receiving clusters of an export, sorted: its placement's decisions and the members of its sets. */
export async function receiversOf(ctx: HubContext, exp: InventoryExport): Promise<string[]> {
  const out = new Set<string>();
  if (exp.spec.placementRef) for (const c of (await allDecisions(ctx, exp.spec.placementRef.name)).keys()) out.add(c);
  for (const set of exp.spec.clusterSets ?? []) for (const c of await setMembers(ctx, set)) out.add(c);
  return [...out].sort();
}

/** Does `cluster` receive the export? From its own record and decisions: no read of the fleet. */
function receives(exp: InventoryExport, record: ClusterRecord | undefined, placements: ReadonlySet<string>): boolean {
  if (exp.spec.placementRef && placements.has(exp.spec.placementRef.name)) return true;
  return (exp.spec.clusterSets ?? []).some((s) => record?.status?.clusterSets?.includes(s));
}

/** The candidate members of an export: its member sets' clusters, or every cluster. */
async function candidateMembers(ctx: HubContext, exp: InventoryExport): Promise<ClusterRecord[]> {
  const sets = exp.spec.members?.clusterSets ?? [];
  if (sets.length) {
    const names = [...new Set((await Promise.all(sets.map((s) => setMembers(ctx, s)))).flat())].sort();
    const records = await readResources(
      ctx,
      clusterKind,
      names.map((name) => ({ name })),
    );
    return records.filter((r): r is ClusterRecord => r !== undefined);
  }
  const out: ClusterRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await listResources(ctx, clusterKind, { limit: PAGE, cursor });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/**
 * The `inventory` part of `cluster`'s desired state: one profile per member of every export it
 * receives. A cluster that receives nothing costs one Query of the exports (usually one page, often
 * empty).
 */
export async function loadDesiredInventory(ctx: HubContext, cluster: string): Promise<DesiredInventory> {
  const exports = await allExports(ctx);
  if (!exports.length) return { profiles: [] };
  const [record, decisions] = await Promise.all([
    readResource(ctx, clusterKind, { name: cluster }),
    exports.some((e) => e.spec.placementRef) ? decisionsOfCluster(ctx, cluster) : Promise.resolve(new Map()),
  ]);
  const placements = new Set(decisions.keys());
  const received = exports.filter((e) => receives(e, record, placements));
  const profiles = [];
  for (const exp of received) {
    for (const member of await candidateMembers(ctx, exp)) if (isMember(exp, member)) profiles.push(toDesiredProfile(exp, member));
  }
  return { profiles: mergeProfiles(profiles) };
}
