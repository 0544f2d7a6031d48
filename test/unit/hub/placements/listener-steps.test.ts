import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { defaultHubConfig, type HubContext } from '../../../../lambdas/core/context.js';
import { hasStep, onDecisionsChanged, PLACEMENT_CHANGED_STEP, sendIfListened, WORK_STATUS_CHANGED_STEP } from '../../../../lambdas/capabilities/placements/listener-steps.js';
import { defineStep } from '../../../../lambdas/core/steps.js';
import type { StepMessage } from '../../../../lambdas/ports/queue.js';

function recordingContext(): { ctx: HubContext; sent: StepMessage[] } {
  const sent: StepMessage[] = [];
  const ctx = { ports: { queue: { send: async (m: StepMessage[]) => void sent.push(...m) } }, config: defaultHubConfig } as unknown as HubContext;
  return { ctx, sent };
}

describe('events for the rollout capability', () => {
  it('sends nothing while no step of the type is registered (nothing would handle it)', async () => {
    const { ctx, sent } = recordingContext();
    expect(hasStep(PLACEMENT_CHANGED_STEP)).toBe(false);
    await onDecisionsChanged(ctx, 'canary-first');
    await sendIfListened(ctx, WORK_STATUS_CHANGED_STEP, [{ cluster: 'c', work: 'w' }]);
    expect(sent).toEqual([]);
  });

  it('once registered, sends one message per placement, without duplicates', async () => {
    const { ctx, sent } = recordingContext();
    defineStep({ type: PLACEMENT_CHANGED_STEP, payload: z.object({ placement: z.string() }), run: async () => undefined });
    expect(hasStep(PLACEMENT_CHANGED_STEP)).toBe(true);
    await onDecisionsChanged(ctx, 'a', 'b', 'a');
    expect(sent).toEqual([
      { type: PLACEMENT_CHANGED_STEP, payload: { placement: 'a' } },
      { type: PLACEMENT_CHANGED_STEP, payload: { placement: 'b' } },
    ]);
  });
});
