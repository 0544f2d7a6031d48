import type { HubContext } from '../../core/context.js';
import { listAllTargets } from '../../core/relations.js';
import type { ClusterPhase } from './planner.js';

/**
 * The small index items a rollout keeps beside its FleetDeployment (RelationStore, one Query per
 * 1,000 clusters), so that a controller run reads what changed instead of every Work:
 *
 * | relation | from → to | data | written by |
 * |---|---|---|---|
 * | {@link TRACK_RELATION} | deployment → cluster | {@link ClusterTrack} | the controller only (under its lease) |
 * | {@link ERROR_RELATION} | deployment → cluster | `{h, m}`: template error for hash h | the fan-out step |
 * | {@link DIRTY_RELATION} | deployment → cluster | — | the work-status-changed step ({@link markWorkChanged}) |
 * | {@link ACTIVE_RELATION} | `all` → deployment | — | the controller: rollouts the scheduler must drive |
 * | {@link PLACEMENT_RELATION} | placement → deployment | — | the kind behaviour: who follows a placement |
 *
 * Single writers per relation keep the unconditional puts of the RelationStore safe.
 */

export const TRACK_RELATION = 'fleetdeployment-clusters';
export const ERROR_RELATION = 'fleetdeployment-errors';
export const DIRTY_RELATION = 'fleetdeployment-dirty';
export const ACTIVE_RELATION = 'fleetdeployments-active';
export const PLACEMENT_RELATION = 'placement-fleetdeployments';
/** The one source key of {@link ACTIVE_RELATION}. */
export const ACTIVE_KEY = 'all';

/** What the controller remembers about one cluster of a rollout. */
export interface ClusterTrack {
  /** Revision hash the cluster was handed, its revision number, and when (epoch ms). */
  hash?: string;
  revision?: number;
  handedAt?: number;
  /** Last observed phase for `hash`, and since when. */
  phase?: ClusterPhase;
  since?: number;
  /** It succeeded at `hash` (sticky for planning). */
  succeeded?: boolean;
  /** Last observation flags: the Work carries `hash`, the agent reported that generation, Applied, Available, Degraded, online. */
  written?: boolean;
  current?: boolean;
  applied?: boolean;
  available?: boolean;
  degraded?: boolean;
  online?: boolean;
  /** Why it failed (condition message), short. */
  message?: string;
  /** The cluster labels windows need (JSON), read for revision `labelsRevision`. */
  windowLabels?: string;
  labelsRevision?: number;
  /** When the fan-out for `hash` was last re-sent (lost or dead-lettered messages). */
  resentAt?: number;
  /** The cluster left the placement; its Work is being removed. */
  removing?: boolean;
}

type Data = Record<string, string | number | boolean>;

const FIELDS: Record<keyof ClusterTrack, string> = {
  hash: 'h',
  revision: 'r',
  handedAt: 't',
  phase: 'p',
  since: 's',
  succeeded: 'ok',
  written: 'w',
  current: 'c',
  applied: 'ap',
  available: 'av',
  degraded: 'dg',
  online: 'on',
  message: 'm',
  windowLabels: 'wl',
  labelsRevision: 'wr',
  resentAt: 'rs',
  removing: 'rm',
};

/** Encodes a track as compact relation data (short keys: every byte is paid for on every Query). */
export function encodeTrack(track: ClusterTrack): Data {
  const out: Data = {};
  for (const [k, short] of Object.entries(FIELDS)) {
    const v = track[k as keyof ClusterTrack];
    if (v !== undefined) out[short] = v;
  }
  return out;
}

/** The inverse of {@link encodeTrack}. */
export function decodeTrack(data: Data | undefined): ClusterTrack {
  const out: Record<string, unknown> = {};
  for (const [k, short] of Object.entries(FIELDS)) if (data?.[short] !== undefined) out[k] = data[short];
  return out as ClusterTrack;
}

/** Every tracked cluster of a FleetDeployment. */
export async function listTracks(ctx: HubContext, fleetDeployment: string): Promise<Map<string, ClusterTrack>> {
  const items = await listAllTargets(ctx, TRACK_RELATION, fleetDeployment);
  return new Map(items.map((i) => [i.to, decodeTrack(i.data)]));
}

/**
 * Records that a Work written by a FleetDeployment changed status, so the next controller run
 * re-reads it. The `fleetdeployment.work-status-changed` step (the Work capability's event) calls it.
 */
export async function markWorkChanged(ctx: HubContext, fleetDeployment: string, cluster: string): Promise<void> {
  await ctx.ports.relations.put(DIRTY_RELATION, fleetDeployment, cluster);
}
