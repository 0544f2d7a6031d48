import { performance } from 'node:perf_hooks';
import type { FetchInit, FetchLike, FetchResponse } from '../agent/transport.js';
import { RateWindow, SampleSet } from './stats.js';

/**
 * The simulated agents' HTTP transport: the global fetch, timed and counted per agent API route,
 * so the simulator and the benchmarks see what the agents saw (latency, status codes, errors)
 * without touching the agent's code.
 */

/** Agent API routes the recorder tells apart. */
export type AgentRoute = 'desired' | 'status' | 'join' | 'rotate' | 'sync' | 'other';

function routeOf(url: string): AgentRoute {
  const path = url.replace(/^https?:\/\/[^/]+/, '').split('?')[0];
  if (path.endsWith('/agent/v1/desired')) return 'desired';
  if (path.endsWith('/agent/v1/status')) return 'status';
  if (path.endsWith('/agent/v1/join')) return 'join';
  if (path.endsWith('/agent/v1/rotate')) return 'rotate';
  if (path.endsWith('/agent/v1/sync')) return 'sync';
  return 'other';
}

/** What a recorder saw since its last {@link RequestRecorder.take}. */
export interface RecorderWindow {
  /** Latencies (ms) of desired-state polls. */
  pollLatencies: Float64Array;
  /** Latencies (ms) of status reports. */
  statusLatencies: Float64Array;
  /** Requests by route and HTTP status (`desired 304`, ...). */
  statuses: Record<string, number>;
  /** Transport failures and answers the agent treats as errors (5xx, 429, unexpected 4xx). */
  errors: number;
  /** The last few error descriptions. */
  errorSamples: string[];
}

/** Counts and times every request of the agents that share it. */
export class RequestRecorder {
  private polls = new SampleSet();
  private reports = new SampleSet();
  private statuses: Record<string, number> = {};
  private errors = 0;
  private errorSamples: string[] = [];
  /** Polls per second over the last 5 s (for the live line). */
  readonly pollRate = new RateWindow(5_000);
  /** Total requests since start, never reset. */
  totalRequests = 0;
  totalErrors = 0;
  private readonly samples: boolean;

  /** With `samples: false` only counters are kept (latency windows stay empty). */
  constructor(options: { samples?: boolean } = {}) {
    this.samples = options.samples ?? true;
  }

  record(route: AgentRoute, status: number, ms: number): void {
    this.totalRequests++;
    const key = `${route} ${status}`;
    this.statuses[key] = (this.statuses[key] ?? 0) + 1;
    if (route === 'desired') {
      if (this.samples) this.polls.add(ms);
      this.pollRate.record(Date.now());
    } else if (route === 'status' && this.samples) this.reports.add(ms);
    // 202 (join pending), 304 and other 2xx are the protocol working; 401/403 end an agent.
    if (status >= 500 || status === 429 || (status >= 400 && status !== 401 && status !== 403)) this.fail(`${key}`);
  }

  fail(description: string): void {
    this.errors++;
    this.totalErrors++;
    this.errorSamples.push(description);
    if (this.errorSamples.length > 5) this.errorSamples.shift();
  }

  /** Returns what was recorded since the last call and starts a new window. */
  take(): RecorderWindow {
    const out: RecorderWindow = {
      pollLatencies: this.polls.values(),
      statusLatencies: this.reports.values(),
      statuses: this.statuses,
      errors: this.errors,
      errorSamples: this.errorSamples,
    };
    this.polls.clear();
    this.reports.clear();
    this.statuses = {};
    this.errors = 0;
    this.errorSamples = [];
    return out;
  }
}

/** Options of {@link recordingFetch}. */
export interface RecordingFetchOptions {
  /**
   * Rewrites `pollIntervalSeconds` in join and desired-state answers: `tether sim --poll` against a
   * hub whose interval it cannot change. The agent still runs unmodified; only what it is told changes.
   */
  pollIntervalSeconds?: number;
  /** What to send with; default the global fetch. */
  inner?: FetchLike;
}

/** A fetch for simulated agents that records every request in `recorder`. */
export function recordingFetch(recorder: RequestRecorder, opts: RecordingFetchOptions = {}): FetchLike {
  const inner: FetchLike = opts.inner ?? ((url, init) => fetch(url, init));
  return async (url: string, init: FetchInit): Promise<FetchResponse> => {
    const route = routeOf(url);
    const started = performance.now();
    let res: FetchResponse;
    let text: string;
    try {
      res = await inner(url, init);
      text = await res.text();
    } catch (err) {
      recorder.fail(`${route} ${(err as Error).name}: ${(err as Error).message}`);
      throw err;
    }
    recorder.record(route, res.status, performance.now() - started);
    if (opts.pollIntervalSeconds !== undefined && res.status === 200 && (route === 'desired' || route === 'join')) {
      text = overridePollInterval(text, opts.pollIntervalSeconds);
    }
    const body = text;
    return { status: res.status, headers: res.headers, text: async () => body };
  };
}

function overridePollInterval(text: string, seconds: number): string {
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    if (typeof parsed.pollIntervalSeconds !== 'number') return text;
    return JSON.stringify({ ...parsed, pollIntervalSeconds: seconds });
  } catch {
    return text;
  }
}
