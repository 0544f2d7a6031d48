import type { AgentPhases } from './b5-agent-footprint.js';
import type { B1Result, BenchId, ResultOf, Settings } from './benchmarks.js';
import type { MeasuredCounts, PriceBook } from './cost-model.js';
import { COST_GOAL_PER_CLUSTER_MONTH, DEFAULT_ASSUMPTIONS } from './cost-model.js';
import { goalCheck, renderCostReport, usd } from './cost-report.js';
import { governanceCost } from './cost-governance.js';
import type { RunEnvironment } from './machine.js';
import type { ProfileGroup } from './profile.js';
import { governanceAgentDetails, governanceAgentFigures, governanceFleetDetails, governanceFleetFigures } from './report-governance.js';
import type { LatencySummary } from '../sim/stats.js';
import { b10Details, b10Figures } from './report-b10.js';
import { b11Details, b11Figures } from './report-b11.js';
import { b12Details, b12Figures } from './report-b12.js';

/**
 * docs/benchmarks.md from the saved results of each benchmark (bench/results/B*.json): a summary
 * of every figure against its goal, the machine and versions of each run, the details, and the
 * cost model. Pure: the caller reads the files.
 */

/** One benchmark's saved run. */
export interface SavedResult<K extends BenchId = BenchId> {
  id: K;
  /** Set for extra runs kept next to the default one (`--label`). */
  label?: string;
  command: string;
  settings: Settings;
  environment: RunEnvironment;
  /** Load averages when the benchmark finished. */
  loadAtEnd: number[];
  wallSeconds: number;
  result: ResultOf[K];
}

/** A figure against its goal. */
export interface Figure {
  figure: string;
  goal: string;
  measured: string;
  /** `met below goal size`: the figure passes, but at a smaller fleet than the goal names. */
  verdict: 'met' | 'missed' | 'no goal' | 'met below goal size';
}

