import { ConflictError } from '../../shared/errors.js';

/**
 * Runs a read-modify-write until it succeeds without an optimistic-concurrency conflict.
 * Each attempt must re-read; after `attempts` conflicts, or once `budgetMs` is spent (well inside a
 * Lambda's time limit), the last ConflictError is rethrown
 * (the caller, or SQS redelivery, tries again later). Nothing is ever overwritten blindly.
 */
export async function retryOnConflict<T>(fn: (attempt: number) => Promise<T>, attempts = 12, budgetMs = 10_000): Promise<T> {
  let last: unknown;
  const deadline = Date.now() + budgetMs;
  for (let i = 0; i < attempts && (i === 0 || Date.now() < deadline); i++) {
    try {
      return await fn(i);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      last = err;
      // Small randomised pause so that many contending writers spread out.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(250, 5 * 2 ** i)));
    }
  }
  throw last;
}
