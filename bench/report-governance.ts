import type { GovernanceFleetResult } from './b8-governance.js';
import type { WriteClass } from './b8-writes.js';
import type { GovernanceAgentResult, GovernanceFootprint } from './b9-governance-agent.js';
import type { Figure } from './report.js';

/**
 * The governance benchmarks' part of docs/benchmarks.md: B8 (governance at fleet scale) and B9
 * (the agent's governance footprint), figures against the issue's goals and details. Pure.
 */

const n = (v: number) => v.toLocaleString('en-US');
const s1 = (v: number) => `${v.toFixed(1)} s`;
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const calls = (c: WriteClass) =>
  Object.entries(c.byCall)
    .map(([k, v]) => `${n(v)} \`${k}\``)
    .join(', ') || 'none';
const perPollText = (r: Record<string, number>) =>
  Object.entries(r)
    .map(([k, v]) => `${v} ${k}`)
    .join(' + ') || 'none';

/** Idle-window writes other than the fleet's background (heartbeats, leases): expected none. */
function idleForegroundWrites(r: GovernanceFleetResult): number {
  return Object.entries(r.idle.writeItems)
    .filter(([label]) => !label.startsWith('heartbeats.') && label !== 'heads.renewLease')
    .reduce((sum, [, v]) => sum + v, 0);
}

/** B8's figures. */
export function governanceFleetFigures(r: GovernanceFleetResult): Figure[] {
  const atGoalSize = r.clusters >= 1_000;
  const np = r.newPolicy;
  const latencyOk = np.allRecordedSeconds <= r.goalSeconds && np.recorded === r.clusters;
  const c = r.change;
  const getPerPoll = r.idle.opsPerPoll.GetItem ?? 0;
  return [
    {
      figure: `B8 new policy until every cluster's compliance is recorded, ${n(r.clusters)} clusters with ${r.policies} policies`,
      goal: `poll interval + 10 s = ${r.goalSeconds} s, at 1,000 clusters`,
      measured: `roll-up complete after ${s1(np.allRecordedSeconds)}; per cluster p50 ${s1(np.perCluster.p50)}, max ${s1(np.perCluster.max)}; ${n(np.recorded)}/${n(r.clusters)} recorded`,
      verdict: !latencyOk ? 'missed' : atGoalSize ? 'met' : 'met below goal size',
    },
    {
      figure: `B8 DynamoDB writes per compliance change, ${n(r.clusters)} clusters`,
      goal: 'at most 2 (current item + event)',
      measured: `${c.ingestionPerChange.toFixed(2)} write items per change (${n(c.writes.ingestion.total)} for ${n(c.changes)} changes); the policy update itself: ${n(c.writes.policyChange.total)} more`,
      verdict: c.ingestionPerChange <= 2 && c.changes === r.clusters ? 'met' : 'missed',
    },
    {
      figure: `B8 idle poll at fleet scale, ${n(r.clusters)} clusters with ${r.policies + 1} policies`,
      goal: '1 GetItem per poll; no write but the heartbeat log',
      measured: `${perPollText(r.idle.opsPerPoll)} per poll over ${n(r.idle.polls)} polls; ${idleForegroundWrites(r)} other writes`,
      verdict: getPerPoll <= 1 && idleForegroundWrites(r) === 0 && r.idle.ingestionWrites === 0 ? 'met' : 'missed',
    },
  ];
}

