import { z } from 'zod';
import type { ClusterSpec, ClusterStatus } from '../../../shared/resources/cluster.js';
import type { ClusterSetSpec } from '../../../shared/resources/clusterset.js';
import type { Resource } from '../../../shared/resources/meta.js';
import type { PlacementSpec, PlacementStatus } from '../../../shared/resources/placement.js';
import { isoNow } from '../../ports/clock.js';
import type { HubContext } from '../../core/context.js';
import { CLUSTERSET_MEMBERS } from '../clustersets/membership.js';
import { retryOnConflict } from '../../core/retry.js';
import { defineStep, stepMessage } from '../../core/steps.js';
import { clusterChangedMessages, listAll, recheckMessages, RECOMPUTE_STEP } from './messages.js';

export { listAll } from './messages.js';
import { allDecisions, writeDecisionDiff } from './decision-store.js';
import { computeDecisions } from './compute-decisions.js';
import { clusterFacts, type ClusterFacts } from './eligibility.js';
import { onDecisionsChanged } from './events.js';
import { emptyPlacementStatus, statusFromDecisions, strategyHash } from './placement-status.js';
import { clusterKind } from '../../../shared/resources/cluster.js';
import { placementKind } from '../../../shared/resources/placement.js';
import { listResources, readResource, readResources } from '../../core/typed-resources.js';

/**
 * The full recomputation of one placement: read every candidate cluster in pages, choose with
 * {@link computeDecisions}, write the differences to the relation items and the counts to status.
 * It costs in proportion to the placement's candidates, and runs only when the placement itself
 * changed, a set it names changed, or a chosen cluster left a placement at its `numberOfClusters`.
 */

export type PlacementResource = Resource<PlacementSpec, PlacementStatus>;

/** Clusters read per page. */
const PAGE = 500;
/**
 * Up to this many set members are read by key (BatchGetItem, 100 keys a request); more, and one
 * pass over all clusters is cheaper.
 */
const DIRECT_READ_LIMIT = 200;

/** Every object of a kind (few: placements, cluster sets). */
type ClusterRecord = Resource<ClusterSpec, ClusterStatus>;

async function pageClusters(ctx: HubContext, keep: (name: string) => boolean, sets: Resource<ClusterSetSpec>[]): Promise<ClusterFacts[]> {
  const out: ClusterFacts[] = [];
  let cursor: string | undefined;
  do {
    const page = await listResources(ctx, clusterKind, { limit: PAGE, cursor, filter: (c) => keep(c.metadata.name) });
    for (const c of page.items) out.push(clusterFacts(c as ClusterRecord, sets));
    cursor = page.cursor;
  } while (cursor);
  return out;
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

/**
 * The clusters a placement chooses from. With cluster sets, the membership index names them (`index`);
 * after a set's selector changed the index may lag, so `all` reads every cluster and lets the
 * computed membership decide.
 */
async function loadCandidates(
  ctx: HubContext,
  spec: PlacementSpec,
  sets: Resource<ClusterSetSpec>[],
  source: 'index' | 'all',
): Promise<ClusterFacts[]> {
  if (spec.clusterSets.length === 0 || source === 'all') return pageClusters(ctx, () => true, sets);
  const names = new Set<string>();
  for (const s of spec.clusterSets) for (const n of await setMembers(ctx, s)) names.add(n);
  if (names.size > DIRECT_READ_LIMIT) return pageClusters(ctx, (n) => names.has(n), sets);
  const records = await readResources(
    ctx,
    clusterKind,
    [...names].map((name) => ({ name })),
  );
  return records.filter((r) => r !== undefined).map((r) => clusterFacts(r as ClusterRecord, sets));
}

async function readPlacement(ctx: HubContext, name: string): Promise<PlacementResource | undefined> {
  return await readResource(ctx, placementKind, { name }, { consistent: true });
}

/** Removes every decision of a placement that no longer exists. */
export async function removeAllDecisions(ctx: HubContext, placement: string): Promise<number> {
  const previous = await allDecisions(ctx, placement);
  await writeDecisionDiff(ctx, placement, previous, []);
  return previous.size;
}

/**
 * Recomputes one placement in full; see the module comment. With `announce`, the decisions-changed
 * event goes out even when this run changed nothing: a redelivered message's earlier attempt may
 * have written the decisions and died before announcing them.
 */
export async function recomputePlacement(
  ctx: HubContext,
  name: string,
  source: 'index' | 'all' = 'index',
  opts: { announce?: boolean } = {},
): Promise<void> {
  const p0 = await readPlacement(ctx, name);
  if (!p0 || p0.metadata.deletionTimestamp) {
    if ((await removeAllDecisions(ctx, name)) || opts.announce) await onDecisionsChanged(ctx, name);
    return;
  }
  const generation = p0.metadata.generation;
  const sets = (await listAll<Resource<ClusterSetSpec>>(ctx, 'ClusterSet')).filter((s) => !s.metadata.deletionTimestamp);
  const missing = p0.spec.clusterSets.filter((s) => !sets.some((x) => x.metadata.name === s));
  const candidates = await loadCandidates(ctx, p0.spec, sets, source);
  const previous = await allDecisions(ctx, name);
  const keepChunks = p0.status?.bookkeeping?.strategyHash === strategyHash(p0.spec);
  const result = computeDecisions(p0, candidates, previous, { now: ctx.ports.clock.now(), keepChunks });

  // A newer spec (or a new placement under the same name) gets its own recomputation; this one stops.
  const stale = (p: PlacementResource | undefined) =>
    !p || p.metadata.uid !== p0.metadata.uid || p.metadata.generation !== generation || !!p.metadata.deletionTimestamp;
  const requeue = () => ctx.ports.queue.send([stepMessage(recomputePlacementStep, { placement: name, source })]);
  if (stale(await readPlacement(ctx, name))) return requeue();
  const changed = await writeDecisionDiff(ctx, name, previous, result.decisions);

  const recheck = await retryOnConflict(ctx.ports.clock, async () => {
    const cur = await readPlacement(ctx, name);
    if (stale(cur) || !cur) return undefined;
    const out = statusFromDecisions(cur.status ?? emptyPlacementStatus(), cur.spec, generation, result, missing, isoNow(ctx.ports.clock));
    await ctx.ports.resources.replace({ ...cur, status: out.status }, cur.metadata.resourceVersion);
    return out.recheck;
  });
  if (!recheck) return requeue();
  // Clusters that changed recently are looked at again against what was just written.
  const messages = [...clusterChangedMessages(recheck), ...recheckMessages(result.recheckAt, ctx.ports.clock.now())];
  if (messages.length) await ctx.ports.queue.send(messages);
  if (changed || opts.announce) await onDecisionsChanged(ctx, name);
  ctx.ports.log.info('placement recomputed', {
    placement: name,
    candidates: candidates.length,
    selected: result.numberOfSelectedClusters,
    changed,
  });
}

/** Step: recompute one placement in full. */
export const recomputePlacementStep = defineStep({
  type: RECOMPUTE_STEP,
  payload: z.object({ placement: z.string(), source: z.enum(['index', 'all']).default('index') }),
  async run({ placement, source }, ctx, delivery) {
    await recomputePlacement(ctx, placement, source, { announce: delivery.attempt > 1 });
  },
});

/** Step: a placement was deleted; remove its decisions (unless one of that name exists again). */
export const placementDeletedStep = defineStep({
  type: 'placement.deleted',
  payload: z.object({ placement: z.string() }),
  async run({ placement }, ctx) {
    // A live placement of that name recomputes instead: that removes what it does not choose.
    await recomputePlacement(ctx, placement);
  },
});
