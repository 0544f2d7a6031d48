import type { Resource } from '../../../shared/resources/meta.js';
import type { StepMessage } from '../../ports/queue.js';
import type { HubContext } from '../../core/context.js';

/**
 * Message builders and reads shared by the placement steps. They live apart from the step
 * definitions so that the full recompute and the per-cluster step can enqueue each other without
 * an import cycle.
 */
export const CLUSTER_CHANGED_STEP = 'placement.cluster-changed';
export const RECOMPUTE_STEP = 'placement.recompute';

const MAX_DELAY_SECONDS = 900;
const PAGE = 500;

/** Step messages that re-evaluate these clusters. */
export function clusterChangedMessages(clusters: readonly string[], delaySeconds?: number): StepMessage[] {
  return [...new Set(clusters)].map((cluster) => ({
    type: CLUSTER_CHANGED_STEP,
    payload: { cluster },
    ...(delaySeconds ? { delaySeconds } : {}),
  }));
}

/** Delayed re-evaluations for tolerations that run out (`cluster -> epoch ms`). */
export function recheckMessages(recheckAt: Record<string, number>, now: number): StepMessage[] {
  return Object.entries(recheckAt).map(([cluster, at]) => {
    const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.max(1, Math.ceil((at - now) / 1000) + 1));
    return { type: CLUSTER_CHANGED_STEP, payload: { cluster }, delaySeconds };
  });
}

/** A full recompute of one placement. */
export function recomputeMessage(placement: string, source: 'index' | 'all'): StepMessage {
  return { type: RECOMPUTE_STEP, payload: { placement, source } };
}

/** Every object of a kind, read consistently (placements and sets are few). */
export async function listAll<T extends Resource>(ctx: HubContext, kind: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.ports.resources.list(kind, { limit: PAGE, cursor, consistent: true });
    out.push(...(page.items as T[]));
    cursor = page.cursor;
  } while (cursor);
  return out;
}
