import { z } from 'zod';
import type { HubContext } from '../../core/context.js';
import { defineEvent, publish } from '../../core/events.js';

/**
 * Published with `{placement}` when a placement's decisions changed (clusters chosen or dropped,
 * groups moved). Capabilities built on placements (FleetDeployment rollouts) subscribe to it.
 */
export const placementDecisionsChanged = defineEvent('placement.decisions-changed', z.object({ placement: z.string() }));

/** Publishes {@link placementDecisionsChanged} once for each distinct placement. */
export async function onDecisionsChanged(ctx: HubContext, ...placements: string[]): Promise<void> {
  await publish(
    ctx,
    placementDecisionsChanged,
    [...new Set(placements)].map((placement) => ({ placement })),
  );
}
