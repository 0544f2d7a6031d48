import { z } from 'zod';
import { defineEvent } from '../../core/events.js';

/**
 * Published with `{cluster, work}` when a work's conditions or observed generation changed, as its
 * agent reported them. FleetDeployment rollouts subscribe to it to count progress.
 */
export const workStatusChanged = defineEvent('work.status-changed', z.object({ cluster: z.string(), work: z.string() }));
