import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../context.js';
import { AuthMissingError } from '../errors.js';

/**
 * `tether sim --clusters N [--poll S] [--hub URL] [--token T] [--workers W] [--prefix sim]`: the
 * fleet simulator. N real agents, each over its own in-memory cluster, join through the real flow
 * (bulk import with auto-accept, then the bootstrap token) and then poll, apply and report. Without
 * --hub it starts a local hub in this process, in a temporary data directory.
 */

function whole(min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return Number(value);
  };
}

function prefix(value: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/.test(value)) throw new InvalidArgumentError('must be a DNS-1123 label of at most 42 characters (cluster names append -00001)');
  return value;
}

interface SimFlags {
  clusters: number;
  poll?: number;
  workers?: number;
  prefix: string;
  joinConcurrency: number;
  duration?: number;
}

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
    .option('--poll <seconds>', 'poll interval (the local hub hands it out; against --hub the simulator overrides what the hub says)', whole(1, 3600))
    .option('--workers <n>', `child processes running agents (default: none up to ${LOCAL_HUB_AGENTS_IN_PROCESS} agents with the local hub or ${AGENTS_PER_PROCESS} with --hub, else one per ${AGENTS_PER_PROCESS})`, whole(0, 64))
    .option('--prefix <name>', 'cluster names are <prefix>-00001, <prefix>-00002, ...', prefix, 'sim')
    .option('--join-concurrency <n>', 'imports and joins in flight at once', whole(1, 1000), 32)
    .option('--duration <seconds>', 'stop after this long (default: until Ctrl-C)', whole(1, 7 * 86_400))
    .addHelpText(
      'after',
      `
Every agent is the real agent code (agent/agent.ts) over its own MemoryCluster; it applies what the
hub sends and reports status. Clusters are imported with --auto-accept and keep their names, so a
second run against the same hub re-imports and re-joins them. Press Ctrl-C to stop.

Examples:
  tether sim --clusters 1000                         # local hub, 1000 agents polling every 30 s
  tether sim --clusters 200 --poll 5 --duration 60
  tether sim --clusters 10000 --hub http://127.0.0.1:8080 --token "$(cat .tether/admin-token)" --workers 2`,
    )
    .action(async (opts: SimFlags, cmd: Command) => {
      const { runSimulation } = await import('../../sim/sim-runner.js');
      const flags = ctx.flags(cmd);
      let hubUrl = flags.hub;
      let token: string | undefined;
      let local: { close(): Promise<void> } | undefined;
      let dataDir: string | undefined;
      if (hubUrl) {
        const settings = await ctx.settings(cmd);
        token = settings.token;
        if (!token) throw new AuthMissingError(['token']);
      } else {
        dataDir = mkdtempSync(join(tmpdir(), 'tether-sim-'));
        const { startLocalHub } = await import('../../lambdas/local/local-hub.js');
        const { silentLog } = await import('../../lambdas/ports/log.js');
        process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
        const hub = await startLocalHub({ port: 0, dataDir, log: silentLog, config: opts.poll ? { pollIntervalSeconds: opts.poll } : {} });
        local = hub;
        hubUrl = hub.url;
        token = hub.adminToken;
        ctx.out(`Local hub on ${hub.url} (data in ${dataDir}, removed on exit)\n`);
      }
      const workers = opts.workers ?? defaultWorkers(opts.clusters, Boolean(local));
      try {
        await runSimulation({
          hubUrl,
          token: token!,
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
