import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildAgentBundle, imageNodeFlags, type AgentBundle } from '../agent/build.js';
import { MeasurementError } from './b1-poll-cost.js';
import { startBenchHub } from './hub.js';
import { importForSimulation, MARK_ANNOTATION } from '../sim/sim-agent.js';
import { StubApiServer } from '../test/support/stub-apiserver.js';

/**
 * B5, agent footprint: real agent processes running the esbuild bundle the container image runs
 * (agent/build.ts), against a local hub, each given a Work of 100 resources. Two agents run side by side:
 *
 * - `--simulate`: the in-memory cluster; never loads the Kubernetes client chunk;
 * - `--kubeconfig` against a stub kube-apiserver (test/support/stub-apiserver.ts): the real
 *   client-node adapter, as an agent in a cluster runs it (`--in-cluster` differs only in where the
 *   kubeconfig comes from).
 *
 * Measured from /proc: RSS and CPU while each applies the work, then idle at a 30 s poll (which
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
  /** Node options the agent process runs with; default the image's ({@link imageNodeFlags}). */
  nodeFlags?: string[];
  /** Measure this build instead of building agent/build.ts's bundle (comparisons of build variants). */
  bundle?: AgentBundle;
  log?: (line: string) => void;
}

/** A /proc reading of a process. */
export interface ProcSample {
  cpuMs: number;
  rssBytes: number;
  peakRssBytes: number;
}

/** One agent process's figures. */
export interface AgentPhases {
  /** Right after joining, before the work exists. */
  joined: ProcSample;
  apply: { seconds: number; cpuMs: number; peakRssBytes: number };
  idle: { seconds: number; cpuMs: number; milliCpu: number; rssBytes: number; peakRssBytes: number };
}

/** What B5 measured. The top-level phases are the `--simulate` agent's (the shape of earlier results). */
export interface FootprintResult extends AgentPhases {
  /** All files of the bundle. */
  bundleBytes: number;
  /** The entry file alone (what `--simulate` and `--help` load, with its static chunks). Absent in results before code splitting. */
  entryBytes?: number;
  /** The chunk with the Kubernetes adapter and client-node. Absent in results before code splitting. */
  kubeChunkBytes?: number;
  resources: number;
  pollSeconds: number;
  node: string;
  nodeFlags: string[];
  /** The agent with the real Kubernetes adapter against the stub API server. Absent in older results. */
  kube?: AgentPhases & { apiRequests: number };
}

const CLOCK_TICKS_PER_SECOND = 100;

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
  const out: Record<string, unknown>[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b5', annotations: { [MARK_ANNOTATION]: mark } } },
  ];
  for (let i = 1; i < count; i++) {
    out.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: `cfg-${String(i).padStart(3, '0')}`,
        namespace: 'b5',
        labels: { app: 'b5' },
        annotations: { [MARK_ANNOTATION]: mark },
      },
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