function sized(ok: boolean, atGoalSize: boolean): Figure['verdict'] {
  if (!ok) return 'missed';
  return atGoalSize ? 'met' : 'met below goal size';
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(1)} ms`);
const s1 = (v: number) => `${v.toFixed(1)} s`;
const n = (v: number) => v.toLocaleString('en-US');
const ops = (r: Record<string, number>) =>
  Object.entries(r)
    .map(([k, v]) => `${v} ${k}`)
    .join(' + ') || 'none';
const lat = (l: LatencySummary) => `p50 ${ms(l.p50)}, p99 ${ms(l.p99)}, max ${ms(l.max)}`;

/** The figures of one benchmark against the issue's goals. */
export function figuresOf(saved: SavedResult): Figure[] {
  switch (saved.id) {
    case 'B1': {
      const r = saved.result as B1Result;
      const ref = r.dynamodbLocal;
      const idleOk = [r.dynalite, ref].every(
        (x) => ops(x.idlePoll.ops) === '1 GetItem' && x.idlePoll.capacity.GetItem === 0.5 && x.idlePoll.writes === 0,
      );
      return [
        {
          figure: 'B1 idle poll: DynamoDB operations',
          goal: '1 eventually consistent GetItem',
          measured: `${ops(ref.idlePoll.ops)}, ${ref.idlePoll.capacity.GetItem} RCU, ${ref.idlePoll.writes} writes`,
          verdict: idleOk ? 'met' : 'missed',
        },
        {
          figure: 'B1 idle poll: item read',
          goal: 'under 1 KB',
          measured: `${ref.headItemBytes} bytes`,
          verdict: ref.headItemBytes < 1024 ? 'met' : 'missed',
        },
        {
          figure: 'B1 idle poll: answer',
          goal: '304',
          measured: Object.keys(ref.idlePoll.requests).join(', '),
          verdict: ref.idlePoll.requests['desired 304'] === 1 ? 'met' : 'missed',
        },
        {
          figure: 'B1 lease and heartbeat writes',
          goal: 'no head write per poll of a live cluster; at most 1 heartbeat batch per flush interval',
          measured: `${ref.leaseWindow.ops.UpdateItem ?? 0} UpdateItem in ${ref.leaseWindow.polls} polls over one ${ref.leaseWindow.leaseDurationSeconds} s period; ${ref.heartbeatWindow.ops.PutItem ?? 0} batches in ${ref.heartbeatWindow.polls} polls over ${Math.round(ref.heartbeatWindow.spanSeconds ?? 29)} s`,
          verdict:
            (ref.leaseWindow.ops.UpdateItem ?? 0) === 0 &&
            (ref.heartbeatWindow.ops.PutItem ?? 0) <=
              1 + Math.floor((ref.heartbeatWindow.spanSeconds ?? 29) / ref.heartbeatWindow.flushIntervalSeconds)
              ? 'met'
              : 'missed',
        },
      ];
    }
    case 'B2': {
      const r = saved.result as ResultOf['B2'];
      const projected = 10_000 / r.clustersPerSecond;
      const at10k = r.clusters >= 10_000;
      return [
        {
          figure: `B2 fan-out to ${n(r.clusters)} clusters`,
          goal: '10,000 clusters in 30 s or less',
          measured: `${s1(r.fanOutSeconds)} (${r.clustersPerSecond.toFixed(0)} clusters/s${at10k ? '' : `; ${s1(projected)} projected for 10,000`})`,
          verdict: (at10k ? r.fanOutSeconds : projected) <= 30 ? 'met' : 'missed',
        },
      ];
    }
    case 'B3': {
      const r = saved.result as ResultOf['B3'];
      return [
        {
          figure: `B3 sustained load, ${n(r.joined)} agents every ${r.pollSeconds} s`,
          goal: '10,000 agents: p99 under 100 ms, 0 errors',
          measured: `p99 ${ms(r.clientLatency.p99)} (server ${ms(r.serverLatency.p99)}), ${r.errors} errors; hub ${r.hub.cpuPercent.toFixed(0)}% CPU, ${mib(r.hub.peakRssBytes)}`,
          verdict: sized(r.clientLatency.p99 < 100 && r.errors === 0 && r.joined === r.agents, r.joined >= 10_000),
        },
      ];
    }
    case 'B4': {
      const r = saved.result as ResultOf['B4'];
      return r.rounds.map((round) => ({
        figure: `B4 change latency, ${n(r.clusters)} clusters: ${round.what}`,
        goal: `poll interval + 5 s = ${r.goalSeconds} s, at 1,000 clusters`,
        measured: `last agent after ${s1(round.allAppliedSeconds)} (p50 ${s1(round.latency.p50)}); ${round.applied}/${r.clusters} applied`,
        verdict: sized(round.allAppliedSeconds <= r.goalSeconds && round.applied === r.clusters, r.clusters >= 1_000),
      }));
    }
    case 'B5': {
      const r = saved.result as ResultOf['B5'];
      const rss = (label: string, p: AgentPhases): Figure => {
        const peak = Math.max(p.idle.peakRssBytes, p.apply.peakRssBytes);
        return {
          figure: `B5 agent RSS${label}, ${r.resources} resources applied`,
          goal: 'at most 64 MiB',
          measured: `idle ${mib(p.idle.rssBytes)}, peak while applying ${mib(p.apply.peakRssBytes)}, after joining ${mib(p.joined.rssBytes)}`,
          verdict: peak <= 64 * 2 ** 20 ? 'met' : 'missed',
        };
      };
      const cpu = (label: string, p: AgentPhases): Figure => ({
        figure: `B5 agent idle CPU${label} at a ${r.pollSeconds} s poll`,
        goal: 'at most 2 mCPU',
        measured: `${p.idle.milliCpu.toFixed(2)} mCPU (${p.idle.cpuMs} ms over ${p.idle.seconds} s)`,
        verdict: p.idle.milliCpu <= 2 ? 'met' : 'missed',
      });
      const split =
        r.entryBytes !== undefined && r.kubeChunkBytes !== undefined
          ? ` (entry ${(r.entryBytes / 1e6).toFixed(2)} MB, Kubernetes chunk ${(r.kubeChunkBytes / 1e6).toFixed(2)} MB)`
          : '';
      const kubeLabel = ', Kubernetes adapter (stub API server)';
      return [
        rss(r.kube ? ', --simulate' : '', r),
        ...(r.kube ? [rss(kubeLabel, r.kube)] : []),
        cpu(r.kube ? ', --simulate,' : '', r),
        ...(r.kube ? [cpu(`${kubeLabel},`, r.kube)] : []),
        {
          figure: 'B5 agent bundle',
          goal: 'at most 5 MB',
          measured: `${(r.bundleBytes / 1e6).toFixed(2)} MB${split}`,
          verdict: r.bundleBytes <= 5e6 ? 'met' : 'missed',
        } satisfies Figure,
      ];
    }
    case 'B6': {
      const r = saved.result as ResultOf['B6'];
      const sorted = [...r.measuredSeconds].sort((a, b) => a - b);
      return [
        {
          figure: 'B6 silent agent to Available=Unknown, defaults',
          goal: 'none set (report it)',
          measured: `${s1(sorted[0])}–${s1(sorted[sorted.length - 1])} measured over ${sorted.length} trials; ${r.computed.minSeconds}–${r.computed.maxSeconds} s computed`,
          verdict: 'no goal',
        },
      ];
    }
    case 'B7': {
      const r = saved.result as ResultOf['B7'];
      const [p100, p1000, whole] = r.queries;
      const ok = p100 !== undefined && p1000 !== undefined && p100.latency.p99 < 200 && p1000.latency.p99 < 200;
      return [
        {
          figure: `B7 compliance history query: one cluster's year (${r.policies} policies x ${r.days} days, ${n(r.clusterEvents)} events)`,
          goal: 'under 200 ms on the local hub',
          measured: `page of 1,000: p50 ${ms(p1000?.latency.p50 ?? NaN)}, p99 ${ms(p1000?.latency.p99 ?? NaN)}; page of 100: p99 ${ms(p100?.latency.p99 ?? NaN)}; all ${n(whole?.items ?? 0)} events in ${whole ? Math.ceil(whole.items / 1000) : 0} pages: p50 ${ms(whole?.latency.p50 ?? NaN)}`,
          verdict: ok ? 'met' : 'missed',
        },
      ];
    }
    case 'B8':
      return governanceFleetFigures(saved.result as ResultOf['B8']);
    case 'B9':
      return governanceAgentFigures(saved.result as ResultOf['B9']);
    case 'B10':
      return b10Figures(saved.result as ResultOf['B10']);
    case 'B11':
      return b11Figures(saved.result as ResultOf['B11']);
    case 'B12':
      return b12Figures(saved.result as ResultOf['B12']);
  }
}

