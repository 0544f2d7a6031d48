import type { HubContext } from './context.js';
import { replayPendingChanges } from './pending-changes.js';

/**
 * Periodic tasks run by the scheduler (an EventBridge rule in AWS, a timer in the local hub).
 * Each task must cost in proportion to the state transitions it finds, never to the fleet size.
 */
export interface PeriodicTask {
  name: string;
  run(ctx: HubContext): Promise<{ transitions: number }>;
}

/**
 * The core's own task: replays the follow-up work of admin writes interrupted by a crash
 * (./pending-changes.ts). It runs whatever capabilities are composed, first.
 */
export const replayTask: PeriodicTask = { name: 'core.replay-interrupted-writes', run: replayPendingChanges };

/** Runs the core's and every composed periodic task once; one failing task does not stop the others. */
export async function runSchedulerTick(ctx: HubContext): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = {};
  for (const task of [replayTask, ...ctx.registry.periodicTasks]) {
    try {
      out[task.name] = (await task.run(ctx)).transitions;
    } catch (err) {
      out[task.name] = `error: ${(err as Error).message}`;
      ctx.ports.log.error('periodic task failed', { task: task.name, error: (err as Error).message });
    }
  }
  return out;
}
