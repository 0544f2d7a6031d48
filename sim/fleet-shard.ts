import type { KubeObject } from '../agent/kube/types.js';
import { pMap } from '../shared/concurrency.js';
import { createSimAgent, MARK_ANNOTATION, type ImportedCluster, type SimAgent } from './sim-agent.js';
import { RequestRecorder, recordingFetch, type RecorderWindow } from './transport.js';

/**
 * The simulated agents of one process: the fleet simulator runs one shard in its own process, or
 * several in child processes (./fleet-shard-child.ts) when one event loop cannot keep up.
 */

/** Options of a shard. */
export interface ShardOptions {
  clusters: ImportedCluster[];
  /** Agents joining at once. */
  joinConcurrency: number;
  /** Rewrites the hub's poll interval (`tether sim --poll` against a hub it does not control). */
  pollIntervalSeconds?: number;
  /** Agent starts are spread evenly over this long, as a real fleet's polls are. */
  spreadMs: number;
  /** The agents' poll interval until the hub names one (the agent's default otherwise). */
  initialPollIntervalMs?: number;
  /**
   * Keep latency samples for {@link FleetShard.report} (default true). A fleet nobody reports on
   * (`tether dev --demo`) turns this off, so its memory does not grow with every poll.
   */
  recordSamples?: boolean;
}

/** Per cluster, when its agent had applied every object carrying one mark (ms since the epoch), for B4. */
export interface MarkTimes {
  mark: string;
  /** Cluster -> the time the last of its marked objects was first applied. */
  times: Record<string, number>;
}

/** A shard's counters and the window of samples since the last take. */
export interface ShardReport extends RecorderWindow {
  agents: number;
  joined: number;
  joinFailed: number;
  totalRequests: number;
  totalErrors: number;
  /** Agents whose loop ended (revoked or detached). */
  exited: number;
  /** Process figures of the shard (the sum over the fleet when aggregated). */
  rssBytes: number;
  cpuMicros: number;
}

/** The agents of one process. */
export class FleetShard {
  readonly recorder: RequestRecorder;
  private readonly agents: SimAgent[] = [];
  /** mark -> cluster -> objects already seen, and when the last new one was applied. */
  private readonly marks = new Map<string, Map<string, { seen: Set<string>; at: number }>>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly running: Promise<unknown>[] = [];
  joined = 0;
  joinFailed = 0;
  exited = 0;
  private stopping = false;

  constructor(private readonly options: ShardOptions) {
    this.recorder = new RequestRecorder({ samples: options.recordSamples ?? true });
  }

  /** Joins every agent through the real flow (its first cycle: join, poll, apply, report). */
  async join(onProgress?: (joined: number, failed: number) => void): Promise<void> {
    const fetch = recordingFetch(this.recorder, { pollIntervalSeconds: this.options.pollIntervalSeconds });
    await pMap(
      this.options.clusters,
      async (imported) => {
        if (this.stopping) return;
        const overrides =
          this.options.initialPollIntervalMs === undefined
            ? { fetch }
            : { fetch, initialPollIntervalMs: this.options.initialPollIntervalMs };
        const sim = createSimAgent(imported, overrides, (obj) => this.observe(imported.name, obj));
        this.agents.push(sim);
        const out = await sim.agent.runOnce();
        if (out === true) this.joined++;
        else this.joinFailed++;
        onProgress?.(this.joined, this.joinFailed);
      },
      { concurrency: Math.max(1, this.options.joinConcurrency) },
    );
  }

  /** Starts every joined agent's poll loop, spread evenly over `spreadMs`. */
  run(): void {
    const n = this.agents.length;
    this.agents.forEach((sim, i) => {
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          if (this.stopping) return;
          this.running.push(sim.agent.start().then(() => (this.stopping ? undefined : this.exited++)));
        },
        Math.floor((i * this.options.spreadMs) / Math.max(1, n)),
      );
      this.timers.add(timer);
    });
  }

  private observe(cluster: string, obj: KubeObject): void {
    const mark = obj.metadata.annotations?.[MARK_ANNOTATION];
    if (mark === undefined) return;
    const byCluster = this.marks.get(mark) ?? new Map<string, { seen: Set<string>; at: number }>();
    this.marks.set(mark, byCluster);
    const entry = byCluster.get(cluster) ?? { seen: new Set<string>(), at: 0 };
    byCluster.set(cluster, entry);
    // Agents re-apply on every resync; only the first apply of each object counts.
    const key = `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    if (entry.seen.has(key)) return;
    entry.seen.add(key);
    entry.at = Date.now();
  }

  /** Per cluster, when its agent first applied the last of the objects marked `mark`. */
  markTimes(mark: string, objects: number): MarkTimes {
    const times: Record<string, number> = {};
    for (const [cluster, e] of this.marks.get(mark) ?? []) if (e.seen.size >= objects) times[cluster] = e.at;
    return { mark, times };
  }

  /** Counters, and the samples since the last call. */
  report(): ShardReport {
    const usage = process.cpuUsage();
    return {
      ...this.recorder.take(),
      agents: this.agents.length,
      joined: this.joined,
      joinFailed: this.joinFailed,
      totalRequests: this.recorder.totalRequests,
      totalErrors: this.recorder.totalErrors,
      exited: this.exited,
      rssBytes: process.memoryUsage().rss,
      cpuMicros: usage.user + usage.system,
    };
  }

  /** Stops every agent (each finishes its current cycle) and their clusters' timers. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all(this.agents.map((a) => a.close()));
    await Promise.allSettled(this.running);
  }
}