/** B8's details. */
export function governanceFleetDetails(r: GovernanceFleetResult): string {
  const c = r.change;
  const np = r.newPolicy;
  return [
    `${n(r.clusters)} simulated agents (the real agent code${r.workers ? `, in ${r.workers} shard process${r.workers > 1 ? 'es' : ''}` : ', in the bench process'}) polling a local hub process (dynalite on disk) every ${r.pollSeconds} s (each wait jittered within ${r.pollJitterBand} of it); a Placement choosing them all; ${r.policies} inform policies of ${r.objectsPerPolicy} ConfigMaps each (musthave, default evaluation interval; the ConfigMaps do not exist on the simulated clusters, so these policies are NonCompliant everywhere and re-evaluated at the noncompliant interval, the agents' heavier case). ${
      r.placementAfterPolicies
        ? `The policies were created first and the Placement then; all ${r.policies} were reported by every cluster ${s1(r.convergeSeconds)} after the Placement was created.`
        : `The Placement was created first and the policies then, one after the other; all ${r.policies} were reported by every cluster ${s1(r.convergeSeconds)} after the first was created.`
    }`,
    '',
    '| step | measured |',
    '|---|---|',
    `| new policy (the ${r.policies + 1}st: ${r.objectsPerPolicy} ConfigMaps, mustnothave, Compliant everywhere) until its roll-up counts every cluster, none Unknown (read every second) | ${s1(np.allRecordedSeconds)} (goal ${r.goalSeconds} s) |`,
    `| the same per cluster, admin call to the hub time of the cluster's first event | p50 ${s1(np.perCluster.p50)}, p90 ${s1(np.perCluster.p90)}, max ${s1(np.perCluster.max)} (${n(np.recorded)} clusters) |`,
    `| idle window | ${s1(r.idle.seconds)}, ${n(r.idle.polls)} polls: ${perPollText(r.idle.opsPerPoll)} per poll; write items: ${
      Object.entries(r.idle.writeItems)
        .map(([k, v]) => `${n(v)} \`${k}\``)
        .join(', ') || 'none'
    } |`,
    `| change (the policy turned musthave: every cluster NonCompliant) until the roll-up shows it everywhere | ${s1(c.allReportedSeconds)}; per cluster p50 ${s1(c.perCluster.p50)}, max ${s1(c.perCluster.max)} |`,
    `| compliance ingestion, write items | ${n(c.writes.ingestion.total)} for ${n(c.changes)} changes = **${c.ingestionPerChange.toFixed(2)} per change**: ${calls(c.writes.ingestion)} |`,
    `| the policy update's own writes (part of changing the policy) | ${n(c.writes.policyChange.total)}: ${calls(c.writes.policyChange)} |`,
    `| the fleet's background writes in the same window (${n(c.polls)} polls) | ${n(c.writes.background.total)}: ${calls(c.writes.background)} |`,
    `| other writes | ${n(c.writes.other.total)}${c.writes.other.total ? `: ${calls(c.writes.other)}` : ''} |`,
    `| DynamoDB commands in the change window (the bench's roll-up reads every second included) | ${perPollText(c.ops)} |`,
    '',
    `Write items are DynamoDB items written, booked under the hub port call that sent them (bench/write-ledger.ts: an AsyncLocalStorage carries the port call to an SDK middleware): a PutItem, UpdateItem or DeleteItem is one item; a BatchWriteItem counts every request it carries. An event's copy in the gsi2 index (by policy) is not an item: DynamoDB bills it as one more write unit, which the cost model adds. The latency goal leaves ${r.goalSeconds - r.pollSeconds} s after the agent's poll for the hub's sync step, the evaluation and the report; a new policy has no earlier report, so the agents' 60 s report debounce does not hold it, and the change round starts after a quiet window longer than that debounce.`,
  ].join('\n');
}

function footprintLabel(f: GovernanceFootprint): string {
  return f.backend === 'memory' ? 'in-memory cluster (`--simulate`)' : 'client-node adapter + stub API server (same process)';
}

/** B9's figures. */
export function governanceAgentFigures(r: GovernanceAgentResult): Figure[] {
  return r.results.flatMap((f): Figure[] => [
    {
      figure: `B9 agent governance CPU, ${f.policies} policies × ${f.objectsPerPolicy} objects, ${footprintLabel(f)}`,
      goal: 'at most 2 mCPU on average',
      measured: `${f.milliCpu.toFixed(3)} mCPU (${f.cpuMs.toFixed(0)} ms over ${f.rounds} simulated ${f.intervalSeconds / 60}-minute rounds)`,
      verdict: f.milliCpu <= 2 ? 'met' : 'missed',
    },
    {
      figure: `B9 agent governance RSS, ${footprintLabel(f)}`,
      goal: 'at most 10 MiB',
      measured: `${mib(f.rssGrowthBytes)} growth${f.gcExposed ? '' : ' (no forced GC)'}`,
      verdict: f.rssGrowthBytes <= 10 * 2 ** 20 ? 'met' : 'missed',
    },
  ]);
}

/** B9's details. */
export function governanceAgentDetails(r: GovernanceAgentResult): string {
  const first = r.results[0];
  const intro = first
    ? `The agent's governor (agent/governance/governor.ts) evaluating ${first.policies} policies of ${first.objectsPerPolicy} ConfigMaps each (musthave, inform; the ConfigMaps exist, so every policy is Compliant and comes due every ${first.intervalSeconds / 60} minutes, the default compliant interval, ±10 % jitter), with a pass every ${first.pollSeconds} s poll as the agent runs it. Measured in-process with simulated time (the governor reads an injected clock), each back end in a fresh Node ${r.node} process with --expose-gc: the CPU time of ${first.rounds} ten-minute evaluation rounds divided by the simulated time is the average mCPU, and the RSS growth is from before the policies arrived to after the rounds, after a forced GC. The in-memory cluster is what \`--simulate\` uses; the client-node adapter talks HTTP to the stub kube-apiserver (test/support/stub-apiserver.ts) in the same process, so the stub's CPU is counted too: an upper bound of the agent's. B5 measures the whole agent process; this is what governance adds to it.`
    : 'No result.';
  return [
    intro,
    '',
    '| back end | average CPU | a pass with nothing due | templates per interval | RSS before → after | growth |',
    '|---|---|---|---|---|---|',
    ...r.results.map(
      (f) =>
        `| ${footprintLabel(f)} | ${f.milliCpu.toFixed(3)} mCPU | ${f.idlePassMilliCpu.toFixed(4)} mCPU | ${f.evaluatedPerRound} | ${mib(f.rssBeforeBytes)} → ${mib(f.rssAfterBytes)} | ${mib(f.rssGrowthBytes)} |`,
    ),
  ].join('\n');
}
