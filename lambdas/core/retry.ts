import { ConflictError, PermanentConflictError } from '../../shared/errors.js';
import { retry } from '../../shared/backoff.js';
import type { Clock } from '../ports/clock.js';

/** First pause after a conflict, ms; doubles per conflict. */
const CONFLICT_BASE_MS = 5;
/** Pauses never grow beyond this: contention on one item clears within a few of these. */
const CONFLICT_CAP_MS = 250;

/**
 * Runs a read-modify-write until it succeeds without an optimistic-concurrency conflict.
 * Each attempt must re-read; after `attempts` conflicts, or once `budgetMs` is spent (well inside a
 * Lambda's time limit), the last ConflictError is rethrown
 * (the caller, or SQS redelivery, tries again later). Nothing is ever overwritten blindly.
 * Between attempts a small randomised pause (full jitter, from `clock`) spreads contending writers out.
 * A {@link PermanentConflictError} (e.g. the object is being deleted) is rethrown at once: no
 * amount of retrying changes it.
 */
export async function retryOnConflict<T>(clock: Clock, fn: (attempt: number) => Promise<T>, attempts = 12, budgetMs = 10_000): Promise<T> {
  return retry(fn, {
    attempts,
    budgetMs,
    baseMs: CONFLICT_BASE_MS,
    capMs: CONFLICT_CAP_MS,
    jitter: 'full',
    retryable: (err) => err instanceof ConflictError && !(err instanceof PermanentConflictError),
    sleep: (ms) => clock.sleep(ms),
    random: () => clock.random(),
    now: () => clock.now(),
  });
}
