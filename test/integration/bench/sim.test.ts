/**
 * `tether sim` end to end, in-process: a local hub of its own, real agents joining through bulk
 * import and their bootstrap tokens, polling until --duration ends, then a clean stop.
 */
import { describe, expect, it, jest } from '@jest/globals';
import { run } from '../../../cli/main.js';
import { captureIO } from '../cli/support/capture-io.js';

jest.setTimeout(60_000);

describe('tether sim', () => {
  it('joins N agents through the real flow, polls for --duration and stops cleanly', async () => {
    const io = captureIO();
    const code = await run(['sim', '--clusters', '4', '--poll', '2', '--duration', '5', '--prefix', 'simtest'], io);
    expect(io.stderr()).not.toMatch(/error:/);
    expect(code).toBe(0);
    const out = io.stdout();
    expect(out).toMatch(/Local hub on http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/^4\/4 agents joined in [\d.]+ s$/m);
    const summary = /Simulated 4 agents for \d+ s: (\d+) polls \([\d.]+\/s\), (\d+) errors/.exec(out);
    expect(summary).not.toBeNull();
    // Four agents at a 2 s poll for 5 s: each polls at least twice.
    expect(Number(summary![1])).toBeGreaterThanOrEqual(8);
    expect(Number(summary![2])).toBe(0);
    expect(io.stderr()).toMatch(/importing \d+\/4/);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('refuses a bad cluster count with a usage error', async () => {
    const io = captureIO();
    expect(await run(['sim', '--clusters', '0'], io)).toBe(2);
    expect(io.stderr()).toMatch(/--clusters.*must be a whole number from 1 to 100000/);
  });
});
