/** Time source, injected so that domain logic is deterministic under test. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** ISO-8601 timestamp of a clock's current time, second precision as Kubernetes. */
export function isoNow(clock: Clock): string {
  return new Date(Math.floor(clock.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
