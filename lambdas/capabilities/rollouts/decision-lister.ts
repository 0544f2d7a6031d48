import type { HubContext } from '../../core/context.js';
import { listDecisions } from '../placements/decision-store.js';

/**
 * Where a FleetDeployment learns which clusters its Placement chose, and in which decision group:
 * the Placement capability's decisions. Fixed-size chunk groups have no name; they are called
 * `group-<index>` here so that each chunk is its own wave.
 */

/** One placement decision: a chosen cluster and its decision group. */
export interface PlacementDecision {
  cluster: string;
  /** Index of the decision group (rollout order). */
  group: number;
  /** Name of the decision group ('' when the placement has no groups). */
  groupName: string;
}

/** Pages through a placement's decisions; an unknown placement has none. */
export type DecisionLister = (
  ctx: HubContext,
  placement: string,
  page: { cursor?: string; limit: number },
) => Promise<{ items: PlacementDecision[]; cursor?: string }>;

/** The name a decision group goes by in rollouts and status. */
export function groupNameOf(d: { group: number; groupName: string }): string {
  return d.groupName || `group-${d.group}`;
}

/** Every decision of a placement (group names as {@link groupNameOf}), and its groups in rollout order. */
export async function loadDecisions(ctx: HubContext, placement: string): Promise<{ decisions: PlacementDecision[]; groups: string[] }> {
  const decisions: PlacementDecision[] = [];
  let cursor: string | undefined;
  do {
    const page = await listDecisions(ctx, placement, { cursor, limit: 1000 });
    decisions.push(...page.items.map((d) => ({ cluster: d.cluster, group: d.group, groupName: groupNameOf(d) })));
    cursor = page.cursor;
  } while (cursor);
  const byIndex = new Map<string, number>();
  for (const d of decisions) if (!byIndex.has(d.groupName) || d.group < byIndex.get(d.groupName)!) byIndex.set(d.groupName, d.group);
  const groups = [...byIndex.entries()].sort((a, b) => a[1] - b[1]).map(([name]) => name);
  return { decisions, groups };
}
