import type { DesiredWork } from '../../../shared/protocol/v1.js';
import type { HubContext } from '../../core/context.js';

/** Loads the works the agent of `cluster` must apply, as the desired state carries them. */
export type DesiredWorksLoader = (ctx: HubContext, cluster: string) => Promise<DesiredWork[]>;

let loader: DesiredWorksLoader | undefined;

/**
 * Sets how works are loaded for the desired state. The workloads capability (lambdas/hub/works)
 * registers its loader at module load; the lifecycle itself knows nothing of Work items.
 */
export function registerDesiredWorksLoader(next: DesiredWorksLoader): void {
  loader = next;
}

/** The works of `cluster` for its desired state (only read on a 200 answer, never on an idle poll). */
export function loadDesiredWorks(ctx: HubContext, cluster: string): Promise<DesiredWork[]> {
  return loader ? loader(ctx, cluster) : Promise.resolve([]);
}
