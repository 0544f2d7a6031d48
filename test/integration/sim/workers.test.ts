/**
 * The simulator's worker processes: they start from the package wherever `tether` runs (never from
 * the current directory), and a worker that dies, before it is ready or while agents run, fails the
 * parent at once with the reason instead of leaving it waiting.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet, FleetShardError } from '../../../sim/fleet.js';
import { runSimulation } from '../../../sim/sim-runner.js';
import { startTestHub, type TestHub } from '../../support/local-hub.js';

jest.setTimeout(90_000);

const REPO = process.cwd();

/** Child processes of this process whose command line mentions `needle` (Linux /proc). */
function childrenOf(pid: number, needle: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid; the name before it may hold spaces, so split after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tether-sim-workers-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('simulator workers', () => {
  it('run from a folder outside the repo (tsx and the child script come from the package)', async () => {
    // An unrelated, broken tsconfig.json where the user happens to be must not matter either.
    writeFileSync(join(dir, 'tsconfig.json'), '{"extends": "./does-not-exist.json"}');
    const result = await new Promise<{ code: number; out: string; err: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(REPO, 'bin', 'tether.js'), 'sim', '--local', '--clusters', '2', '--workers', '1', '--poll', '1', '--duration', '2'],
        { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, TETHER_CONFIG: join(dir, 'absent.json') }, timeout: 60_000 },
        (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, out: stdout, err: stderr }),
      );
    });
    expect(result.err).not.toMatch(/Cannot find package|error:/);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Hub: http:\/\/127\.0\.0\.1:\d+ \(private local hub;/);
    expect(result.out).toMatch(/^2\/2 agents joined in [\d.]+ s \(1 worker processes\)$/m);
    expect(result.out).toMatch(/Simulated 2 agents for \d+ s: \d+ polls .*, 0 errors/);
  });

  it('that die before they are ready fail the fleet at once, with the reason', async () => {
    const saved = process.env.NODE_OPTIONS;
    // Every child inherits this and dies while Node starts, before it can say it is ready.
    process.env.NODE_OPTIONS = `${saved ?? ''} --require ${join(dir, 'no-such-preload.cjs')}`;
    const started = Date.now();
    let failure: unknown;
    try {
      await Fleet.start({
        admin: async () => ({ status: 500, body: undefined, text: '' }),
        clusters: 0,
        prefix: 'dead',
        workers: 1,
        importConcurrency: 1,
        joinConcurrency: 1,
        spreadMs: 0,
      });
    } catch (err) {
      failure = err;
    } finally {
      process.env.NODE_OPTIONS = saved;
    }
    expect(failure).toBeInstanceOf(FleetShardError);
    expect((failure as Error).message).toMatch(
      /^fleet shard process \d+ exited with code 1 before it was ready: Error: Cannot find module '.*no-such-preload\.cjs'/,
    );
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  describe('against a hub', () => {
    let hub: TestHub;
    beforeAll(async () => {
      hub = await startTestHub({ config: { pollIntervalSeconds: 1 } });
    });
    afterAll(async () => {
      await hub.stop();
    });

    it('that die while agents run end the simulation at once, with the reason', async () => {
      let killedAt = 0;
      const errs: string[] = [];
      const simulation = runSimulation({
        hubUrl: hub.url,
        token: hub.adminToken,
        clusters: 2,
        prefix: 'dying',
        workers: 1,
        joinConcurrency: 2,
        spreadSeconds: 1,
        // No duration: without the fix this waits for Ctrl-C.
        io: {
          isTTY: false,
          err: (t) => errs.push(t),
          out: (t) => {
            if (!/agents joined/.test(t)) return;
            const [pid] = childrenOf(process.pid, 'fleet-shard-child');
            expect(pid).toBeDefined();
            process.kill(pid, 'SIGKILL');
            killedAt = Date.now();
          },
        },
      });
      await expect(simulation).rejects.toThrow(/^fleet shard process \d+ was killed by SIGKILL$/);
      expect(killedAt).toBeGreaterThan(0);
      expect(Date.now() - killedAt).toBeLessThan(5_000);
      expect(errs.join('')).toMatch(/A worker process died; stopping the other agents/);
      expect(childrenOf(process.pid, 'fleet-shard-child')).toEqual([]);
      expect(process.listenerCount('SIGINT')).toBe(0);
    });
  });
});
