/**
 * When the agent talks to the hub next: first a random phase within the hub's poll interval, then
 * the interval jittered downwards by up to 4%, so that a fleet that restarted together does not
 * poll in lock-step while the interval stays an upper bound on the time between polls; and
 * exponential backoff with full jitter on failures, honouring `Retry-After`. Pure: the random
 * source and the clock are passed in.
 */

import { backoffDelay, type RandomSource } from '../shared/backoff.js';

export type { RandomSource } from '../shared/backoff.js';

/** Default first backoff step. */
export const BACKOFF_BASE_MS = 1_000;
/** Backoff never grows beyond this (unless the hub's Retry-After asks for longer). */
export const BACKOFF_CAP_MS = 5 * 60_000;
/** A Retry-After longer than this is treated as this: a misconfigured hub must not park the fleet for days. */
export const RETRY_AFTER_MAX_MS = 60 * 60_000;
/**
 * Relative jitter of the poll interval, taken below the interval only. The interval is what an
 * operator reasons with ("a change reaches every agent within one poll interval"; the hub's change
 * latency goal is the interval plus 5 s), so the jitter must never stretch it: with symmetric ±20%
 * one gap could reach 1.2 × the interval. Spreading a fleet is the job of {@link startPhaseDelay}
 * (a random phase after every start) and of full-jitter backoff after failures; this jitter only
 * keeps phases from locking together again, and a wider band would only buy more polls (10% cost
 * 5% more Lambda requests than the nominal rate, 4% costs 2%).
 */
export const POLL_JITTER = 0.04;

/** The time to the next poll: uniform in [1 − {@link POLL_JITTER}, 1) × `intervalMs`, never more than the interval. */
export function jitteredInterval(intervalMs: number, random: RandomSource): number {
  return Math.min(intervalMs, Math.round(intervalMs * (1 - POLL_JITTER * (1 - random()))));
}

/**
 * The first wait after an agent starts: uniform in [0, `intervalMs`), a random phase. Agents that
 * started together then poll spread over the whole interval from their second poll on, instead of
 * drifting apart only by the narrow per-cycle jitter.
 */
export function startPhaseDelay(intervalMs: number, random: RandomSource): number {
  return Math.floor(intervalMs * random());
}

/** Mean time between polls as a fraction of the interval (for cost arithmetic): 1 − jitter / 2. */
export const MEAN_POLL_FRACTION = 1 - POLL_JITTER / 2;

/**
 * Relative jitter added to a `Retry-After` wait. Wider than the poll jitter: a hub that sheds load
 * gives many agents the same Retry-After at once, and they must not all come back together.
 */
export const RETRY_AFTER_JITTER = 0.1;

/**
 * A wait the hub asked for with `Retry-After`, jittered upwards only (uniform in [1, 1 + {@link RETRY_AFTER_JITTER})):
 * Retry-After is a minimum (RFC 9110 section 10.2.3), so an agent must not come back sooner.
 */
export function jitteredRetryAfter(retryAfterMs: number, random: RandomSource): number {
  return Math.round(retryAfterMs * (1 + RETRY_AFTER_JITTER * random()));
}

/** The poll jitter band as text, `[0.96, 1)`, for documents and reports. */
export const POLL_JITTER_BAND = `[${1 - POLL_JITTER}, 1)`;

/**
 * Full-jitter exponential backoff: uniform in [0, min(cap, base × 2^attempt)).
 * `attempt` counts failures so far, starting at 0.
 */
export function fullJitterDelay(attempt: number, random: RandomSource, baseMs = BACKOFF_BASE_MS, capMs = BACKOFF_CAP_MS): number {
  return Math.floor(backoffDelay(attempt, { baseMs, capMs, jitter: 'full' }, random));
}

/**
 * Parses a `Retry-After` header: delta-seconds (`120`) or an HTTP date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`). Returns milliseconds from `nowMs` (never negative),
 * or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Options of {@link Backoff}. */
export interface BackoffOptions {
  random: RandomSource;
  baseMs?: number;
  capMs?: number;
}

/**
 * Failure counter that yields the next delay: full jitter, but never less than what the hub asked
 * for with Retry-After. {@link reset} after a success.
 */
export class Backoff {
  private failures = 0;
  private readonly baseMs: number;
  private readonly capMs: number;

  constructor(private readonly options: BackoffOptions) {
    this.baseMs = options.baseMs ?? BACKOFF_BASE_MS;
    this.capMs = options.capMs ?? BACKOFF_CAP_MS;
  }

  /** Consecutive failures since the last reset. */
  get attempts(): number {
    return this.failures;
  }

  /** Records a failure and returns how long to wait before the next try. */
  next(retryAfterMs?: number): number {
    const delay = fullJitterDelay(this.failures, this.options.random, this.baseMs, this.capMs);
    this.failures++;
    if (retryAfterMs === undefined) return delay;
    return Math.max(delay, Math.min(retryAfterMs, RETRY_AFTER_MAX_MS));
  }

  /** Forgets past failures. */
  reset(): void {
    this.failures = 0;
  }
}