function shareTable(shares: Array<{ group: ProfileGroup; ms: number; share: number }> | undefined): string[] {
  if (!shares) return [];
  const lambda = new Set<ProfileGroup>(['tether', 'aws sdk', 'lambda glue']);
  const inLambda = shares.filter((x) => lambda.has(x.group)).reduce((a, x) => a + x.share, 0);
  return [
    '',
    '| where the hub process spent its busy CPU time | share |',
    '|---|---|',
    ...shares.map((x) => `| ${x.group} | ${(x.share * 100).toFixed(1)}% |`),
    '',
    `Code that runs in Lambda (Tether, the AWS SDK, middy/Powertools): ${(inLambda * 100).toFixed(0)}% of the busy time; the rest is the local runtime and its stand-ins (dynalite, the SQS emulator, the HTTP gateway) and Node itself.`,
  ];
}

/** The details section of one benchmark. */
export function detailsOf(saved: SavedResult): string {
  const lines: string[] = [];
  switch (saved.id) {
    case 'B1': {
      const r = saved.result as B1Result;
      lines.push('| step | dynalite (as `tether dev`) | DynamoDB Local (capacity reference) |', '|---|---|---|');
      const row = (name: string, pick: (x: B1Result['dynalite']) => { ops: Record<string, number>; capacity: Record<string, number> }) =>
        lines.push(
          `| ${name} | ${ops(pick(r.dynalite).ops)} (${ops(pick(r.dynalite).capacity)} units) | ${ops(pick(r.dynamodbLocal).ops)} (${ops(pick(r.dynamodbLocal).capacity)} units) |`,
        );
      row('idle poll', (x) => x.idlePoll);
      row('poll that takes a lease (transition), with its availability step', (x) => x.renewingPoll);
      row('heartbeat flush of the largest measured size', (x) => {
        const f = x.heartbeatFlushes[x.heartbeatFlushes.length - 1];
        return { ops: { ...f.ops, heartbeats: f.entries }, capacity: { PutItem: f.writeUnits } };
      });
      row(`expiry sweep, ${r.dynamodbLocal.sweep.liveClusters} live clusters`, (x) => ({
        ops: x.sweep.ops,
        capacity: { Query: x.sweep.readUnits },
      }));
      row('status report (changed claim)', (x) => x.statusReport);
      row('scheduler tick, nothing expired', (x) => x.schedulerTick);
      lines.push(
        '',
        `Rollout per cluster (${r.rollout.clusters} clusters, FleetDeployment of two objects, from publish until applied and reported, idle polls excluded): ${ops(r.rollout.ops)}; ${r.rollout.agentRequests.toFixed(1)} agent requests, ${r.rollout.queued.toFixed(1)} queued steps.`,
        '',
        `Lambda mode (the deployed handlers with Lambda's environment, against DynamoDB Local): idle poll ${ms(r.probe.idlePoll.meanMs)} mean and ${Math.round(r.probe.idlePoll.logBytes)} log bytes per invocation; status report ${ms(r.probe.statusReport.meanMs)} and ${Math.round(r.probe.statusReport.logBytes)} bytes; scheduler tick ${ms(r.probe.schedulerTick.meanMs)} and ${Math.round(r.probe.schedulerTick.logBytes)} bytes.`,
        '',
        'The regression guard `test/integration/bench/poll-cost.test.ts` runs this measurement on every `npm test` and asserts the counts.',
      );
      break;
    }
    case 'B2': {
      const r = saved.result as ResultOf['B2'];
      lines.push(
        `${n(r.clusters)} clusters joined through the real flow in ${s1(r.joinSeconds)}; the placement chose them in ${s1(r.placementSeconds)}. Fan-out: ${s1(r.fanOutSeconds)}, ${r.clustersPerSecond.toFixed(0)} clusters/s; every cluster verified afterwards (${n(r.verified)} Works at the revision with their heads bumped).`,
        '',
        `DynamoDB commands per cluster: ${ops(r.opsPerCluster)}; ${r.queued} queued steps in all. CPU time of the hub process: ${s1(r.cpuSeconds)} (${((r.cpuSeconds / r.fanOutSeconds) * 100).toFixed(0)}% of one core).`,
        ...shareTable(r.shares),
      );
      if (r.profile?.tetherHotspots.length)
        lines.push(
          '',
          `Tether's busiest functions: ${r.profile.tetherHotspots
            .slice(0, 5)
            .map((h) => `${h.fn} (${ms(h.ms)})`)
            .join('; ')}.`,
        );
      break;
    }
    case 'B3': {
      const r = saved.result as ResultOf['B3'];
      lines.push(
        `${n(r.joined)} agents joined in ${s1(r.joinSeconds)}${r.workers ? ` (agents in ${r.workers} shard process${r.workers > 1 ? 'es' : ''})` : ' (agents in the bench process)'}${r.joinDrainSeconds === undefined ? '' : `; the join's queued steps drained in ${s1(r.joinDrainSeconds)}`}; measured for ${s1(r.measureSeconds)} after a full poll interval of warm-up.`,
        '',
        '| figure | value |',
        '|---|---|',
        `| polls | ${n(r.polls)} (${r.pollsPerSecond.toFixed(1)}/s; ${r.expectedPollsPerSecond.toFixed(1)}/s expected) |`,
        `| latency seen by the agents | ${lat(r.clientLatency)} |`,
        `| latency inside the hub process | ${lat(r.serverLatency)} |`,
        `| errors | ${r.errors}${r.errorSamples.length ? ` (${r.errorSamples.join('; ')})` : ''} |`,
        `| answers | ${Object.entries(r.statuses)
          .map(([k, v]) => `${k}: ${n(v)}`)
          .join(', ')} |`,
        `| hub process CPU | ${r.hub.cpuPercent.toFixed(1)}% of one core; event loop utilisation ${(r.hub.eventLoopUtilization * 100).toFixed(0)}% |`,
        `| hub process RSS | ${mib(r.hub.rssBytes)} at the end, ${mib(r.hub.peakRssBytes)} peak |`,
        `| hub pauses | GC ${r.hub.gc.count} times, ${ms(r.hub.gc.totalMs)} in all, longest ${ms(r.hub.gc.maxMs)}; event-loop delay p99 ${ms(r.hub.loopDelay.p99Ms)}, max ${ms(r.hub.loopDelay.maxMs)} |`,
        `| agent processes | ${r.agentProcesses.cpuPercent.toFixed(1)}% CPU, ${mib(r.agentProcesses.rssBytes)} RSS |`,
        `| DynamoDB per poll | ${ops(r.opsPerPoll)} |`,
        ...shareTable(r.shares),
      );
      break;
    }
    case 'B4': {
      const r = saved.result as ResultOf['B4'];
      lines.push(
        `${n(r.clusters)} agents polling every ${r.pollSeconds} s (each wait jittered within ${r.pollJitterBand ?? '[0.9, 1)'} of it); a FleetDeployment (rollout type All, a Namespace and a ConfigMap) published through the admin API.`,
        '',
        '| publish | per-agent latency | last agent | applied |',
        '|---|---|---|---|',
      );
      for (const round of r.rounds)
        lines.push(
          `| ${round.what} | p50 ${s1(round.latency.p50)}, p90 ${s1(round.latency.p90)} | ${s1(round.allAppliedSeconds)} | ${round.applied}/${r.clusters} |`,
        );
      lines.push(
        '',
        `An agent polls at most ${r.pollSeconds} s after its previous poll, so the ${r.goalSeconds} s goal leaves ${r.goalSeconds - r.pollSeconds} s for the hub's fan-out, the apply and the report.`,
      );
      break;
    }
    case 'B5': {
      const r = saved.result as ResultOf['B5'];
      const split =
        r.entryBytes !== undefined && r.kubeChunkBytes !== undefined
          ? `; entry ${(r.entryBytes / 1e6).toFixed(2)} MB, Kubernetes chunk ${(r.kubeChunkBytes / 1e6).toFixed(2)} MB`
          : '';
      const rows = (label: string, p: AgentPhases) => [
        `| ${label}joined, no works | ${mib(p.joined.rssBytes)} (start-up peak ${mib(p.joined.peakRssBytes)}) | ${p.joined.cpuMs} ms since start |`,
        `| ${label}applying ${r.resources} resources | peak ${mib(p.apply.peakRssBytes)} | ${p.apply.cpuMs} ms from publish to the report (${s1(p.apply.seconds)}, mostly waiting for the poll) |`,
        `| ${label}idle, ${r.resources} resources re-reconciled every poll | ${mib(p.idle.rssBytes)} (peak ${mib(p.idle.peakRssBytes)}) | ${p.idle.cpuMs} ms over ${p.idle.seconds} s = ${p.idle.milliCpu.toFixed(2)} mCPU |`,
      ];
      lines.push(
        `The agent bundle (agent/build.ts, ${(r.bundleBytes / 1e6).toFixed(2)} MB${split}) run by \`node${r.nodeFlags.length ? ` ${r.nodeFlags.join(' ')}` : ''}\` ${r.node}, polling every ${r.pollSeconds} s; a Work of ${r.resources} resources (a Namespace and ConfigMaps).` +
          (r.kube
            ? ' Two agents ran side by side: one in `--simulate` mode (the in-memory cluster; it never loads the Kubernetes chunk) and one with `--kubeconfig` against a stub kube-apiserver (test/support/stub-apiserver.ts), i.e. the real @kubernetes/client-node adapter, as an agent in a cluster runs it.'
            : ' In `--simulate` mode only.'),
        '',
        '| phase | RSS | CPU |',
        '|---|---|---|',
        ...rows(r.kube ? '`--simulate`: ' : '', r),
        ...(r.kube ? rows('Kubernetes adapter: ', r.kube) : []),
        '',
        r.kube
          ? `The Kubernetes-adapter agent sent ${n(r.kube.apiRequests)} requests to the stub API server in all (discovery, reads, server-side applies, its own Secrets and inventory). The stub answers on loopback over plain HTTP, so TLS to a real API server adds to these figures.`
          : 'Simulate mode never loads @kubernetes/client-node; an agent in a cluster loads it and uses more memory than this.',
      );
      break;
    }
    case 'B6': {
      const r = saved.result as ResultOf['B6'];
      const sorted = [...r.measuredSeconds].sort((a, b) => a - b);
      const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
      lines.push(
        `Defaults: lease ${r.leaseDurationSeconds} s, expired after ${r.graceFactor} lease durations plus the ${r.flushIntervalSeconds ?? 0} s heartbeat flush interval without a heartbeat, found by the scheduler every ${r.tickSeconds} s (TetherHub's EventBridge rule; the local hub ticks every 5 s).`,
        '',
        `Computed: the lease expires ${r.computed.maxSeconds - r.tickSeconds} s after the last recorded heartbeat, which may come up to ${r.computed.maxSeconds - r.tickSeconds - r.computed.minSeconds} s before the agent's last poll (the hub records one every half lease); the next tick adds up to ${r.tickSeconds} s: ${r.computed.minSeconds}–${r.computed.maxSeconds} s after the last poll.`,
        '',
        `Measured with the hub's injected clock (the real agent polls, then stops; the real tick, expiry step and availability update run at each simulated tick): ${sorted.map((x) => x.toFixed(0)).join(', ')} s; mean ${s1(mean)}. The hub's own work at the detecting tick took ${Math.min(...r.processingMs)}–${Math.max(...r.processingMs)} ms of wall time. The condition then reads reason \`${r.reason}\`, "${r.message}".`,
      );
      break;
    }
    case 'B7': {
      const r = saved.result as ResultOf['B7'];
      lines.push(
        `${n(r.clusters)} clusters with a year of history each (${r.policies} policies, one change a day per policy: ${n(r.totalEvents)} events, appended through the adapter in ${s1(r.appendSeconds)}), queried through the hub's own ComplianceHistory adapter and DynamoDB client on dynalite (on disk, on its worker thread, as \`tether dev\` runs it), ${r.queries[0]?.latency.count ?? 0} timed runs of each query after 2 untimed ones. The HTTP layer is not included.`,
        '',
        '| query | events answered | DynamoDB per query | latency |',
        '|---|---|---|---|',
        ...r.queries.map((q) => `| ${q.what} | ${n(q.items)} | ${ops(q.ops)} | ${lat(q.latency)} |`),
      );
      break;
    }
    case 'B8':
      lines.push(governanceFleetDetails(saved.result as ResultOf['B8']));
      break;
    case 'B9':
      lines.push(governanceAgentDetails(saved.result as ResultOf['B9']));
      break;
    case 'B10':
      lines.push(b10Details(saved.result as ResultOf['B10']));
      break;
    case 'B11':
      lines.push(b11Details(saved.result as ResultOf['B11']));
      break;
    case 'B12':
      lines.push(b12Details(saved.result as ResultOf['B12']));
      break;
  }
  return lines.join('\n');
}

