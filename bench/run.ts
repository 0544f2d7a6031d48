/**
 * `npm run bench` (for now `npx tsx bench/run.ts [--size small|large] [--only B1,B3] ...`): runs
 * the benchmarks against the local hub, saves each result in bench/results/<id>.json (B1 also
 * writes bench/measured-counts.json for the cost model), and regenerates docs/benchmarks.md from
 * every saved result. `--report-only` regenerates the report without running anything.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { BENCH_IDS, commandFor, defaultSettings, runBenchmark, type BenchId, type Settings } from './benchmarks.js';
import { MEASURED_COUNTS_FILE, readMeasuredCounts, readPrices } from './counts.js';
import { runEnvironment } from './machine.js';
import { renderReport, type SavedResult } from './report.js';

const RESULTS_DIR = join('bench', 'results');
const FINDINGS_FILE = join('bench', 'findings.md');

const USAGE = `usage: npx tsx bench/run.ts [--size small|large] [--only B1,B3] [--out docs/benchmarks.md]
  [--b2-clusters N] [--b3-agents N] [--b3-seconds S] [--b4-clusters N] [--b5-idle-seconds S]
  [--label NAME] [--b6-trials N] [--b7-clusters N] [--b8-clusters N] [--b12-clusters N] [--b10-agents N] [--b10-seconds S] [--b5-node-flags "--max-semi-space-size=1"] [--workers W] [--no-profile] [--max-load L] [--report-only]`;

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new Error(`--${name} must be a whole number of at least 1, got "${value}"`);
  return Number(value);
}

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: 'small' },
    only: { type: 'string' },
    out: { type: 'string', default: join('docs', 'benchmarks.md') },
    'b2-clusters': { type: 'string' },
    'b3-agents': { type: 'string' },
    'b3-seconds': { type: 'string' },
    'b4-clusters': { type: 'string' },
    'b5-idle-seconds': { type: 'string' },
    'b6-trials': { type: 'string' },
    'b7-clusters': { type: 'string' },
    'b8-clusters': { type: 'string' },
    'b12-clusters': { type: 'string' },
    'b10-agents': { type: 'string' },
    'b10-seconds': { type: 'string' },
    'b5-node-flags': { type: 'string' },
    workers: { type: 'string' },
    'no-profile': { type: 'boolean', default: false },
    'max-load': { type: 'string', default: '1.5' },
    'report-only': { type: 'boolean', default: false },
    label: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (values.size !== 'small' && values.size !== 'large') throw new Error(`--size must be small or large\n${USAGE}`);
const ids = (values.only ?? BENCH_IDS.join(',')).split(',').map((x) => x.trim().toUpperCase()) as BenchId[];
for (const id of ids) if (!BENCH_IDS.includes(id)) throw new Error(`unknown benchmark "${id}"; choose from ${BENCH_IDS.join(', ')}`);

const base = defaultSettings(values.size);
const workers = values.workers === undefined ? undefined : /^\d+$/.test(values.workers) ? Number(values.workers) : Number.NaN;
if (Number.isNaN(workers)) throw new Error('--workers must be a whole number');
const settings: Settings = {
  ...base,
  b2Clusters: positive('b2-clusters', values['b2-clusters']) ?? base.b2Clusters,
  b3Agents: positive('b3-agents', values['b3-agents']) ?? base.b3Agents,
  b3Seconds: positive('b3-seconds', values['b3-seconds']) ?? base.b3Seconds,
  b4Clusters: positive('b4-clusters', values['b4-clusters']) ?? base.b4Clusters,
  b5IdleSeconds: positive('b5-idle-seconds', values['b5-idle-seconds']) ?? base.b5IdleSeconds,
  b6Trials: positive('b6-trials', values['b6-trials']) ?? base.b6Trials,
  b7Clusters: positive('b7-clusters', values['b7-clusters']) ?? base.b7Clusters,
  b8Clusters: positive('b8-clusters', values['b8-clusters']) ?? base.b8Clusters,
  b12Clusters: positive('b12-clusters', values['b12-clusters']) ?? base.b12Clusters,
  b10Agents: positive('b10-agents', values['b10-agents']) ?? base.b10Agents,
  b10FloodSeconds: positive('b10-seconds', values['b10-seconds']) ?? base.b10FloodSeconds,
  b5NodeFlags: values['b5-node-flags']?.split(/\s+/).filter(Boolean) ?? base.b5NodeFlags,
  workers,
  profile: !values['no-profile'],
};
const maxLoad = Number(values['max-load']);
// A label keeps a run next to the default one (e.g. B3 at the largest fleet that meets its goal).
const label = values.label;
if (label !== undefined && !/^[a-z0-9][a-z0-9-]{0,30}$/.test(label)) throw new Error('--label must be lowercase letters, digits and "-"');
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Timings are worthless while other work loads the machine: wait (up to 10 min) for it to calm down. */
async function waitForQuiet(id: BenchId): Promise<void> {
  if (id === 'B1' || id === 'B6') return;
  const deadline = Date.now() + 600_000;
  while (loadavg()[0] > maxLoad && Date.now() < deadline) {
    log(`  ${id}: load average ${loadavg()[0].toFixed(2)} > ${maxLoad}; waiting for the machine to calm down`);
    await sleep(15_000);
  }
}

mkdirSync(RESULTS_DIR, { recursive: true });
if (!values['report-only']) {
  for (const id of ids) {
    await waitForQuiet(id);
    const environment = runEnvironment();
    log(`${id}: running (${commandFor(id, settings)})`);
    const started = Date.now();
    const result = await runBenchmark(id, settings, log, environment.commit);
    const saved: SavedResult = {
      id,
      ...(label ? { label } : {}),
      command: `${commandFor(id, settings)}${label ? ` --label ${label}` : ''}`,
      settings,
      environment,
      loadAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
      wallSeconds: (Date.now() - started) / 1000,
      result,
    };
    writeFileSync(join(RESULTS_DIR, `${id}${label ? `-${label}` : ''}.json`), `${JSON.stringify(saved, null, 1)}\n`);
    log(`${id}: done in ${saved.wallSeconds.toFixed(0)} s`);
  }
}

const saved = readdirSync(RESULTS_DIR)
  .filter((f) => /^B\d+(-[a-z0-9-]+)?\.json$/.test(f))
  .map((f) => JSON.parse(readFileSync(join(RESULTS_DIR, f), 'utf8')) as SavedResult);
const counts = existsSync(MEASURED_COUNTS_FILE) ? readMeasuredCounts() : undefined;
const findings = existsSync(FINDINGS_FILE) ? readFileSync(FINDINGS_FILE, 'utf8') : '';
writeFileSync(values.out, renderReport(saved, counts, readPrices(), findings));
log(`wrote ${values.out}`);
// Child processes and sockets are closed; a stray timer in a dependency must not keep the run alive.
process.exit(0);