/** A kubeconfig for the stub API server (plain HTTP needs insecure-skip-tls-verify in client-node). */
function stubKubeconfig(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: stub, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]`,
    'users: [{name: agent, user: {token: b5-token}}]',
    'contexts: [{name: stub, context: {cluster: stub, user: agent, namespace: tether-agent}}]',
    'current-context: stub',
    '',
  ].join('\n');
}

interface RunContext {
  bench: Awaited<ReturnType<typeof startBenchHub>>;
  resources: number;
  pollSeconds: number;
  idleSeconds: number;
  log: (line: string) => void;
}

/** One agent process: waits for it to join, publishes the work, waits for Applied, then watches it idle. */
async function measureAgent(ctx: RunContext, name: string, child: ChildProcess, stderr: () => string): Promise<AgentPhases> {
  const { bench, resources, pollSeconds, idleSeconds, log } = ctx;
  const pid = child.pid!;
  const alive = () => {
    if (child.exitCode !== null) throw new MeasurementError(`the agent ${name} exited with ${child.exitCode}: ${stderr()}`);
  };
  const cluster = async () => (await bench.admin('GET', `/v1/clusters/${name}`)).body;
  await until(
    async () => {
      alive();
      return (await cluster())?.status?.conditions?.some(
        (c: { type: string; status: string }) => c.type === 'Joined' && c.status === 'True',
      );
    },
    60_000,
    `the agent ${name} to join`,
  );
  // Let start-up work (module loading, the first reconcile) settle before the baseline.
  await sleep(3_000);
  const joined = procSample(pid);
  log(`  B5 ${name}: joined; RSS ${(joined.rssBytes / 2 ** 20).toFixed(1)} MiB`);

  const created = await bench.admin('POST', `/v1/clusters/${name}/works`, {
    apiVersion: 'tether.dev/v1alpha1',
    kind: 'Work',
    metadata: { name: 'b5' },
    spec: { workload: { manifests: configMaps(resources, 'v1') } },
  });
  if (created.status !== 201) throw new MeasurementError(`creating the work of ${name} answered ${created.status}: ${created.text}`);
  const beforeApply = procSample(pid);
  const published = Date.now();
  let appliedAt = 0;
  let peakDuringApply = beforeApply.rssBytes;
  const applied = async () => {
    alive();
    peakDuringApply = Math.max(peakDuringApply, procSample(pid).rssBytes);
    const work = (await bench.admin('GET', `/v1/clusters/${name}/works/b5`)).body;
    const ok = work?.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Applied' && c.status === 'True');
    if (ok) appliedAt = Date.now();
    return Boolean(ok);
  };
  await until(applied, (pollSeconds * 1.2 + 30) * 1000, `the agent ${name} to apply ${resources} resources`);
  const afterApply = procSample(pid);
  // The CPU between publish and the report includes the wait for the next poll, which is idle time.
  const apply = {
    seconds: (appliedAt - published) / 1000,
    cpuMs: afterApply.cpuMs - beforeApply.cpuMs,
    peakRssBytes: Math.max(peakDuringApply, afterApply.rssBytes),
  };
  log(
    `  B5 ${name}: applied ${resources} resources; CPU ${apply.cpuMs} ms, RSS ${(afterApply.rssBytes / 2 ** 20).toFixed(1)} MiB; idle for ${idleSeconds} s`,
  );

  const idleStart = procSample(pid);
  let peakIdle = idleStart.rssBytes;
  const idleEnd = Date.now() + idleSeconds * 1000;
  while (Date.now() < idleEnd) {
    await sleep(Math.min(1000, idleEnd - Date.now()));
    alive();
    peakIdle = Math.max(peakIdle, procSample(pid).rssBytes);
  }
  const idleStop = procSample(pid);
  const cpuMs = idleStop.cpuMs - idleStart.cpuMs;
  return {
    joined,
    apply,
    idle: {
      seconds: idleSeconds,
      cpuMs,
      milliCpu: cpuMs / idleSeconds,
      rssBytes: idleStop.rssBytes,
      peakRssBytes: Math.max(peakIdle, idleStop.rssBytes),
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5_000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** Runs B5: the simulated and the Kubernetes-adapter agent side by side. */
export async function measureAgentFootprint(opts: FootprintOptions = {}): Promise<FootprintResult> {
  const resources = opts.resources ?? 100;
  const pollSeconds = opts.pollSeconds ?? 30;
  const idleSeconds = opts.idleSeconds ?? 120;
  const log = opts.log ?? (() => undefined);
  const nodeFlags = opts.nodeFlags ?? imageNodeFlags();
  const dir = mkdtempSync(join(tmpdir(), 'tether-b5-'));
  const bench = await startBenchHub({ config: { pollIntervalSeconds: pollSeconds } });
  const stub = new StubApiServer();
  const children: ChildProcess[] = [];
  try {
    const bundle = opts.bundle ?? (await buildAgentBundle({ outdir: join(dir, 'app') }));
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    writeFileSync(kubeconfig, stubKubeconfig(await stub.start()));
    const spawnAgent = async (name: string, modeArgs: string[]) => {
      const imported = await importForSimulation(bench.admin, name);
      const child = spawn(
        process.execPath,
        [
          ...nodeFlags,
          bundle.entry,
          'agent',
          ...modeArgs,
          '--hub',
          imported.hubUrl,
          '--name',
          imported.name,
          '--bootstrap-token',
          imported.bootstrapToken,
          '--health-addr',
          '127.0.0.1:0',
          '--log-level',
          'warn',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '' } },
      );
      children.push(child);
      let stderr = '';
      child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
      return { name, child, stderr: () => stderr };
    };
    const simulated = await spawnAgent('b5-agent', ['--simulate']);
    const kube = await spawnAgent('b5-kube', ['--kubeconfig', kubeconfig]);
    const ctx: RunContext = { bench, resources, pollSeconds, idleSeconds, log };
    const [sim, real] = await Promise.all([simulated, kube].map((a) => measureAgent(ctx, a.name, a.child, a.stderr)));
    const applied = [...stub.objects.keys()].filter((path) => path.includes('/namespaces/b5/configmaps/')).length;
    if (applied !== resources - 1)
      throw new MeasurementError(`the stub API server holds ${applied} of the work's ${resources - 1} ConfigMaps`);
    return {
      bundleBytes: bundle.bytes,
      entryBytes: bundle.entryBytes,
      kubeChunkBytes: bundle.kubeChunk.bytes,
      resources,
      pollSeconds,
      node: process.version,
      nodeFlags,
      ...sim,
      kube: { ...real, apiRequests: stub.requests.length },
    };
  } finally {
    await Promise.all(children.map(stopChild));
    await stub.stop();
    await bench.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
