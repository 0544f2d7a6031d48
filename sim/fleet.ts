import { TetherError } from '../shared/errors.js';
import { forkTypeScript } from './child-process.js';
import { pMap } from '../shared/concurrency.js';
import { FleetShard, type MarkTimes, type ShardOptions, type ShardReport } from './fleet-shard.js';
import type { AdminCall } from './admin.js';
import { importForSimulation, type ImportedCluster, type SimClusterShape } from './sim-agent.js';

/**
 * The fleet simulator's engine, the one way simulated agents are started (`tether sim`,
 * `tether dev --demo` and the benchmarks' fleets): imports N clusters in
 * bulk through the admin API (auto-accepted, concurrency-limited), then runs N real agents, each
 * with its own in-memory cluster, in this process or spread over child processes.
 */

/** A message to a shard child process. */
export interface ShardRequest {
  id: number;
  type: 'join' | 'run' | 'report' | 'marks' | 'stop';
  options?: ShardOptions;
  mark?: string;
  /** Marked objects each agent must have applied. */
  objects?: number;
}

/** A shard child failed or went away. */
export class FleetShardError extends TetherError {
  // 500: a simulator child process failed.
  static override readonly status = 500;
  static override readonly title = 'Fleet shard failed';
  readonly code = 'fleet-shard-failed';
}

/** The same operations for a shard in this process and one in a child. */
interface ShardHandle {
  pid: number;
  /** Settles with the reason when the shard dies while it should be running; never for one in this process. */
  died: Promise<Error>;
  join(onProgress: (joined: number, failed: number) => void): Promise<void>;
  run(): Promise<void>;
  report(): Promise<ShardReport>;
  markTimes(mark: string, objects: number): Promise<MarkTimes>;
  stop(): Promise<void>;
}

function localShard(options: ShardOptions): ShardHandle {
  const shard = new FleetShard(options);
  return {
    pid: process.pid,
    died: new Promise<Error>(() => undefined),
    join: (onProgress) => shard.join(onProgress),
    run: async () => shard.run(),
    report: async () => shard.report(),
    markTimes: async (mark, objects) => shard.markTimes(mark, objects),
    stop: () => shard.stop(),
  };
}

async function childShard(options: ShardOptions): Promise<ShardHandle> {
  let started: Awaited<ReturnType<typeof forkTypeScript>>;
  try {
    started = await forkTypeScript(new URL('./fleet-shard-child.ts', import.meta.url), {
      label: 'fleet shard',
      serialization: 'advanced',
    });
  } catch (err) {
    throw new FleetShardError((err as Error).message, { cause: err });
  }
  const { child, describeExit } = started;
  const pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  let progress: ((joined: number, failed: number) => void) | undefined;
  let nextId = 1;
  let stopping = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let onDeath: (err: Error) => void = () => undefined;
  const died = new Promise<Error>((resolve) => (onDeath = resolve));
  child.on('message', (raw) => {
    const msg = raw as { id?: number; type: string; joined?: number; failed?: number; error?: string };
    if (msg.type === 'progress') return progress?.(msg.joined ?? 0, msg.failed ?? 0);
    const waiter = msg.id === undefined ? undefined : pending.get(msg.id);
    if (!waiter) return;
    pending.delete(msg.id!);
    if (msg.type === 'error') waiter.reject(new FleetShardError(`shard ${child.pid}: ${msg.error}`));
    else waiter.resolve(msg as Record<string, unknown>);
  });
  child.once('exit', (code, signal) => {
    const err = new FleetShardError(describeExit(code, signal));
    for (const w of pending.values()) w.reject(err);
    pending.clear();
    if (!stopping) onDeath(err);
  });
  const call = (type: ShardRequest['type'], extra: Partial<ShardRequest> = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      if (child.exitCode !== null || child.signalCode !== null || !child.connected) {
        reject(new FleetShardError(`shard ${child.pid} is gone`));
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, type, ...extra } satisfies ShardRequest);
    });
  return {
    pid: child.pid ?? 0,
    died,
    join: async (onProgress) => {
      progress = onProgress;
      await call('join', { options });
    },
    run: async () => {
      await call('run');
    },
    report: async () => (await call('report')).report as ShardReport,
    markTimes: async (mark, objects) => (await call('marks', { mark, objects })).marks as MarkTimes,
    stop: async () => {
      stopping = true;
      if (child.exitCode === null && child.connected) {
        await call('stop').catch(() => undefined);
        child.disconnect();
      }
      await exited;
    },
  };
}

/** Options of {@link Fleet.start}. */
export interface FleetOptions {
  admin: AdminCall;
  clusters: number;
  /** Cluster names are `<prefix>-00001`, ... */
  prefix: string;
  /** Cluster names, instead of `<prefix>-00001`, ... (then `clusters` must be their number). */
  names?: readonly string[];
  /** Distribution and nodes of each simulated cluster, by index; default a one-node k3s. */
  shape?: (index: number) => SimClusterShape | undefined;
  /** Labels of each cluster, by index. */
  labels?: (index: number) => Record<string, string> | undefined;
  /** Import with `autoAccept` (default true); false leaves an existing cluster's acceptance as it is. */
  autoAccept?: boolean;
  /** Child processes running agents; 0 runs them in this process. */
  workers: number;
  importConcurrency: number;
  joinConcurrency: number;
  /** Overrides the poll interval the hub hands out (see recordingFetch). */
  pollIntervalSeconds?: number;
  /** Agent starts are spread over this long. */
  spreadMs: number;
  /** The agents' poll interval until the hub names one. */
  initialPollIntervalMs?: number;
  /** Keep latency samples for {@link Fleet.report} (default true); see {@link ShardOptions.recordSamples}. */
  recordSamples?: boolean;
  onImported?(done: number, total: number): void;
  onJoined?(joined: number, failed: number, total: number): void;
}

