import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { Governor } from '../agent/governance/governor.js';
import type { ClusterApi } from '../agent/kube/cluster-api.js';
import { MemoryCluster } from '../agent/kube/memory-cluster.js';
import { silentLog } from '../agent/log.js';
import { canonicalHash } from '../shared/hash.js';
import type { DesiredPolicy } from '../shared/protocol/v1.js';
import { DEFAULT_EVALUATION_INTERVAL } from '../shared/resources/policy.js';
import { parseDuration } from '../shared/duration.js';
import { tsxLoaderUrl } from '../sim/child-process.js';

const run = promisify(execFile);

/**
 * B9, agent governance footprint, in B5's terms (average mCPU, RSS): the agent's governor
 * evaluating 30 policies of 10 objects each (ConfigMaps, musthave, inform; the objects exist, so
 * every policy is Compliant) at the default evaluation interval (10 minutes while compliant), with
 * a pass every 30 s poll as the agent runs it. Two back ends, each measured in a fresh process:
 *
 * - `memory`: the in-memory cluster (`--simulate`);
 * - `kube`: the real client-node adapter against the stub kube-apiserver
 *   (test/support/stub-apiserver.ts), in the same process, so its CPU counts too: an upper bound
 *   of what the agent spends.
 *
 * Time is simulated (the governor reads an injected clock): the script measures the CPU that
 * {@link ROUNDS} 10-minute rounds cost and divides it by the simulated time; RSS is the growth of
 * the process's resident set from before the policies arrived to after the rounds, after a forced
 * GC (the child runs with --expose-gc).
 *
 * Run: `npx tsx bench/run.ts --only B9`, or one back end:
 * `node --expose-gc --import tsx bench/b9-governance-agent.ts --backend memory|kube [--json]`.
 * Goals: ≤ 2 mCPU, ≤ 10 MiB.
 */

const POLICIES = 30;
const OBJECTS = 10;
const POLL_MS = 30_000;
const ROUNDS = 6;

function policies(): DesiredPolicy[] {
  const interval = {
    compliant: parseDuration(DEFAULT_EVALUATION_INTERVAL.compliant)! / 1000,
    noncompliant: parseDuration(DEFAULT_EVALUATION_INTERVAL.noncompliant)! / 1000,
  };
  return Array.from({ length: POLICIES }, (_, p) => {
    const body = {
      remediationAction: 'inform' as const,
      disabled: false,
      dependencies: [],
      templates: [
        {
          name: `t${p}`,
          objectTemplates: Array.from({ length: OBJECTS }, (_, o) => ({
            complianceType: 'musthave' as const,
            recordDiff: 'InStatus' as const,
            objectDefinition: {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name: `p${p}-o${o}`, namespace: 'default', labels: { policy: `p${p}` } },
              data: { level: 'full', owner: 'platform' },
            },
          })),
          evaluationInterval: interval,
          pruneObjectBehavior: 'None' as const,
        },
      ],
    };
    return { name: `policy-${p}`, uid: `uid-${p}`, generation: 1, hash: canonicalHash(body), ...body };
  });
}

