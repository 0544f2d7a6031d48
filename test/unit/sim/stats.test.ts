import { describe, expect, it } from '@jest/globals';
import { percentile, RateWindow, round3, SampleSet, seededRandom } from '../../../sim/stats.js';

describe('percentile (nearest rank)', () => {
  it('picks the smallest sample with at least p% at or below it', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 100)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
  });

  it('is NaN without samples', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('SampleSet', () => {
  it('grows past its initial capacity and summarises every sample', () => {
    const set = new SampleSet();
    for (let i = 1; i <= 5000; i++) set.add(i);
    const s = set.summary();
    expect(s.count).toBe(5000);
    expect(s.p50).toBe(2500);
    expect(s.p99).toBe(4950);
    expect(s.max).toBe(5000);
    expect(s.mean).toBe(2500.5);
  });

  it('clear forgets the samples', () => {
    const set = new SampleSet();
    set.add(3);
    set.clear();
    expect(set.count).toBe(0);
    expect(set.summary().p50).toBeNaN();
  });
});

describe('RateWindow', () => {
  it('counts events per second over the window and forgets older seconds', () => {
    const w = new RateWindow(5_000);
    for (let s = 0; s < 5; s++) w.record(1_000_000 + s * 1000, 10);
    expect(w.rate(1_004_500)).toBe(10);
    // Two seconds later the first two seconds have left the window.
    expect(w.rate(1_006_500)).toBe(6);
    expect(w.rate(1_020_000)).toBe(0);
  });
});

describe('seededRandom', () => {
  it('repeats for a seed, differs between seeds and stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(c()).not.toBe(xs[0]);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    // Roughly uniform: the mean of 1000 draws is near 0.5.
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 1);
  });
});

describe('round3', () => {
  it('keeps three significant digits', () => {
    expect(round3(1234.5)).toBe(1235);
    expect(round3(0.012345)).toBe(0.0123);
    expect(round3(0)).toBe(0);
  });
});
