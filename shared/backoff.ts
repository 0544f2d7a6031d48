/**
 * Exponential backoff with jitter, shared by the hub and the agent. Pure: the random source, the
 * sleep and the clock are passed in, so callers stay deterministic under test. Every caller keeps
 * its own policy (first step, cap, attempts, which errors are worth another try); only the
 * arithmetic and the retry loop live here.
 */

/** A source of uniform random numbers in [0, 1), like Math.random. */
export type RandomSource = () => number;

/**
 * How a wait is spread below its ceiling: `full` is uniform in [0, ceiling) (the spread that
 * desynchronises contending callers best), `equal` uniform in [ceiling / 2, ceiling) (never much
 * shorter than planned), `none` the ceiling itself.
 */
export type Jitter = 'full' | 'equal' | 'none';

/** The exponential ceiling of the wait after `attempt` failures (0-based): min(cap, base × 2^attempt). */
export function backoffCeiling(attempt: number, baseMs: number, capMs = Number.POSITIVE_INFINITY): number {
  // 2^30 already exceeds any sensible cap; bounding the exponent keeps huge attempt counts finite.
  return Math.min(capMs, baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
}

/** The policy of one backoff: first step, cap and spread. */
export interface BackoffPolicy {
  baseMs: number;
  /** Waits never grow beyond this. Default unbounded. */
  capMs?: number;
  /** Default `full`. */
  jitter?: Jitter;
}

/**
 * The wait before the next try after `attempt` failures (0-based), in fractional milliseconds
 * (callers round as they need). `random` is only called for `full` and `equal` jitter.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: RandomSource): number {
  const ceiling = backoffCeiling(attempt, policy.baseMs, policy.capMs);
  switch (policy.jitter ?? 'full') {
    case 'none':
      return ceiling;
    case 'equal':
      return ceiling / 2 + random() * (ceiling / 2);
    case 'full':
      return random() * ceiling;
  }
}

/** Options of {@link retry}. */
export interface RetryOptions extends BackoffPolicy {
  /** Tries in all, the first included. At least 1. */
  attempts: number;
  /** Is this error worth another try? Anything else is rethrown at once. */
  retryable: (error: unknown, attempt: number) => boolean;
  sleep: (ms: number) => Promise<unknown>;
  random: RandomSource;
  /**
   * A time budget: once `now()` has passed start + `budgetMs` after a wait, no further try is made
   * and the last error is rethrown. Needs `now`.
   */
  budgetMs?: number;
  now?: () => number;
}

/**
 * Calls `fn` until it succeeds, waiting {@link backoffDelay} between tries. Rethrows at once an
 * error that is not {@link RetryOptions.retryable}, and the last error once the attempts or the
 * time budget are spent. `fn` receives the 0-based attempt number.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const deadline = options.budgetMs !== undefined && options.now ? options.now() + options.budgetMs : undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (!options.retryable(error, attempt) || attempt + 1 >= options.attempts) throw error;
      await options.sleep(backoffDelay(attempt, options, options.random));
      if (deadline !== undefined && options.now!() >= deadline) throw error;
    }
  }
}