/** A fleet's figures, summed over its shards. */
export interface FleetReport extends ShardReport {
  /** Per shard process: pid, RSS and CPU time so far. */
  processes: Array<{ pid: number; rssBytes: number; cpuMicros: number }>;
}

/** The name of the i-th simulated cluster (1-based). */
export function clusterName(prefix: string, index: number): string {
  return `${prefix}-${String(index).padStart(5, '0')}`;
}

/** Imports clusters in bulk, `concurrency` at a time, and returns their bootstrap tokens. */
export async function importFleet(
  opts: Pick<
    FleetOptions,
    'admin' | 'clusters' | 'prefix' | 'names' | 'shape' | 'labels' | 'autoAccept' | 'importConcurrency' | 'onImported'
  >,
): Promise<ImportedCluster[]> {
  const names = opts.names ?? Array.from({ length: opts.clusters }, (_, i) => clusterName(opts.prefix, i + 1));
  let done = 0;
  return pMap(
    names,
    async (name, i) => {
      const imported = await importForSimulation(opts.admin, name, opts.labels?.(i), opts.autoAccept ?? true);
      const shape = opts.shape?.(i);
      opts.onImported?.(++done, names.length);
      return shape ? { ...imported, shape } : imported;
    },
    { concurrency: Math.max(1, opts.importConcurrency) },
  );
}

/** N simulated agents joined to a hub. */
export class Fleet {
  private constructor(
    private readonly shards: ShardHandle[],
    /** The clusters, in name order. */
    readonly clusters: ImportedCluster[],
  ) {}

  /** Imports the clusters, starts the shards and joins every agent; resolves once all tried. */
  static async start(opts: FleetOptions): Promise<Fleet> {
    const clusters = await importFleet(opts);
    const shardCount = Math.max(1, opts.workers);
    const slices: ImportedCluster[][] = Array.from({ length: shardCount }, () => []);
    clusters.forEach((c, i) => slices[i % shardCount].push(c));
    const shards: ShardHandle[] = [];
    const fleet = new Fleet(shards, clusters);
    try {
      for (const slice of slices) {
        const options: ShardOptions = {
          clusters: slice,
          joinConcurrency: Math.max(1, Math.ceil(opts.joinConcurrency / shardCount)),
          pollIntervalSeconds: opts.pollIntervalSeconds,
          spreadMs: opts.spreadMs,
          initialPollIntervalMs: opts.initialPollIntervalMs,
          recordSamples: opts.recordSamples,
        };
        shards.push(opts.workers > 0 ? await childShard(options) : localShard(options));
      }
      const joined = new Array<number>(shards.length).fill(0);
      const failed = new Array<number>(shards.length).fill(0);
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      await Promise.all(
        shards.map((s, i) =>
          s.join((j, f) => {
            joined[i] = j;
            failed[i] = f;
            opts.onJoined?.(sum(joined), sum(failed), clusters.length);
          }),
        ),
      );
      return fleet;
    } catch (err) {
      await fleet.stop();
      throw err;
    }
  }

  /**
   * Settles with the reason as soon as any shard process dies unexpectedly (it never settles for a
   * fleet in this process), so that a caller waiting on the fleet can fail at once.
   */
  died(): Promise<Error> {
    return Promise.race(this.shards.map((s) => s.died));
  }

  /** Starts every agent's poll loop. */
  async run(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.run()));
  }

  /** Counters and the samples since the last report, over all shards. */
  async report(): Promise<FleetReport> {
    const reports = await Promise.all(this.shards.map((s) => s.report()));
    const statuses: Record<string, number> = {};
    for (const r of reports) for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
    const cat = (pick: (r: ShardReport) => Float64Array) => {
      const out = new Float64Array(reports.reduce((n, r) => n + pick(r).length, 0));
      let at = 0;
      for (const r of reports) {
        out.set(pick(r), at);
        at += pick(r).length;
      }
      return out;
    };
    const sum = (pick: (r: ShardReport) => number) => reports.reduce((n, r) => n + pick(r), 0);
    return {
      pollLatencies: cat((r) => r.pollLatencies),
      statusLatencies: cat((r) => r.statusLatencies),
      statuses,
      errors: sum((r) => r.errors),
      errorSamples: reports.flatMap((r) => r.errorSamples).slice(-5),
      agents: sum((r) => r.agents),
      joined: sum((r) => r.joined),
      joinFailed: sum((r) => r.joinFailed),
      totalRequests: sum((r) => r.totalRequests),
      totalErrors: sum((r) => r.totalErrors),
      exited: sum((r) => r.exited),
      rssBytes: sum((r) => r.rssBytes),
      cpuMicros: sum((r) => r.cpuMicros),
      processes: reports.map((r, i) => ({ pid: this.shards[i].pid, rssBytes: r.rssBytes, cpuMicros: r.cpuMicros })),
    };
  }

  /** Per cluster, when its agent had applied all `objects` objects marked `mark` (ms since the epoch). */
  async markTimes(mark: string, objects: number): Promise<Record<string, number>> {
    const all = await Promise.all(this.shards.map((s) => s.markTimes(mark, objects)));
    return Object.assign({}, ...all.map((m) => m.times)) as Record<string, number>;
  }

  /** Stops every agent and shard process. */
  async stop(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.stop()));
  }
}