const TITLES: Record<BenchId, string> = {
  B1: 'B1, idle poll cost',
  B2: 'B2, fan-out',
  B3: 'B3, sustained load',
  B4: 'B4, change latency',
  B5: 'B5, agent footprint',
  B6: 'B6, unavailability detection',
  B7: 'B7, compliance history query',
  B8: 'B8, governance at fleet scale',
  B9: 'B9, agent governance footprint',
  B10: 'B10, a flooding credential and the agent rate limit',
  B11: 'B11, a flood of bad admin credentials and the failed-authentication limit',
  B12: 'B12, resource sync at fleet scale',
};

function environmentLine(e: RunEnvironment, saved: SavedResult): string {
  return `${e.cpuModel}, ${e.cores} cores, ${e.memoryGiB} GiB; ${e.os}; Node ${e.node}; commit ${e.commit}; ${e.date}; load average ${e.loadAverage.join(' / ')} at the start, ${saved.loadAtEnd.join(' / ')} at the end; ${s1(saved.wallSeconds)} wall time.`;
}

/** The whole report. */
export function renderReport(results: SavedResult[], counts: MeasuredCounts | undefined, prices: PriceBook, findings: string): string {
  const sorted = [...results].sort(
    (a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }) || (a.label ?? '').localeCompare(b.label ?? ''),
  );
  const figures = sorted.flatMap((r) => figuresOf(r).map((f) => ({ ...f, command: r.command })));
  if (counts) {
    const check = goalCheck(counts, prices, DEFAULT_ASSUMPTIONS);
    figures.push({
      figure: 'Cost per cluster-month, Function URL, 30 s polls',
      goal: `${usd(COST_GOAL_PER_CLUSTER_MONTH)} or less`,
      measured: check.rows.map((r) => `${usd(r.totalPerCluster)} at ${n(r.clusters)}`).join(', '),
      verdict: check.met ? 'met' : 'missed',
      command: 'npx tsx bench/cost.ts',
    });
    if (counts.complianceChange) {
      const cc = counts.complianceChange;
      figures.push({
        figure: 'Governance per cluster-month, one compliance change per cluster per day (Function URL)',
        goal: 'none set (report it)',
        measured: [1_000, 10_000, 100_000]
          .map((clusters) => `${usd(governanceCost({ clusters, profile: 'FunctionUrl' }, cc, prices).total)} at ${n(clusters)}`)
          .join(', '),
        verdict: 'no goal',
        command: 'npx tsx bench/cost.ts',
      });
    }
  }
  const versions = sorted[0]?.environment.packages ?? {};
  const out = [
    '# Benchmarks',
    '',
    '<!-- Generated by bench/run.ts (npm run bench) from bench/results/*.json; the findings come from bench/findings.md. Do not edit by hand. -->',
    '',
    'Every figure comes from the code in `bench/` (the simulated agents come from `sim/`, the engine of `tether sim`), run against the local hub on the machine below; DynamoDB operations are counted by an SDK middleware (`countOperations`), never estimated. Timings depend on the machine and on whatever else ran on it (the load average is recorded with each benchmark); counts do not.',
    '',
    '## Figures against goals',
    '',
    '| figure | goal | measured | verdict | command |',
    '|---|---|---|---|---|',
    ...figures.map((f) => `| ${f.figure} | ${f.goal} | ${f.measured} | **${f.verdict}** | \`${f.command}\` |`),
    '',
    "Sizes: `npx tsx bench/run.ts` runs the small sizes (B2 1,000 clusters, B3 1,000 agents for 60 s, B4, B8 and B12 200 clusters) in a few minutes; `--size large` runs the issue's (B2 10,000, B3 10,000 agents for 120 s, B4, B8 and B12 1,000). `--only B1,B3` runs some, `--b2-clusters N`, `--b3-agents N`, `--b3-seconds S`, `--b4-clusters N`, `--b5-idle-seconds S`, `--b7-clusters N`, `--b8-clusters N`, `--b12-clusters N`, `--b10-agents N`, `--b10-seconds S`, `--workers W` and `--no-profile` override single settings. The report keeps the last saved result of every benchmark.",
    '',
    '## Machine and versions',
    '',
    ...sorted.map((r) => `- ${r.id}${r.label ? ` (${r.label})` : ''}: ${environmentLine(r.environment, r)}`),
    '',
    `Packages: ${Object.entries(versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
    findings.trim(),
    '',
    ...sorted.flatMap((r) => [`## ${TITLES[r.id]}${r.label ? ` (${r.label})` : ''}`, '', `\`${r.command}\``, '', detailsOf(r), '']),
    counts ? renderCostReport(counts, prices) : '## Cost model\n\nNot computed: run B1 first.',
    '',
  ];
  return out.join('\n');
}
