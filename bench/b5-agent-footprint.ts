import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildAgentBundle } from '../agent/build.js';
import { MeasurementError } from './b1-poll-cost.js';
import { startBenchHub } from './hub.js';
import { importForSimulation, MARK_ANNOTATION } from './sim-agent.js';

/**
 * B5, agent footprint: one real agent process, the esbuild bundle the container image runs
 * (agent/build.ts), in `--simulate` mode against a local hub, with a Work of 100 resources.
 * Measured from /proc: RSS and CPU while it applies the work, then idle at a 30 s poll (which
 * re-reconciles the 100 resources on every poll, as the agent does by default), and the bundle size.
 * Goals: RSS at most 64 MiB, idle CPU at most 2 mCPU, bundle at most 5 MB.
 */

/** Options of {@link measureAgentFootprint}. */
export interface FootprintOptions {
  /** Resources in the work. Default 100. */
  resources?: number;
  /** Length of the idle window, seconds. Default 120. */
  idleSeconds?: number;
  pollSeconds?: number;
  /** Node options the agent process runs with; default what agent/Dockerfile's ENTRYPOINT passes. */
  nodeFlags?: string[];
  log?: (line: string) => void;
}

/** A /proc reading of a process. */
export interface ProcSample {
  cpuMs: number;
  rssBytes: number;
  peakRssBytes: number;
}

/** What B5 measured. */
export interface FootprintResult {
  bundleBytes: number;
  resources: number;
  pollSeconds: number;
  node: string;
  nodeFlags: string[];
  /** Right after joining, before the work exists. */
  joined: ProcSample;
  apply: { seconds: number; cpuMs: number; peakRssBytes: number };
  idle: { seconds: number; cpuMs: number; milliCpu: number; rssBytes: number; peakRssBytes: number };
}

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * The Node options the agent image passes before the bundle: the ENTRYPOINT of agent/Dockerfile
 * (`["/nodejs/bin/node", <options...>, "/app/tether-agent.mjs"]`), so B5 measures what a cluster runs.
 */
export function imageNodeFlags(root = process.cwd()): string[] {
  let text: string;
  try {
    text = readFileSync(join(root, 'agent', 'Dockerfile'), 'utf8');
  } catch {
    return [];
  }
  const line = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(text)?.[1];
  if (!line) return [];
  const parts = JSON.parse(line) as string[];
  const bundle = parts.findIndex((p) => p.endsWith('.mjs'));
  return bundle > 1 ? parts.slice(1, bundle) : [];
}

/** CPU time (user + system) and memory of a process, from /proc (Linux). */
export function procSample(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_SECOND, rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
}

function configMaps(count: number, mark: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b5', annotations: { [MARK_ANNOTATION]: mark } } }];
  for (let i = 1; i < count; i++) {
    out.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `cfg-${String(i).padStart(3, '0')}`, namespace: 'b5', labels: { app: 'b5' }, annotations: { [MARK_ANNOTATION]: mark } },
      data: { index: String(i), payload: 'x'.repeat(200) },
    });
  }
  return out;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new MeasurementError(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Runs B5. */
export async function measureAgentFootprint(opts: FootprintOptions = {}): Promise<FootprintResult> {
  const resources = opts.resources ?? 100;
  const pollSeconds = opts.pollSeconds ?? 30;
  const log = opts.log ?? (() => undefined);
  const nodeFlags = opts.nodeFlags ?? imageNodeFlags();
  const dir = mkdtempSync(join(tmpdir(), 'tether-b5-'));
  const bench = await startBenchHub({ config: { pollIntervalSeconds: pollSeconds } });
  let child: ChildProcess | undefined;
  try {
    const bundle = await buildAgentBundle({ outdir: join(dir, 'app') });
    const imported = await importForSimulation(bench.admin, 'b5-agent');
    child = spawn(
      process.execPath,
      [...nodeFlags, bundle.entry, 'agent', '--simulate', '--hub', imported.hubUrl, '--name', imported.name, '--bootstrap-token', imported.bootstrapToken, '--health-addr', '127.0.0.1:0', '--log-level', 'warn'],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '' } },
    );
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
    const pid = child.pid!;
    const cluster = async () => (await bench.admin('GET', '/v1/clusters/b5-agent')).body;
    await until(async () => (await cluster())?.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Joined' && c.status === 'True'), 60_000, 'the agent to join');
    // Let start-up work (module loading, the first reconcile) settle before the baseline.
    await sleep(3_000);
    const joined = procSample(pid);
    log(`  B5: joined; RSS ${(joined.rssBytes / 2 ** 20).toFixed(1)} MiB`);

    const created = await bench.admin('POST', '/v1/clusters/b5-agent/works', {
      apiVersion: 'tether.dev/v1alpha1',
      kind: 'Work',
      metadata: { name: 'b5' },
      spec: { workload: { manifests: configMaps(resources, 'v1') } },
    });
    if (created.status !== 201) throw new MeasurementError(`creating the work answered ${created.status}: ${created.text}`);
    const beforeApply = procSample(pid);
    const published = Date.now();
    let appliedAt = 0;
    let peakDuringApply = beforeApply.rssBytes;
    const applied = async () => {
      peakDuringApply = Math.max(peakDuringApply, procSample(pid).rssBytes);
      const work = (await bench.admin('GET', '/v1/clusters/b5-agent/works/b5')).body;
      const ok = work?.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Applied' && c.status === 'True');
      if (ok) appliedAt = Date.now();
      return Boolean(ok);
    };
    await until(applied, (pollSeconds * 1.2 + 30) * 1000, `the agent to apply ${resources} resources`);
    const afterApply = procSample(pid);
    // The CPU between publish and the report includes the wait for the next poll, which is idle time.
    const apply = { seconds: (appliedAt - published) / 1000, cpuMs: afterApply.cpuMs - beforeApply.cpuMs, peakRssBytes: Math.max(peakDuringApply, afterApply.rssBytes) };
    log(`  B5: applied ${resources} resources; CPU ${apply.cpuMs} ms, RSS ${(afterApply.rssBytes / 2 ** 20).toFixed(1)} MiB; idle for ${opts.idleSeconds ?? 120} s`);

    const idleStart = procSample(pid);
    const idleSeconds = opts.idleSeconds ?? 120;
    let peakIdle = idleStart.rssBytes;
    const idleEnd = Date.now() + idleSeconds * 1000;
    while (Date.now() < idleEnd) {
      await sleep(Math.min(1000, idleEnd - Date.now()));
      peakIdle = Math.max(peakIdle, procSample(pid).rssBytes);
    }
    const idleStop = procSample(pid);
    if (child.exitCode !== null) throw new MeasurementError(`the agent exited with ${child.exitCode}: ${stderr}`);
    const cpuMs = idleStop.cpuMs - idleStart.cpuMs;
    return {
      bundleBytes: bundle.bytes,
      resources,
      pollSeconds,
      node: process.version,
      nodeFlags,
      joined,
      apply,
      idle: { seconds: idleSeconds, cpuMs, milliCpu: cpuMs / idleSeconds, rssBytes: idleStop.rssBytes, peakRssBytes: Math.max(peakIdle, idleStop.rssBytes) },
    };
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await bench.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
