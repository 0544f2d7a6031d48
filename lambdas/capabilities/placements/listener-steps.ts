import type { StepMessage } from '../../ports/queue.js';
import type { HubContext } from '../../core/context.js';
import { stepTypes } from '../../core/steps.js';

/**
 * Events for capabilities built on top of works and placements (FleetDeployment rollouts). They
 * are step messages of a type the listener registers; when no capability registered the type,
 * nothing is sent, so works and placements do not depend on who listens.
 */

/** Step type enqueued with `{placement}` when a placement's decisions changed. */
export const PLACEMENT_CHANGED_STEP = 'fleetdeployment.placement-changed';

/** Step type enqueued with `{cluster, work}` when a work's conditions or observed generation changed. */
export const WORK_STATUS_CHANGED_STEP = 'fleetdeployment.work-status-changed';

/** Is a step of this type registered (so a message of it would be handled, not dead-lettered)? */
export function hasStep(type: string): boolean {
  return stepTypes().includes(type);
}

/** Sends one message of `type` per payload, only if that step type is registered. */
export async function sendIfListened(ctx: HubContext, type: string, payloads: Record<string, unknown>[]): Promise<void> {
  if (!payloads.length || !hasStep(type)) return;
  const messages: StepMessage[] = payloads.map((payload) => ({ type, payload }));
  await ctx.ports.queue.send(messages);
}

/** Tells the rollout capability (if present) that these placements' decisions changed. */
export async function onDecisionsChanged(ctx: HubContext, ...placements: string[]): Promise<void> {
  await sendIfListened(ctx, PLACEMENT_CHANGED_STEP, [...new Set(placements)].map((placement) => ({ placement })));
}
