import { KubeConfig } from '@kubernetes/client-node';
import { Governor } from '../agent/governance/governor.js';
import type { ClusterApi } from '../agent/kube/cluster-api.js';
import { MemoryCluster } from '../agent/kube/memory-cluster.js';
import { KubeClientAdapter } from '../agent/kube/node-adapter.js';
import { silentLog } from '../agent/log.js';
import { canonicalHash } from '../shared/hash.js';
import type { DesiredPolicy } from '../shared/protocol/v1.js';
import { DEFAULT_EVALUATION_INTERVAL } from '../shared/resources/policy.js';
import { parseDuration } from '../shared/duration.js';
import { StubApiServer } from '../test/support/stub-apiserver.js';

/**
 * Agent governance cost, in B5's terms (average mCPU, RSS): the agent's governor evaluating 30
 * policies of 10 objects each (ConfigMaps, musthave, inform) at the default evaluation interval
 * (10 minutes while compliant), with a pass every 30 s poll as the agent runs it. Two back ends:
 *
 * - the in-memory cluster (`--simulate`);
 * - the real client-node adapter against the stub kube-apiserver (test/support/stub-apiserver.ts),
 *   in this process, so its CPU counts too: an upper bound of what the agent spends.
 *
 * Time is simulated (the governor reads an injected clock), so the script measures the CPU each
 * 10-minute round costs and divides by the interval; RSS is the growth of this process's resident
 * set after the policies arrived and were evaluated several times, with a forced GC when exposed.
 *
 * Run: `npx tsx --expose-gc bench/b7-governance-agent.ts` (goals: ≤ 2 mCPU, ≤ 10 MiB).
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

async function measure(
  label: string,
  api: ClusterApi,
): Promise<{ label: string; mcpu: number; idleMcpu: number; rssMiB: number; evaluatedPerRound: number }> {
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
    label,
    mcpu: (cpuMs / simulatedMs) * 1000,
    idleMcpu: idlePasses ? (idleCpu / 1000 / idlePasses / POLL_MS) * 1000 : 0,
    rssMiB: (rssAfter - rssBefore) / 2 ** 20,
    evaluatedPerRound: evaluated / ROUNDS,
  };
}

async function main(): Promise<void> {
  const results = [];
  results.push(await measure('in-memory cluster', new MemoryCluster({ simulateControllers: false })));
  const stub = new StubApiServer();
  const url = await stub.start();
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'stub', server: url, skipTLSVerify: true }],
    users: [{ name: 'agent', token: 't' }],
    contexts: [{ name: 'stub', cluster: 'stub', user: 'agent' }],
    currentContext: 'stub',
  });
  results.push(await measure('client-node adapter + stub API server (same process)', new KubeClientAdapter(kc, { env: {} })));
  await stub.stop();
  console.log(
    `${POLICIES} policies × ${OBJECTS} objects, default interval ${DEFAULT_EVALUATION_INTERVAL.compliant}, a pass every ${POLL_MS / 1000} s`,
  );
  for (const r of results) {
    console.log(
      `${r.label}: ${r.mcpu.toFixed(3)} mCPU average (idle pass ${r.idleMcpu.toFixed(4)} mCPU), RSS delta ${r.rssMiB.toFixed(1)} MiB, ${r.evaluatedPerRound} templates per interval`,
    );
  }
}

await main();
