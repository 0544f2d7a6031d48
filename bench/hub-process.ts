import { TetherError } from '../shared/errors.js';
import type { BenchHubOptions } from './hub.js';
import type { ProfileSummary } from './profile.js';
import { adminCaller, type AdminCall } from '../sim/admin.js';
import { forkTypeScript } from '../sim/child-process.js';
import type { LatencySummary } from '../sim/stats.js';

/**
 * A bench hub (./hub.ts) in a child process, driven over IPC: the sustained-load and fan-out
 * benchmarks measure the hub's CPU, memory, event loop and server-side latency apart from the
 * simulated agents, and can take a CPU profile of it.
 */

/** A request to the hub process. */
export interface HubProcessRequest {
  id: number;
  type: 'start' | 'reset' | 'usage' | 'profile-start' | 'profile-stop' | 'tick' | 'settle' | 'advance' | 'close';
  options?: BenchHubOptions;
  timeoutMs?: number;
  ms?: number;
}

/** What the hub process used since the last reset. */
export interface HubUsage {
  wallMs: number;
  cpuMicros: number;
  /** CPU of the hub's event loop (the main thread) alone, where the OS tells (Linux). */
  mainThreadCpuMicros?: number;
  eventLoopUtilization: number;
  rssBytes: number;
  peakRssBytes: number;
  /** Time from request start to response finish, in the hub process, ms. */
  serverLatency: LatencySummary;
  /** Garbage collection pauses. */
  gc: { count: number; totalMs: number; maxMs: number };
  /** How late timers ran: the event loop blocked by synchronous work. */
  loopDelay: { p99Ms: number; maxMs: number };
  /**
   * The embedded dynalite's worker thread (when it runs on one): its event-loop utilisation and
   * busy time. Its CPU is part of `cpuMicros` (one process); the hub's event loop is free of it.
   */
  dynaliteThread?: { eventLoopUtilization: number; busyMs: number };
  /** DynamoDB commands of the hub's client. */
  ops: Record<string, number>;
  /** DynamoDB write items by the port call that sent them (hubs started with `ledger`). */
  writeItems?: Record<string, number>;
  /** Step messages queued. */
  queued: number;
  /** Step messages queued, by step type (absent in results saved before it was counted). */
  queuedByType?: Record<string, number>;
}

/** The hub process failed. */
export class HubProcessError extends TetherError {
  // 500: the benchmark's own hub process failed.
  static override readonly status = 500;
  static override readonly title = 'Hub process failed';
  readonly code = 'hub-process-failed';
}

/** A running hub process. */
export interface HubProcess {
  pid: number;
  url: string;
  adminToken: string;
  admin: AdminCall;
  reset(): Promise<void>;
  usage(): Promise<HubUsage>;
  profileStart(): Promise<void>;
  profileStop(): Promise<ProfileSummary>;
  tick(): Promise<Record<string, number | string>>;
  settle(timeoutMs?: number): Promise<void>;
  /** Moves the hub's injected clock forward. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a bench hub in a child process. */
export async function startHubProcess(options: BenchHubOptions = {}): Promise<HubProcess> {
  // The hub's Powertools warnings are not figures; keep the bench's output readable.
  let forked: Awaited<ReturnType<typeof forkTypeScript>>;
  try {
    forked = await forkTypeScript(new URL('./hub-process-child.ts', import.meta.url), {
      label: 'bench hub',
      env: { POWERTOOLS_METRICS_DISABLED: 'true' },
      stdout: 'ignore',
    });
  } catch (err) {
    throw new HubProcessError((err as Error).message, { cause: err });
  }
  const { child, describeExit } = forked;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (raw) => {
    const msg = raw as { id?: number; ok?: boolean; result?: unknown; error?: string };
    const waiter = msg.id === undefined ? undefined : pending.get(msg.id);
    if (!waiter) return;
    pending.delete(msg.id!);
    if (msg.ok) waiter.resolve(msg.result);
    else waiter.reject(new HubProcessError(`hub process: ${msg.error}`));
  });
  child.once('exit', (code, signal) => {
    for (const w of pending.values()) w.reject(new HubProcessError(describeExit(code, signal)));
    pending.clear();
  });
  const call = <T>(type: HubProcessRequest['type'], extra: Partial<HubProcessRequest> = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, type, ...extra } satisfies HubProcessRequest);
    });
  let started: { url: string; adminToken: string };
  try {
    started = await call<{ url: string; adminToken: string }>('start', { options });
  } catch (err) {
    child.kill();
    throw err;
  }
  return {
    pid: child.pid ?? 0,
    url: started.url,
    adminToken: started.adminToken,
    admin: adminCaller(started.url, started.adminToken),
    reset: () => call<void>('reset'),
    usage: () => call<HubUsage>('usage'),
    profileStart: () => call<void>('profile-start'),
    profileStop: () => call<ProfileSummary>('profile-stop'),
    tick: () => call<Record<string, number | string>>('tick'),
    settle: (timeoutMs) => call<void>('settle', { timeoutMs }),
    advance: (ms) => call<void>('advance', { ms }),
    close: async () => {
      if (child.exitCode === null && child.connected) {
        await call('close').catch(() => undefined);
        child.disconnect();
      }
      await exited;
    },
  };
}