async function seed(api: ClusterApi, list: DesiredPolicy[]): Promise<void> {
  for (const p of list) {
    for (const o of p.templates[0].objectTemplates) {
      await api.apply(o.objectDefinition as never, { fieldManager: 'seed', force: true });
    }
  }
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Which cluster back end the governor reads through. */
export type GovernanceBackend = 'memory' | 'kube';

/** One back end's figures. */
export interface GovernanceFootprint {
  backend: GovernanceBackend;
  policies: number;
  objectsPerPolicy: number;
  /** The default compliant evaluation interval, seconds. */
  intervalSeconds: number;
  pollSeconds: number;
  rounds: number;
  /** CPU time of the rounds (user + system), ms. */
  cpuMs: number;
  /** `cpuMs` over the simulated time: average mCPU. */
  milliCpu: number;
  /** A pass with nothing due, per poll interval. */
  idlePassMilliCpu: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  rssGrowthBytes: number;
  /** Templates evaluated per interval (expected: one per policy). */
  evaluatedPerRound: number;
  /** Whether the RSS was read after a forced GC. */
  gcExposed: boolean;
}

/** What B9 measured: both back ends. */
export interface GovernanceAgentResult {
  node: string;
  results: GovernanceFootprint[];
}

async function measure(backend: GovernanceBackend, api: ClusterApi): Promise<GovernanceFootprint> {
  const list = policies();
  await seed(api, list);
  gc();
  const rssBefore = process.memoryUsage().rss;
  let t = Date.parse('2026-11-02T10:00:00Z');
  const governor = new Governor({ api, namespace: 'tether-agent', log: silentLog(), now: () => t, random: () => 0.5 });
  await governor.run(list); // first evaluation of everything
  // Rounds of one interval: a pass per poll; every template comes due once per round.
  const intervalMs = parseDuration(DEFAULT_EVALUATION_INTERVAL.compliant)!;
  const polls = Math.ceil(intervalMs / POLL_MS);
  let evaluated = 0;
  let idleCpu = 0;
  let idlePasses = 0;
  const start = process.cpuUsage();
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < polls; i++) {
      t += POLL_MS;
      const before = process.cpuUsage();
      const pass = await governor.run(list);
      const spent = process.cpuUsage(before);
      evaluated += pass.evaluated;
      if (pass.evaluated === 0) {
        idleCpu += spent.user + spent.system;
        idlePasses++;
      }
      governor.pending(t);
    }
  }
  const used = process.cpuUsage(start);
  gc();
  const rssAfter = process.memoryUsage().rss;
  const cpuMs = (used.user + used.system) / 1000;
  const simulatedMs = ROUNDS * polls * POLL_MS;
  return {
    backend,
    policies: POLICIES,
    objectsPerPolicy: OBJECTS,
    intervalSeconds: intervalMs / 1000,
    pollSeconds: POLL_MS / 1000,
    rounds: ROUNDS,
    cpuMs,
    milliCpu: (cpuMs / simulatedMs) * 1000,
    idlePassMilliCpu: idlePasses ? (idleCpu / 1000 / idlePasses / POLL_MS) * 1000 : 0,
    rssBeforeBytes: rssBefore,
    rssAfterBytes: rssAfter,
    rssGrowthBytes: rssAfter - rssBefore,
    evaluatedPerRound: evaluated / ROUNDS,
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
  };
}

async function measureIn(backend: GovernanceBackend): Promise<GovernanceFootprint> {
  if (backend === 'memory') return measure(backend, new MemoryCluster({ simulateControllers: false }));
  const [{ KubeConfig }, { KubeClientAdapter }, { StubApiServer }] = await Promise.all([
    import('@kubernetes/client-node'),
    import('../agent/kube/node-adapter.js'),
    import('../test/support/stub-apiserver.js'),
  ]);
  const stub = new StubApiServer();
  const url = await stub.start();
  try {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'stub', server: url, skipTLSVerify: true }],
      users: [{ name: 'agent', token: 't' }],
      contexts: [{ name: 'stub', cluster: 'stub', user: 'agent' }],
      currentContext: 'stub',
    });
    return await measure(backend, new KubeClientAdapter(kc, { env: {} }));
  } finally {
    await stub.stop();
  }
}

/** Runs B9: each back end in a fresh Node process with --expose-gc (this file as a script). */
export async function measureGovernanceAgent(log: (line: string) => void = () => undefined): Promise<GovernanceAgentResult> {
  const results: GovernanceFootprint[] = [];
  for (const backend of ['memory', 'kube'] as const) {
    log(`  B9: ${backend} back end`);
    const { stdout } = await run(
      process.execPath,
      ['--expose-gc', '--import', tsxLoaderUrl(), fileURLToPath(import.meta.url), '--backend', backend, '--json'],
      {
        env: { ...process.env, TSX_TSCONFIG_PATH: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) },
        maxBuffer: 1 << 20,
      },
    );
    results.push(JSON.parse(stdout.trim().split('\n').pop() as string) as GovernanceFootprint);
  }
  return { node: process.version, results };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { backend: { type: 'string', default: 'memory' }, json: { type: 'boolean', default: false } } });
  if (values.backend !== 'memory' && values.backend !== 'kube') throw new Error('--backend must be memory or kube');
  const r = await measureIn(values.backend);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  console.log(
    `${r.backend}: ${r.policies} policies × ${r.objectsPerPolicy} objects, interval ${r.intervalSeconds} s, a pass every ${r.pollSeconds} s: ${r.milliCpu.toFixed(3)} mCPU average (idle pass ${r.idlePassMilliCpu.toFixed(4)} mCPU), RSS growth ${(r.rssGrowthBytes / 2 ** 20).toFixed(1)} MiB${r.gcExposed ? '' : ' (no --expose-gc)'}, ${r.evaluatedPerRound} templates per interval`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
