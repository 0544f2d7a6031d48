import { describe, expect, it } from '@jest/globals';
import { backoffCeiling, backoffDelay, retry, type RetryOptions } from '../../../shared/backoff.js';

describe('backoffCeiling', () => {
  it.each([
    [0, 100, 5000, 100],
    [1, 100, 5000, 200],
    [5, 100, 5000, 3200],
    [6, 100, 5000, 5000],
    [1e6, 1000, 300_000, 300_000],
    [3, 50, Number.POSITIVE_INFINITY, 400],
    [-1, 100, 5000, 100],
  ])('attempt %d, base %d, cap %d: %d', (attempt, base, cap, ceiling) => {
    expect(backoffCeiling(attempt, base, cap)).toBe(ceiling);
  });

  it('stays finite without a cap, however many attempts', () => {
    expect(Number.isFinite(backoffCeiling(1e9, 1))).toBe(true);
  });
});

describe('backoffDelay', () => {
  const policy = { baseMs: 100, capMs: 1000 };
  it.each([
    ['full', 0, 0],
    ['full', 0.5, 200],
    ['full', 0.999, 399.6],
    ['equal', 0, 200],
    ['equal', 0.5, 300],
    ['none', 0.5, 400],
  ] as const)('%s jitter with random() = %d after 2 failures: %d', (jitter, r, expected) => {
    expect(backoffDelay(2, { ...policy, jitter }, () => r)).toBeCloseTo(expected, 6);
  });

  it('full jitter is the default', () => {
    expect(backoffDelay(2, policy, () => 0.25)).toBe(100);
  });

  it('does not draw a random number without jitter', () => {
    expect(
      backoffDelay(10, { ...policy, jitter: 'none' }, () => {
        throw new Error('drew');
      }),
    ).toBe(1000);
  });
});

describe('retry', () => {
  class Retryable extends Error {}

  /** A fake clock whose sleep moves the time instead of waiting. */
  function fake(overrides: Partial<RetryOptions> = {}) {
    let now = 0;
    const waits: number[] = [];
    const options: RetryOptions = {
      attempts: 5,
      baseMs: 10,
      capMs: 100,
      retryable: (e) => e instanceof Retryable,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
      random: () => 0.5,
      now: () => now,
      ...overrides,
    };
    return { options, waits };
  }

  it('returns the first success, waiting the backoff between tries', async () => {
    const { options, waits } = fake();
    const seen: number[] = [];
    const out = await retry(async (attempt) => {
      seen.push(attempt);
      if (attempt < 3) throw new Retryable();
      return 'ok';
    }, options);
    expect(out).toBe('ok');
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(waits).toEqual([5, 10, 20]);
  });

  it('rethrows an error that is not retryable at once', async () => {
    const { options, waits } = fake();
    const boom = new Error('boom');
    let calls = 0;
    await expect(
      retry(async () => {
        calls++;
        throw boom;
      }, options),
    ).rejects.toBe(boom);
    expect(calls).toBe(1);
    expect(waits).toEqual([]);
  });

  it('rethrows the last error after every attempt, without a pointless last wait', async () => {
    const { options, waits } = fake({ attempts: 3 });
    const errors: Retryable[] = [];
    const thrown = await retry(async () => {
      errors.push(new Retryable());
      throw errors[errors.length - 1];
    }, options).catch((e: unknown) => e);
    expect(errors).toHaveLength(3);
    expect(thrown).toBe(errors[2]);
    expect(waits).toHaveLength(2);
  });

  it('stops once the time budget is spent', async () => {
    const { options } = fake({ attempts: 100, budgetMs: 30, random: () => 0.999 });
    let calls = 0;
    await expect(
      retry(async () => {
        calls++;
        throw new Retryable();
      }, options),
    ).rejects.toBeInstanceOf(Retryable);
    // Waits of ~10, ~20 (30 spent): the budget ends the run after the third try.
    expect(calls).toBe(3);
  });
});
