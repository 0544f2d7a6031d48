import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../context.js';
import type { SettingSource } from '../config.js';
import { AuthMissingError, UsageError } from '../errors.js';

/**
 * `tether sim --clusters N [--local] [--poll S] [--workers W] [--prefix sim]`: the fleet simulator.
 * N real agents, each over its own in-memory cluster, join through the real flow (bulk import with
 * auto-accept, then the bootstrap token) and then poll, apply and report. The hub is the one every
 * command uses (--hub, TETHER_HUB or the config file `tether login` writes); `--local` instead
 * starts a private hub in this process, in a temporary data directory. With neither it refuses,
 * rather than quietly simulating against a hub the user did not ask for.
 */

function whole(min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return Number(value);
  };
}

function prefix(value: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/.test(value))
    throw new InvalidArgumentError('must be a DNS-1123 label of at most 42 characters (cluster names append -00001)');
  return value;
}

interface SimFlags {
  clusters: number;
  poll?: number;
  workers?: number;
  prefix: string;
  joinConcurrency: number;
  duration?: number;
  local?: boolean;
}

/** Why `tether sim` has no hub, and the three ways to give it one. */
export const NO_HUB =
  'no hub to simulate against: pass --hub URL (with --token), log in with "tether login", or use --local for a private local hub';

const SOURCES: Record<SettingSource, string> = { flag: '--hub', env: 'TETHER_HUB', config: 'the config file', oidc: 'the OIDC sign-in' };

/**
 * Agents one process runs: 10,000 agents at a 30 s poll took a quarter of a core and 1.2 GB
 * (B3 in docs/benchmarks.md), so a process can drive about 20,000.
 */
export const AGENTS_PER_PROCESS = 20_000;
/** With the local hub in this process, agents beyond this many get a process of their own (the hub needs its core). */
export const LOCAL_HUB_AGENTS_IN_PROCESS = 1_000;

/** Shard processes for `clusters` agents; see the constants above. */
export function defaultWorkers(clusters: number, localHub: boolean): number {
  if (localHub) return clusters > LOCAL_HUB_AGENTS_IN_PROCESS ? Math.ceil(clusters / AGENTS_PER_PROCESS) : 0;
  return clusters > AGENTS_PER_PROCESS ? Math.ceil(clusters / AGENTS_PER_PROCESS) : 0;
}

/** Registers `tether sim`. */
export function registerSimCommand(program: Command, ctx: CliContext): void {
  program
    .command('sim')
    .description('simulate a fleet: N real agents with in-memory clusters join a hub and poll it')
    .requiredOption('--clusters <n>', 'number of simulated clusters', whole(1, 100_000))
    .option('--local', 'start a private local hub in this process (temporary data, removed on exit) instead of using the configured hub')
    .option(
      '--poll <seconds>',
      'poll interval (the --local hub hands it out; against a configured hub the simulator overrides what the hub says)',
      whole(1, 3600),
    )
    .option(
      '--workers <n>',
      `child processes running agents (default: none up to ${LOCAL_HUB_AGENTS_IN_PROCESS} agents with --local or ${AGENTS_PER_PROCESS} against a configured hub, else one per ${AGENTS_PER_PROCESS})`,
      whole(0, 64),
    )
    .option('--prefix <name>', 'cluster names are <prefix>-00001, <prefix>-00002, ...', prefix, 'sim')
    .option('--join-concurrency <n>', 'imports and joins in flight at once', whole(1, 1000), 32)
    .option('--duration <seconds>', 'stop after this long (default: until Ctrl-C)', whole(1, 7 * 86_400))
    .addHelpText(
      'after',
      `
The hub is the configured one (--hub, TETHER_HUB or the config file "tether login" writes, with its
admin token), or with --local a private hub started for this run; the first line of output names it.
Every agent is the real agent code (agent/agent.ts) over its own MemoryCluster; it applies what the
hub sends and reports status. Clusters are imported with --auto-accept and keep their names, so a
second run against the same hub re-imports and re-joins them. Press Ctrl-C to stop.

Examples:
  tether sim --local --clusters 1000                 # private hub, 1000 agents polling every 30 s
  tether sim --local --clusters 200 --poll 5 --duration 60
  tether sim --clusters 500                          # against the hub "tether login" saved
  tether sim --clusters 10000 --hub http://127.0.0.1:8080 --token "$(cat .tether/admin-token)" --workers 2`,
    )
    .action(async (opts: SimFlags, cmd: Command) => {
      const { runSimulation } = await import('../../sim/sim-runner.js');
      let hubUrl: string;
      let token: string;
      let local: { close(): Promise<void> } | undefined;
      let dataDir: string | undefined;
      if (opts.local) {
        if (ctx.flags(cmd).hub) throw new UsageError('--local starts a private hub; it cannot be combined with --hub');
        dataDir = mkdtempSync(join(tmpdir(), 'tether-sim-'));
        const { startLocalHub } = await import('../../lambdas/local/local-hub.js');
        const { silentLog } = await import('../../lambdas/ports/log.js');
        process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
        try {
          const hub = await startLocalHub({
            port: 0,
            dataDir,
            log: silentLog,
            config: opts.poll ? { pollIntervalSeconds: opts.poll } : {},
          });
          local = hub;
          hubUrl = hub.url;
          token = hub.adminToken;
        } catch (err) {
          rmSync(dataDir, { recursive: true, force: true });
          throw err;
        }
        ctx.out(`Hub: ${hubUrl} (private local hub; data in ${dataDir}, removed on exit)\n`);
      } else {
        const settings = await ctx.settings(cmd);
        if (!settings.hub) throw new UsageError(NO_HUB);
        if (!settings.token) throw new AuthMissingError(['token']);
        hubUrl = settings.hub;
        token = settings.token;
        ctx.out(`Hub: ${hubUrl} (from ${SOURCES[settings.source.hub ?? 'flag']})\n`);
      }
      const workers = opts.workers ?? defaultWorkers(opts.clusters, Boolean(local));
      try {
        await runSimulation({
          hubUrl,
          token,
          clusters: opts.clusters,
          prefix: opts.prefix,
          workers,
          joinConcurrency: opts.joinConcurrency,
          // The local hub already hands out --poll; only a remote hub's answer is rewritten.
          pollIntervalSeconds: local ? undefined : opts.poll,
          spreadSeconds: opts.poll ?? 30,
          durationSeconds: opts.duration,
          io: ctx.io,
        });
      } finally {
        await local?.close();
        if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      }
    });
}
