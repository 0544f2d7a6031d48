import type { AvailabilityState } from '../model/clusters.js';
import type { Tone } from '../model/tone.js';

/** Badge tone of each availability state. */
export const AVAILABILITY_TONES: Record<AvailabilityState, Tone> = {
  Available: 'good',
  Unknown: 'warn',
  Unavailable: 'bad',
  Pending: 'info',
  Waiting: 'info',
  Denied: 'muted',
  Detaching: 'muted',
};
