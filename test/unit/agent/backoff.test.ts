import {
  Backoff,
  fullJitterDelay,
  jitteredInterval,
  jitteredRetryAfter,
  MEAN_POLL_FRACTION,
  parseRetryAfter,
  POLL_JITTER_BAND,
  startPhaseDelay,
  RETRY_AFTER_MAX_MS,
} from '../../../agent/backoff.js';

describe('backoff', () => {
  test('poll interval jitter stays within [0.96, 1) of the interval, never above it', () => {
    expect(POLL_JITTER_BAND).toBe('[0.96, 1)');
    expect(jitteredInterval(30_000, () => 0)).toBe(28_800);
    expect(jitteredInterval(30_000, () => 0.5)).toBe(29_400);
    expect(jitteredInterval(30_000, () => 0.999999)).toBe(30_000);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const v = jitteredInterval(10_000, Math.random);
      expect(v).toBeGreaterThanOrEqual(9_600);
      expect(v).toBeLessThanOrEqual(10_000);
      sum += v;
    }
    // The mean the cost model uses (MEAN_POLL_FRACTION), within sampling error.
    expect(Math.abs(sum / 10_000 / 10_000 - MEAN_POLL_FRACTION)).toBeLessThan(0.005);
  });

  test('the first wait after a start is a random phase anywhere within the interval', () => {
    expect(startPhaseDelay(30_000, () => 0)).toBe(0);
    expect(startPhaseDelay(30_000, () => 0.5)).toBe(15_000);
    expect(startPhaseDelay(30_000, () => 0.999999)).toBe(29_999);
  });

  test('a Retry-After wait is jittered upwards only: never sooner than the hub asked', () => {
    expect(jitteredRetryAfter(30_000, () => 0)).toBe(30_000);
    expect(jitteredRetryAfter(30_000, () => 0.5)).toBe(31_500);
    for (let i = 0; i < 1000; i++) {
      const v = jitteredRetryAfter(10_000, Math.random);
      expect(v).toBeGreaterThanOrEqual(10_000);
      expect(v).toBeLessThanOrEqual(11_000);
    }
  });

  test('full jitter doubles its ceiling from 1 s up to the 5 min cap', () => {
    const top = () => 0.999999;
    const ceilings = Array.from({ length: 12 }, (_, attempt) => fullJitterDelay(attempt, top) + 1);
    expect(ceilings).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000, 300000]);
    expect(fullJitterDelay(5, () => 0)).toBe(0);
    expect(fullJitterDelay(1e6, top)).toBe(299_999);
  });

  test('Retry-After: seconds, HTTP date, or nothing', () => {
    const now = Date.parse('2026-11-02T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Mon, 02 Nov 2026 10:01:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Mon, 02 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
  });

  test('Backoff waits at least what Retry-After asks (within reason) and resets after success', () => {
    const b = new Backoff({ random: () => 0.5 });
    expect([b.next(), b.next(), b.next()]).toEqual([500, 1000, 2000]);
    expect(b.next(60_000)).toBe(60_000);
    expect(b.next(1)).toBe(8000);
    expect(b.next(7 * 24 * 3600_000)).toBe(RETRY_AFTER_MAX_MS);
    expect(b.attempts).toBe(6);
    b.reset();
    expect(b.next()).toBe(500);
  });
});
