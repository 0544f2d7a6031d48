import { describe, expect, it } from '@jest/globals';
import { pMap } from '../../../shared/concurrency.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

/** Runs pMap over `count` items and records the most calls in flight at once. */
async function peak(count: number, concurrency?: number): Promise<{ peak: number; results: number[] }> {
  let running = 0;
  let most = 0;
  const results = await pMap(
    Array.from({ length: count }, (_, i) => i),
    async (n, index) => {
      expect(index).toBe(n);
      running++;
      most = Math.max(most, running);
      // Later items finish first, so the order of the results is not the order of completion.
      for (let i = 0; i < count - n; i++) await tick();
      running--;
      return n * 10;
    },
    concurrency === undefined ? {} : { concurrency },
  );
  return { peak: most, results };
}

describe('pMap', () => {
  it.each([
    [10, 3, 3],
    [10, 1, 1],
    [2, 16, 2],
    [0, 4, 0],
    [7, undefined, 7],
  ])('%d items with concurrency %s: at most %d in flight, results in input order', async (count, concurrency, most) => {
    const out = await peak(count, concurrency);
    expect(out.peak).toBe(most);
    expect(out.results).toEqual(Array.from({ length: count }, (_, i) => i * 10));
  });

  it('takes any iterable and plain (non-promise) results', async () => {
    expect(await pMap(new Set(['a', 'b']), (s) => s.toUpperCase(), { concurrency: 1 })).toEqual(['A', 'B']);
  });

  it('rejects with the first error and starts no further call', async () => {
    const started: number[] = [];
    const boom = new Error('boom');
    await expect(
      pMap(
        [0, 1, 2, 3, 4, 5],
        async (n) => {
          started.push(n);
          await tick();
          if (n === 1) throw boom;
        },
        { concurrency: 2 },
      ),
    ).rejects.toBe(boom);
    await tick();
    expect(started).toEqual([0, 1, 2]);
  });

  it.each([0, -1, Number.NaN])('refuses concurrency %d', async (concurrency) => {
    await expect(pMap([1], (n) => n, { concurrency })).rejects.toThrow(TypeError);
  });
});
