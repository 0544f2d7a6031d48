import cliProgress from 'cli-progress';
import { Fleet, type FleetReport } from './fleet.js';
import { adminCaller } from './admin.js';
import { percentileOfSorted } from './stats.js';

/**
 * What `tether sim` runs once it has a hub: a progress bar while the fleet is imported and joins,
 * then a live line (polls/s, errors, p50/p99 latency over the last 10 s) until Ctrl-C or the
 * requested duration, then a summary.
 */

/** Where the simulator writes (the CLI's IO, or the process). */
export interface SimIO {
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
}

/** Options of {@link runSimulation}. */
export interface SimulationOptions {
  hubUrl: string;
  /** Admin token, for the bulk import. */
  token: string;
  clusters: number;
  prefix: string;
  workers: number;
  joinConcurrency: number;
  pollIntervalSeconds?: number;
  /** Agent starts are spread over this many seconds (the poll interval). */
  spreadSeconds: number;
  /** Stop after this long; default until SIGINT/SIGTERM or `signal`. */
  durationSeconds?: number;
  signal?: AbortSignal;
  io: SimIO;
}

/** What a simulation did, over its whole run. */
export interface SimulationSummary {
  agents: number;
  joined: number;
  joinFailed: number;
  polls: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  runSeconds: number;
}

/** Shows import and join progress: a bar on a terminal, a line per 10% otherwise. */
function progress(io: SimIO, total: number) {
  if (io.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: '{phase} |{bar}| {value}/{total} {extra}', hideCursor: true, clearOnComplete: false, etaBuffer: 200 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { phase: 'importing', extra: '' });
    return {
      update: (phase: string, value: number, extra = '') => bar.update(value, { phase: phase.padEnd(9), extra }),
      stop: () => bar.stop(),
    };
  }
  let shown = '';
  return {
    update: (phase: string, value: number, extra = '') => {
      const step = `${phase} ${Math.floor((value / total) * 10)}`;
      if (step === shown) return;
      shown = step;
      io.err(`${phase} ${value}/${total}${extra ? ` ${extra}` : ''}\n`);
    },
    stop: () => undefined,
  };
}

function sortedLatencies(windows: Float64Array[]): Float64Array {
  const all = new Float64Array(windows.reduce((n, w) => n + w.length, 0));
  let at = 0;
  for (const w of windows) {
    all.set(w, at);
    at += w.length;
  }
  return all.sort();
}

const ms = (v: number) => (Number.isNaN(v) ? '-' : `${v.toFixed(1)} ms`);

/** Runs a simulated fleet against `hubUrl` until stopped; resolves with the run's summary. */
export async function runSimulation(opts: SimulationOptions): Promise<SimulationSummary> {
  const { io } = opts;
  const bar = progress(io, opts.clusters);
  const started = Date.now();
  let fleet: Fleet;
  try {
    fleet = await Fleet.start({
      admin: adminCaller(opts.hubUrl, opts.token),
      clusters: opts.clusters,
      prefix: opts.prefix,
      workers: opts.workers,
      importConcurrency: opts.joinConcurrency,
      joinConcurrency: opts.joinConcurrency,
      pollIntervalSeconds: opts.pollIntervalSeconds,
      spreadMs: opts.spreadSeconds * 1000,
      onImported: (done) => bar.update('importing', done),
      onJoined: (joined, failed) => bar.update('joining', joined + failed, failed ? `(${failed} failed)` : ''),
    });
  } finally {
    bar.stop();
  }
  let joinReport: FleetReport;
  try {
    joinReport = await fleet.report();
    await fleet.run();
  } catch (err) {
    await fleet.stop();
    throw err;
  }
  io.out(
    `${joinReport.joined}/${opts.clusters} agents joined in ${((Date.now() - started) / 1000).toFixed(1)} s` +
      `${joinReport.joinFailed ? `, ${joinReport.joinFailed} failed` : ''}${opts.workers ? ` (${opts.workers} worker processes)` : ''}\n`,
  );
  const runStarted = Date.now();
  const windows: Float64Array[] = [];
  const all: Float64Array[] = [];
  let polls = 0;
  let errors = 0;
  let last: FleetReport = joinReport;
  let lastAt = Date.now();
  let linePrinted = 0;
  let death: Error | undefined;
  await new Promise<void>((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearInterval(ticker);
      if (stopTimer) clearTimeout(stopTimer);
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      opts.signal?.removeEventListener('abort', finish);
      resolve();
    };
    // A shard process that dies ends the run at once: its agents are gone and its reports would never come.
    void fleet.died().then((err) => {
      death = err;
      finish();
    });
    const ticker = setInterval(() => {
      // A failing report means a shard died; fleet.died() ends the run with the reason.
      void fleet
        .report()
        .catch(() => undefined)
        .then((r) => {
          if (!r) return;
          if (done) return;
          const now = Date.now();
          const rate = r.pollLatencies.length / ((now - lastAt) / 1000);
          lastAt = now;
          last = r;
          windows.push(r.pollLatencies);
          all.push(r.pollLatencies);
          if (windows.length > 10) windows.shift();
          polls += r.pollLatencies.length;
          errors += r.errors;
          const sorted = sortedLatencies(windows);
          const line =
            `polls/s ${rate.toFixed(1).padStart(7)}  errors ${String(errors).padStart(5)}  p50 ${ms(percentileOfSorted(sorted, 50)).padStart(9)}  p99 ${ms(percentileOfSorted(sorted, 99)).padStart(9)}` +
            `  agents ${r.joined - r.exited}/${opts.clusters}${r.errorSamples.length ? `  last error: ${r.errorSamples[r.errorSamples.length - 1]}` : ''}`;
          if (io.isTTY) io.err(`\r\x1b[2K${line}`);
          else if (now - linePrinted >= 10_000) {
            linePrinted = now;
            io.err(`${line}\n`);
          }
        });
    }, 1000);
    const stopTimer = opts.durationSeconds ? setTimeout(finish, opts.durationSeconds * 1000) : undefined;
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    if (opts.signal?.aborted) finish();
    else opts.signal?.addEventListener('abort', finish, { once: true });
  });
  if (io.isTTY) io.err('\n');
  if (death) {
    io.err('A worker process died; stopping the other agents...\n');
    await fleet.stop();
    throw death;
  }
  io.err('Stopping the agents...\n');
  const tail = await fleet.report();
  all.push(tail.pollLatencies);
  polls += tail.pollLatencies.length;
  errors += tail.errors;
  await fleet.stop();
  const sorted = sortedLatencies(all);
  const summary: SimulationSummary = {
    agents: opts.clusters,
    joined: last.joined,
    joinFailed: last.joinFailed,
    polls,
    errors,
    p50Ms: percentileOfSorted(sorted, 50),
    p99Ms: percentileOfSorted(sorted, 99),
    runSeconds: (Date.now() - runStarted) / 1000,
  };
  io.out(
    `Simulated ${summary.joined} agents for ${summary.runSeconds.toFixed(0)} s: ${summary.polls} polls (${(summary.polls / Math.max(1, summary.runSeconds)).toFixed(1)}/s), ` +
      `${summary.errors} errors, latency p50 ${ms(summary.p50Ms)}, p99 ${ms(summary.p99Ms)}\n`,
  );
  return summary;
}
