import type { HubContext } from '../../core/context.js';
import type { Decision, PreviousDecision } from './compute-decisions.js';

/**
 * Placement decisions as relation items, in both directions:
 * - `placement-decisions`: placement -> cluster, `{group, groupName}`; what rollouts page through.
 * - `cluster-placement-decisions`: cluster -> placement, the same data; so a changed cluster finds
 *   its decisions with one query instead of one per placement.
 * The order of the two writes depends on which direction the writer reads when it runs again after
 * dying between them (SQS delivers its message again), so that the second run still sees the
 * difference and redoes both:
 * - the per-cluster step reads the reverse items ({@link decisionsOfCluster}), so it writes forward
 *   first, then reverse ({@link writeDecision});
 * - a placement's full recomputation reads the forward items ({@link allDecisions}), so it writes
 *   reverse first, then forward ({@link writeDecisionDiff}). Writing forward first there left a
 *   chosen cluster without its reverse item for good when the process died in between.
 */

/** placement -> cluster. */
export const PLACEMENT_DECISIONS = 'placement-decisions';
/** cluster -> placement. */
export const CLUSTER_PLACEMENT_DECISIONS = 'cluster-placement-decisions';

function toDecision(data: Record<string, string | number | boolean> | undefined): PreviousDecision {
  return { group: typeof data?.group === 'number' ? data.group : 0, groupName: typeof data?.groupName === 'string' ? data.groupName : '' };
}

/**
 * One page of a placement's decisions, in cluster-name order. An unknown placement has none.
 * @example const { items, cursor } = await listDecisions(ctx, 'canary-first', { limit: 500 });
 */
export async function listDecisions(
  ctx: HubContext,
  placement: string,
  page: { cursor?: string; limit: number },
): Promise<{ items: Decision[]; cursor?: string }> {
  const out = await ctx.ports.relations.list(PLACEMENT_DECISIONS, placement, { limit: page.limit, cursor: page.cursor });
  return { items: out.items.map((i) => ({ cluster: i.to, ...toDecision(i.data) })), ...(out.cursor ? { cursor: out.cursor } : {}) };
}

/** Every decision of a placement, cluster -> decision. */
export async function allDecisions(ctx: HubContext, placement: string): Promise<Map<string, PreviousDecision>> {
  const out = new Map<string, PreviousDecision>();
  let cursor: string | undefined;
  do {
    const page = await listDecisions(ctx, placement, { cursor, limit: 1000 });
    for (const d of page.items) out.set(d.cluster, { group: d.group, groupName: d.groupName });
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** The decisions that choose `cluster`, placement -> decision. */
export async function decisionsOfCluster(ctx: HubContext, cluster: string): Promise<Map<string, PreviousDecision>> {
  const out = new Map<string, PreviousDecision>();
  let cursor: string | undefined;
  do {
    const page = await ctx.ports.relations.list(CLUSTER_PLACEMENT_DECISIONS, cluster, { limit: 1000, cursor });
    for (const i of page.items) out.set(i.to, toDecision(i.data));
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** Which direction is written first (see the module comment). */
type WriteOrder = 'forward-first' | 'reverse-first';

/** Records (or, with undefined, removes) one decision in both directions, forward first by default. Idempotent. */
export async function writeDecision(
  ctx: HubContext,
  placement: string,
  cluster: string,
  decision: PreviousDecision | undefined,
  order: WriteOrder = 'forward-first',
): Promise<void> {
  const data = decision ? { group: decision.group, groupName: decision.groupName } : undefined;
  const forward = () =>
    data
      ? ctx.ports.relations.put(PLACEMENT_DECISIONS, placement, cluster, data)
      : ctx.ports.relations.remove(PLACEMENT_DECISIONS, placement, cluster);
  const reverse = () =>
    data
      ? ctx.ports.relations.put(CLUSTER_PLACEMENT_DECISIONS, cluster, placement, data)
      : ctx.ports.relations.remove(CLUSTER_PLACEMENT_DECISIONS, cluster, placement);
  for (const write of order === 'forward-first' ? [forward, reverse] : [reverse, forward]) await write();
}

/**
 * Records (or removes, for undefined) many decisions of one placement in both directions, with
 * batched writes (BatchWriteItem, 25 items per request): every reverse item first, then every
 * forward item, for the full recomputation that reads the forward items (see the module comment).
 * Idempotent; a failure part-way is repaired by running it again.
 */
export async function writeDecisions(
  ctx: HubContext,
  placement: string,
  changes: readonly (readonly [string, PreviousDecision | undefined])[],
): Promise<void> {
  const puts = changes.flatMap(([cluster, d]) => (d ? [{ cluster, data: { group: d.group, groupName: d.groupName } }] : []));
  const removes = changes.filter(([, d]) => d === undefined).map(([cluster]) => cluster);
  const forward = (cluster: string) => ({ relation: PLACEMENT_DECISIONS, from: placement, to: cluster });
  const reverse = (cluster: string) => ({ relation: CLUSTER_PLACEMENT_DECISIONS, from: cluster, to: placement });
  for (const item of [reverse, forward]) {
    await ctx.ports.relations.putMany(puts.map((p) => ({ ...item(p.cluster), data: p.data })));
    await ctx.ports.relations.removeMany(removes.map(item));
  }
}

/** Same decision? */
export function sameDecision(a: PreviousDecision | undefined, b: PreviousDecision | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.group === b.group && a.groupName === b.groupName);
}

/**
 * The decisions that differ between `previous` and `next`: cluster -> new decision, or undefined
 * for a cluster no longer chosen. Pure.
 */
export function decisionDiff(
  previous: ReadonlyMap<string, PreviousDecision>,
  next: readonly Decision[],
): [string, PreviousDecision | undefined][] {
  const out: [string, PreviousDecision | undefined][] = [];
  const wanted = new Map(next.map((d) => [d.cluster, { group: d.group, groupName: d.groupName }]));
  for (const [cluster, d] of wanted) if (!sameDecision(previous.get(cluster), d)) out.push([cluster, d]);
  for (const cluster of previous.keys()) if (!wanted.has(cluster)) out.push([cluster, undefined]);
  return out;
}

/**
 * Makes the relation items of `placement` equal `next`, writing only the differences from
 * `previous` (batched, see {@link writeDecisions}). Returns how many clusters changed.
 */
export async function writeDecisionDiff(
  ctx: HubContext,
  placement: string,
  previous: ReadonlyMap<string, PreviousDecision>,
  next: readonly Decision[],
): Promise<number> {
  const changes = decisionDiff(previous, next);
  // One change (a small placement, a single move) costs two single writes, as the per-cluster step.
  if (changes.length === 1) await writeDecision(ctx, placement, ...changes[0], 'reverse-first');
  else await writeDecisions(ctx, placement, changes);
  return changes.length;
}
