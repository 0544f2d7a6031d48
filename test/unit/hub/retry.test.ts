import { describe, expect, it } from '@jest/globals';
import { retryOnConflict } from '../../../lambdas/core/retry.js';
import type { Clock } from '../../../lambdas/ports/clock.js';
import { ConflictError, ValidationError } from '../../../shared/errors.js';

/** A clock that never waits: sleeping moves its time forward. */
function fakeClock(random = 0.5): Clock & { waits: number[] } {
  let now = 1_000;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
    random: () => random,
  };
}

describe('retryOnConflict', () => {
  it('retries conflicts with small jittered pauses taken from the clock', async () => {
    const clock = fakeClock();
    let calls = 0;
    const out = await retryOnConflict(clock, async (attempt) => {
      calls++;
      if (attempt < 2) throw new ConflictError('stale');
      return attempt;
    });
    expect(out).toBe(2);
    expect(calls).toBe(3);
    expect(clock.waits).toEqual([2.5, 5]);
  });

  it('caps the pause at 250 ms', async () => {
    const clock = fakeClock(0.999999);
    await expect(
      retryOnConflict(clock, async () => {
        throw new ConflictError('stale');
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(Math.max(...clock.waits)).toBeLessThan(250);
    expect(Math.max(...clock.waits)).toBeGreaterThan(249);
  });

  it('gives up after the attempts, rethrowing the last conflict', async () => {
    const clock = fakeClock();
    let calls = 0;
    await expect(
      retryOnConflict(
        clock,
        async () => {
          calls++;
          throw new ConflictError(`stale ${calls}`);
        },
        4,
      ),
    ).rejects.toThrow('stale 4');
    expect(calls).toBe(4);
  });

  it('gives up once the time budget is spent', async () => {
    const clock = fakeClock(0.999999);
    let calls = 0;
    await expect(
      retryOnConflict(
        clock,
        async () => {
          calls++;
          throw new ConflictError('stale');
        },
        1000,
        600,
      ),
    ).rejects.toBeInstanceOf(ConflictError);
    // Pauses of about 5, 10, 20, 40, 80, 160, 250: the budget of 600 ms runs out after the 8th pause.
    expect(calls).toBe(8);
  });

  it('rethrows any other error at once', async () => {
    const clock = fakeClock();
    let calls = 0;
    await expect(
      retryOnConflict(clock, async () => {
        calls++;
        throw new ValidationError('bad');
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(calls).toBe(1);
    expect(clock.waits).toEqual([]);
  });
});
