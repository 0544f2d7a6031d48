import { availabilityOf, AvailabilityStates, type AvailabilityState, type ClusterObject } from './clusters.js';
import { rolloutState, RolloutStateOrder, type DeploymentObject } from './deployments.js';

/**
 * The fleet summary shown above every view: how many clusters are in each availability state and
 * how many rollouts in each state, problems first. Pure, so the numbers are unit tested.
 */

/** One count of the summary, with the filter value its link applies. */
export interface SummaryCount {
  state: string;
  count: number;
}

export interface FleetSummary {
  clusters: { total: number; byState: SummaryCount[] };
  rollouts: { total: number; byState: SummaryCount[] };
}

/**
 * The cluster states the summary always shows (even at zero), so that "0 unknown" is visibly
 * zero; Unavailable and Waiting appear when some cluster is in them.
 */
const ALWAYS_SHOWN: readonly AvailabilityState[] = ['Unknown', 'Pending', 'Available', 'Denied', 'Detaching'];

/** Counts clusters by availability and rollouts by state; both lists in order of concern. */
export function fleetSummary(
  clusters: readonly ClusterObject[] | undefined,
  deployments: readonly DeploymentObject[] | undefined,
  now: number,
): FleetSummary {
  const byCluster = new Map<string, number>();
  for (const c of clusters ?? []) {
    const s = availabilityOf(c, now).state;
    byCluster.set(s, (byCluster.get(s) ?? 0) + 1);
  }
  const clusterStates = AvailabilityStates.filter((s) => ALWAYS_SHOWN.includes(s) || byCluster.has(s));
  const byRollout = new Map<string, number>();
  for (const d of deployments ?? []) {
    const s = rolloutState(d);
    byRollout.set(s, (byRollout.get(s) ?? 0) + 1);
  }
  return {
    clusters: { total: clusters?.length ?? 0, byState: clusterStates.map((state) => ({ state, count: byCluster.get(state) ?? 0 })) },
    rollouts: {
      total: deployments?.length ?? 0,
      byState: [...byRollout]
        .map(([state, count]) => ({ state, count }))
        .sort((a, b) => rolloutRank(a.state) - rolloutRank(b.state) || a.state.localeCompare(b.state)),
    },
  };
}

/** Position of a rollout state in the order of concern; states the console does not know come after the known problems. */
export function rolloutRank(state: string): number {
  const i = RolloutStateOrder.indexOf(state);
  return i < 0 ? RolloutStateOrder.indexOf('Pending') - 0.5 : i;
}

/** One page of a list: its items, and where it sits in the whole. */
export interface Page<T> {
  items: T[];
  /** 1-based, clamped to the pages that exist. */
  page: number;
  pages: number;
  /** 1-based index of the first item shown, and of the last (0 and 0 for an empty list). */
  first: number;
  last: number;
}

/** Cuts page `page` (1-based) of `size` items out of a list; a page past the end shows the last one. */
export function paginate<T>(list: readonly T[], page: number, size: number): Page<T> {
  const pages = Math.max(1, Math.ceil(list.length / size));
  const p = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  const start = (p - 1) * size;
  const items = list.slice(start, start + size);
  return { items, page: p, pages, first: items.length ? start + 1 : 0, last: start + items.length };
}
