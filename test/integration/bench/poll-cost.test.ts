/**
 * Regression guard for the poll path's cost (issue 5, B1), run by `npm test`.
 *
 * It runs the same measurement as the B1 benchmark (bench/b1-poll-cost.ts): a local hub with one
 * cluster joined by the real agent through the real routes, DynamoDB commands counted by the SDK
 * middleware on the hub's own client, time moved by the hub's injected clock. It asserts only
 * counts, never timings, so it does not depend on the speed of the machine.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { measurePollCost, type PollCostResult } from '../../../bench/b1-poll-cost.js';
import { startBenchHub, type BenchHub } from '../../../bench/hub.js';

let bench: BenchHub;
let result: PollCostResult;

beforeAll(async () => {
  bench = await startBenchHub({ backend: 'dynalite' });
  result = await measurePollCost(bench, {
    rates: [
      { pollSeconds: 30, leaseDurationSeconds: 60 },
      { pollSeconds: 60, leaseDurationSeconds: 60 },
    ],
    ratePolls: 60,
    reports: 2,
  });
}, 90_000);

afterAll(async () => {
  await bench?.close();
}, 30_000);

describe('idle poll', () => {
  it('is exactly one eventually consistent GetItem (0.5 read units), no write, answered 304', () => {
    expect(result.idlePoll.ops).toEqual({ GetItem: 1 });
    expect(result.idlePoll.capacity).toEqual({ GetItem: 0.5 });
    expect(result.idlePoll.writes).toBe(0);
    expect(result.idlePoll.requests).toEqual({ 'desired 304': 1 });
    expect(result.idlePoll.queued).toBe(0);
  });

  it('reads a head item under 1 KB', () => {
    expect(result.headItemBytes).toBeGreaterThan(0);
    expect(result.headItemBytes).toBeLessThan(1024);
  });
});

describe('lease', () => {
  it('a poll that finds the lease due adds exactly one UpdateItem and nothing else', () => {
    expect(result.renewingPoll.ops).toEqual({ GetItem: 1, UpdateItem: 1 });
    expect(result.renewingPoll.requests).toEqual({ 'desired 304': 1 });
    expect(result.renewingPoll.queued).toBe(0);
  });

  it('polls spread over one lease period write the lease once', () => {
    const w = result.leaseWindow;
    expect(w.polls).toBeGreaterThan(5);
    expect(w.ops).toEqual({ GetItem: w.polls, UpdateItem: 1 });
    expect(w.writes).toBe(1);
    expect(w.requests).toEqual({ 'desired 304': w.polls });
  });

  it('over many jittered polls, renewals never exceed one per lease period', () => {
    for (const rate of result.renewalRates) {
      // Jitter keeps each gap under 1.2 x the interval, so the polls span at most this long, and
      // renewals are at least one lease duration apart.
      const spanSeconds = rate.polls * rate.pollSeconds * 1.2;
      expect(rate.renewals).toBeGreaterThan(0);
      expect(rate.renewals).toBeLessThanOrEqual(Math.ceil(spanSeconds / rate.leaseDurationSeconds) + 1);
      expect(rate.renewals).toBeLessThan(rate.polls);
    }
  });
});
