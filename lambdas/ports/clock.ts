import { setTimeout as delay } from 'node:timers/promises';

/**
 * Time source, injected so that domain logic is deterministic under test. It also hands out the
 * waits and the randomness that spread retries in time (jitter): the domain never calls
 * Date.now, setTimeout or Math.random itself.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
  /** A uniform random number in [0, 1), like Math.random, for jittering waits. */
  random(): number;
}

/** Waits on real timers. */
export function realSleep(ms: number): Promise<void> {
  return delay(ms);
}

/** The real clock: Date.now, real timers and Math.random. */
export const systemClock: Clock = { now: () => Date.now(), sleep: realSleep, random: () => Math.random() };

/**
 * A clock that reads the time from `now` and waits and draws random numbers as {@link systemClock}
 * does: for tests and tools that fix or shift the time but not the waits.
 */
export function clockAt(now: () => number): Clock {
  return { now, sleep: realSleep, random: systemClock.random };
}

/** ISO-8601 timestamp of a clock's current time, second precision as Kubernetes. */
export function isoNow(clock: Clock): string {
  return new Date(Math.floor(clock.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
