/**
 * Small statistics for benchmark figures: percentiles of latency samples and rates over a
 * sliding window. Pure and allocation-light, because the simulator records one sample per poll
 * for thousands of agents.
 */

/**
 * The p-th percentile (0..100) of `values` by the nearest-rank method: the smallest sample such
 * that at least p% of the samples are at or below it. `values` need not be sorted.
 * Returns NaN for no samples.
 */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  return percentileOfSorted(sorted, p);
}

/** {@link percentile} of samples already sorted ascending. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((Math.min(100, Math.max(0, p)) / 100) * sorted.length);
  return sorted[Math.max(0, rank - 1)];
}

/** Summary of a set of latency samples, in the samples' unit. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Collects samples (e.g. request latencies in ms) and summarises them. */
export class SampleSet {
  private data = new Float64Array(1024);
  private n = 0;

  /** Number of samples recorded. */
  get count(): number {
    return this.n;
  }

  add(value: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = value;
  }

  /** Forgets every sample. */
  clear(): void {
    this.n = 0;
  }

  /** The samples recorded so far (a copy). */
  values(): Float64Array {
    return this.data.slice(0, this.n);
  }

  summary(): LatencySummary {
    const sorted = this.values().sort();
    let sum = 0;
    for (const v of sorted) sum += v;
    return {
      count: sorted.length,
      p50: percentileOfSorted(sorted, 50),
      p90: percentileOfSorted(sorted, 90),
      p99: percentileOfSorted(sorted, 99),
      max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
      mean: sorted.length ? sum / sorted.length : Number.NaN,
    };
  }
}

/**
 * Events per second over the last `windowMs`, from timestamps recorded as they happen. Keeps one
 * counter per second-bucket, so memory stays constant however many events arrive.
 */
export class RateWindow {
  private readonly buckets: number[];
  private readonly stamps: number[];

  constructor(private readonly windowMs = 5_000) {
    const size = Math.max(1, Math.ceil(windowMs / 1000));
    this.buckets = new Array<number>(size).fill(0);
    this.stamps = new Array<number>(size).fill(-1);
  }

  /** Records `count` events at `nowMs`. */
  record(nowMs: number, count = 1): void {
    const second = Math.floor(nowMs / 1000);
    const i = second % this.buckets.length;
    if (this.stamps[i] !== second) {
      this.stamps[i] = second;
      this.buckets[i] = 0;
    }
    this.buckets[i] += count;
  }

  /** Events per second over the window ending at `nowMs`. */
  rate(nowMs: number): number {
    const second = Math.floor(nowMs / 1000);
    const oldest = second - this.buckets.length + 1;
    let total = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      if (this.stamps[i] >= oldest && this.stamps[i] <= second) total += this.buckets[i];
    }
    return total / (this.windowMs / 1000);
  }
}

/** Rounds for display: 3 significant digits, no exponent for ordinary magnitudes. */
export function round3(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))));
  return Number(value.toFixed(Math.min(digits, 8)));
}

/**
 * A deterministic uniform random source in [0, 1) (mulberry32), so that jittered schedules in
 * counted measurements are the same on every run and every machine.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
