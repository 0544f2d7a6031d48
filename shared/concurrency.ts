/**
 * Bounded concurrency: the one limiter of the code base (the rollout steps, the benchmarks and the
 * SQS queue adapter use it). It follows the API of the `p-map` package for the options used here,
 * so that callers stay unchanged if the project takes that package on.
 */

/** Options of {@link pMap}. */
export interface PMapOptions {
  /** Mapper calls in flight at once; at least 1. Default unbounded. */
  concurrency?: number;
}

/**
 * Maps `input` with at most `concurrency` calls of `mapper` in flight, and resolves to the
 * results in input order. On the first rejection it rejects with that error and starts no further
 * call (calls already running finish on their own), as `p-map` does with `stopOnError`.
 */
export async function pMap<T, R>(input: Iterable<T>, mapper: (element: T, index: number) => R | PromiseLike<R>, options: PMapOptions = {}): Promise<R[]> {
  const items = [...input];
  const concurrency = options.concurrency ?? Number.POSITIVE_INFINITY;
  if (!(concurrency >= 1)) throw new TypeError(`concurrency must be at least 1, got ${concurrency}`);
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await mapper(items[index], index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
