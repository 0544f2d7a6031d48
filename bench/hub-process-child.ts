/**
 * A bench hub in a process of its own (see ./hub-process.ts), so that its CPU time, memory and
 * event loop are measured apart from the simulated agents'. The parent drives it over IPC.
 */
import { subscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { monitorEventLoopDelay, performance, PerformanceObserver, type EventLoopUtilization } from 'node:perf_hooks';
import { startBenchHub, type BenchHub, type BenchHubOptions } from './hub.js';
import type { HubProcessRequest, HubUsage } from './hub-process.js';
import { summariseProfile } from './profile.js';
import { CpuProfiler } from './profiler.js';
import { SampleSet } from '../sim/stats.js';

let bench: BenchHub | undefined;
const profiler = new CpuProfiler();
const serverLatency = new SampleSet();
const startedAt = new WeakMap<IncomingMessage, number>();
let cpuMark = process.cpuUsage();
let mainThreadCpuMark = mainThreadCpuMicros();
let eluMark = performance.eventLoopUtilization();
let dynaliteEluMark: EventLoopUtilization | undefined;
let wallMark = Date.now();
let peakRss = 0;
// Tail latency with an idle CPU comes from pauses: garbage collection, or the loop blocked.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
let gc = { count: 0, totalMs: 0, maxMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.count++;
    gc.totalMs += e.duration;
    gc.maxMs = Math.max(gc.maxMs, e.duration);
  }
}).observe({ entryTypes: ['gc'] });
const rssTimer = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 500);
rssTimer.unref();

// Server-side latency of agent requests, from Node's own HTTP diagnostics channels: no change to
// the gateway, and the time covers parsing, the handler and writing the answer.
// The embedded dynalite and SQS emulator serve HTTP in this process too: only agent API requests count.
subscribe('http.server.request.start', (msg) => {
  const request = (msg as { request: IncomingMessage }).request;
  if (request.url?.startsWith('/agent/')) startedAt.set(request, performance.now());
});
subscribe('http.server.response.finish', (msg) => {
  const start = startedAt.get((msg as { request: IncomingMessage }).request);
  if (start !== undefined) serverLatency.add(performance.now() - start);
});

/**
 * CPU time of this process's main thread (the hub's event loop) alone, from Linux's per-thread
 * counters (clock ticks of 10 ms); undefined elsewhere. process.cpuUsage() counts every thread:
 * the dynalite worker thread, libuv's pool (LevelDB) and V8's helpers too.
 */
function mainThreadCpuMicros(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

function usage(): HubUsage {
  const cpu = process.cpuUsage(cpuMark);
  const elu = performance.eventLoopUtilization(eluMark);
  const rss = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, rss);
  const mainThread = mainThreadCpuMicros();
  const dynaliteElu = bench?.dynalite?.eventLoopUtilization?.(dynaliteEluMark);
  return {
    wallMs: Date.now() - wallMark,
    cpuMicros: cpu.user + cpu.system,
    ...(mainThread !== undefined && mainThreadCpuMark !== undefined ? { mainThreadCpuMicros: mainThread - mainThreadCpuMark } : {}),
    eventLoopUtilization: elu.utilization,
    rssBytes: rss,
    peakRssBytes: peakRss,
    serverLatency: serverLatency.summary(),
    gc: { ...gc },
    loopDelay: { p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6 },
    ...(dynaliteElu ? { dynaliteThread: { eventLoopUtilization: dynaliteElu.utilization, busyMs: dynaliteElu.active } } : {}),
    ops: bench?.ops.snapshot().counts ?? {},
    ...(bench?.ledger ? { writeItems: bench.ledger.snapshot() } : {}),
    queued: bench?.queue.messages ?? 0,
    queuedByType: { ...(bench?.queue.byType ?? {}) },
  };
}

function resetUsage(): void {
  cpuMark = process.cpuUsage();
  mainThreadCpuMark = mainThreadCpuMicros();
  eluMark = performance.eventLoopUtilization();
  dynaliteEluMark = bench?.dynalite?.eventLoopUtilization?.();
  wallMark = Date.now();
  peakRss = process.memoryUsage().rss;
  serverLatency.clear();
  gc = { count: 0, totalMs: 0, maxMs: 0 };
  loopDelay.reset();
  bench?.ops.reset();
  bench?.ledger?.reset();
  bench?.queue.reset();
}

async function handle(msg: HubProcessRequest): Promise<unknown> {
  switch (msg.type) {
    case 'start':
      bench = await startBenchHub(msg.options as BenchHubOptions);
      return { url: bench.url, adminToken: bench.adminToken };
    case 'reset':
      resetUsage();
      return {};
    case 'usage':
      return usage();
    case 'profile-start':
      await profiler.start();
      return {};
    case 'profile-stop':
      return summariseProfile(await profiler.stop());
    case 'tick':
      return bench?.hub.tick();
    case 'settle':
      await bench?.hub.settle(msg.timeoutMs ?? 60_000);
      return {};
    case 'advance':
      bench?.clock.advance(msg.ms ?? 0);
      return {};
    case 'close':
      await bench?.close();
      return {};
  }
}

process.on('message', (raw) => {
  const msg = raw as HubProcessRequest;
  handle(msg).then(
    (result) => process.send?.({ id: msg.id, ok: true, result }),
    (err: Error) => process.send?.({ id: msg.id, ok: false, error: `${err.name}: ${err.message}` }),
  );
});
// A parent that dies must not leave a hub running.
process.on('disconnect', () => {
  void (bench?.close() ?? Promise.resolve()).then(() => process.exit(0));
});
process.send?.({ ready: true });
