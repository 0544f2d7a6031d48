import { POLL_JITTER_BAND } from '../agent/backoff.js';
import {
  COST_GOAL_PER_CLUSTER_MONTH,
  COST_LINES,
  computeScenario,
  DEFAULT_ASSUMPTIONS,
  platformLogBytes,
  heartbeatBytes,
  heartbeatPlan,
  heartbeatsPerPoll,
  standardScenarios,
  type Assumptions,
  type CostBreakdown,
  type CostLine,
  type MeasuredCounts,
  type PriceBook,
} from './cost-model.js';
import { DEFAULT_GOVERNANCE, governanceCost, type GovernanceCost } from './cost-governance.js';
import { DEFAULT_SYNC_INVENTORY, syncInventoryCost } from './cost-sync.js';

/**
 * The cost model as Markdown: the issue's scenario grid, the breakdown of the goal scenario, the
 * inputs (counted) and assumptions (stated), and what-if variants that show which settings would
 * meet the goal. Used by `npm run cost` and by the bench report.
 */

/** A named set of assumption changes, to show what a setting is worth. */
export interface Variant {
  name: string;
  /** What changes and whether it exists today. */
  description: string;
  assumptions: Assumptions;
}

/** The variants the report prices next to the deployment as it is. */
export function costVariants(): Variant[] {
  return [
    {
      name: 'as deployed',
      description:
        'TetherHub defaults: the agent function at 256 MB (the others 512 MB), untraced, with JSON logs at system level WARN (no platform lines) and no per-request metric line; batched heartbeats, one every half lease (the lease duration does not change the cost)',
      assumptions: DEFAULT_ASSUMPTIONS,
    },
    {
      name: 'agent tracing on',
      description:
        'the same with `agentFunction: { tracing: true }` (or `-c agentTracing=true`), as while debugging: Lambda active tracing samples the polls',
      assumptions: { ...DEFAULT_ASSUMPTIONS, agentTracing: true },
    },
    {
      name: 'agent function at 512 MB',
      description:
        'the same with `agentFunction: { memorySize: 512 }` (or `-c agentMemorySize=512`): twice the memory for half the CPU time',
      assumptions: { ...DEFAULT_ASSUMPTIONS, agentMemoryMb: 512 },
    },
    {
      name: 'DynamoDB 4 ms a call',
      description:
        'each DynamoDB call waits 4 ms more than against the local emulator, as in-region calls may: longer billed duration (not measured here)',
      assumptions: { ...DEFAULT_ASSUMPTIONS, extraDynamoWaitMs: 4 },
    },
    {
      name: 'one more ms an invocation',
      description:
        "each invocation bills 1 ms more than the probe measured: the Lambda runtime's own work around it (taking the event, posting the answer), which the probe does not run, or a vCPU slower than this machine's core",
      assumptions: { ...DEFAULT_ASSUMPTIONS, extraMsPerInvocation: 1 },
    },
    {
      name: 'floor: no heartbeat writes',
      description: 'for reference: every poll still costs a Lambda invocation and a read; nothing else',
      assumptions: { ...DEFAULT_ASSUMPTIONS, withoutHeartbeats: true, statusReportsPerDay: 0, rolloutsPerMonth: 0 },
    },
  ];
}

const LINE_NAMES: Record<CostLine, string> = {
  agentEndpoint: 'API Gateway HTTP API requests',
  lambdaRequests: 'Lambda requests',
  lambdaDuration: 'Lambda duration (arm64)',
  dynamodbReads: 'DynamoDB reads (on-demand)',
  dynamodbWrites: 'DynamoDB writes (on-demand)',
  dynamodbStorage: 'DynamoDB storage',
  sqs: 'SQS requests',
  logs: 'CloudWatch Logs ingestion and storage',
  xray: 'X-Ray traces',
  fixed: 'alarms and custom metrics (fixed, shared)',
};

/** Dollars with enough digits for per-cluster figures. */
export function usd(value: number): string {
  if (value === 0) return '$0';
  if (value < 0.0001) return `$${value.toExponential(1)}`;
  if (value < 1) return `$${value.toFixed(4)}`;
  return `$${value.toLocaleString('en-US', { maximumFractionDigits: 0 })}`;
}

function grid(counts: MeasuredCounts, prices: PriceBook, a: Assumptions): string {
  const rows = standardScenarios().map((s) => computeScenario(s, counts, prices, a));
  const out = ['| profile | poll | lease | 1,000 clusters | 10,000 clusters | 100,000 clusters |', '|---|---|---|---|---|---|'];
  for (const profile of ['FunctionUrl', 'HttpApi'] as const) {
    for (const poll of [30, 60, 300]) {
      const cells = rows.filter((r) => r.profile === profile && r.pollSeconds === poll);
      out.push(
        `| ${profile} | ${poll} s | ${cells[0].leaseDurationSeconds} s | ${cells.map((c) => `${usd(c.totalPerCluster)} (${usd(c.fleetTotal)}/mo)`).join(' | ')} |`,
      );
    }
  }
  return out.join('\n');
}

function breakdown(rows: CostBreakdown[]): string {
  const out = [
    `| line | ${rows.map((r) => `${r.clusters.toLocaleString('en-US')} clusters`).join(' | ')} |`,
    `|---|${rows.map(() => '---').join('|')}|`,
  ];
  for (const line of COST_LINES) out.push(`| ${LINE_NAMES[line]} | ${rows.map((r) => usd(r.perCluster[line])).join(' | ')} |`);
  out.push(`| **total per cluster-month** | ${rows.map((r) => `**${usd(r.totalPerCluster)}**`).join(' | ')} |`);
  return out.join('\n');
}

/** Does a variant meet the goal (Function URL, 30 s polls) at every fleet size? */
export function goalCheck(counts: MeasuredCounts, prices: PriceBook, a: Assumptions): { met: boolean; rows: CostBreakdown[] } {
  const rows = [1_000, 10_000, 100_000].map((clusters) =>
    computeScenario({ clusters, pollSeconds: 30, profile: 'FunctionUrl' }, counts, prices, a),
  );
  return { met: rows.every((r) => r.totalPerCluster <= COST_GOAL_PER_CLUSTER_MONTH), rows };
}

function inputs(counts: MeasuredCounts): string {
  const fmt = (ops: Record<string, number>) =>
    Object.entries(ops)
      .map(([k, v]) => `${v} ${k}`)
      .join(' + ') || 'none';
  const r2 = (v: number) => String(Math.round(v * 100) / 100);
  const row = (name: string, c: MeasuredCounts['idlePoll'], per: string) =>
    `| ${name} | ${per} | ${fmt(c.ops)} | ${r2(c.readUnits)} | ${r2(c.writeUnits)} | ${r2(c.invocations)} | ${r2(c.lambdaMs)} | ${c.cpuMs === undefined ? '–' : r2(c.cpuMs)} | ${Math.round(c.logBytes)} | ${r2(c.sqsRequests)} |`;
  const lines = [
    `Counted by \`countOperations\` on the hub's DynamoDB client (capacity from ${counts.capacitySource}), log bytes and handler time measured in Lambda mode; measured ${counts.measuredAt} at ${counts.commit}.`,
    '',
    '| what | per | DynamoDB operations | read units | write units | Lambda invocations | handler ms (wall) | of which CPU ms | log bytes | SQS requests |',
    '|---|---|---|---|---|---|---|---|---|---|',
    row('idle poll (304)', counts.idlePoll, 'poll'),
    row('lease transition (extra)', counts.leaseTransition, 'transition'),
    row('status report, claim changed (with its placement step)', counts.statusReport, 'report'),
    ...(counts.healthReport ? [row('status report, health only', counts.healthReport, 'report')] : []),
    row('scheduler tick, one live cluster', counts.schedulerTick, 'minute'),
  ];
  if (counts.rolloutPerCluster) lines.push(row('rollout', counts.rolloutPerCluster, 'cluster and rollout'));
  const thin = counts.heartbeatThinning;
  if (thin) {
    lines.push(
      '',
      `Heartbeat thinning: the real agent polling ${thin.spacingSeconds} s apart (a ${thin.leaseDurationSeconds} s lease) had ${thin.recorded} of ${thin.polls} polls recorded as heartbeats (${r2(thin.recorded / thin.polls)} per poll); the model applies the hub's rule (a heartbeat once the last is half a lease old) at each poll interval.`,
    );
  }
  const fit = heartbeatBytes(counts);
  lines.push(
    '',
    `Heartbeat log flushes (flush interval ${counts.flushIntervalSeconds} s; stand-in cluster names of 11 characters); fitted: ${r2(fit.fixed)} bytes per item plus ${r2(fit.perHeartbeat)} bytes per heartbeat.`,
    '',
    '| heartbeats in the flush | DynamoDB operations | items | item bytes | write units |',
    '|---|---|---|---|---|',
  );
  for (const f of counts.heartbeatFlushes) lines.push(`| ${f.entries} | ${fmt(f.ops)} | ${f.items} | ${f.bytes} | ${r2(f.writeUnits)} |`);
  const sw = counts.sweep;
  lines.push(
    '',
    `Expiry sweep (one tick) with ${sw.liveClusters} live clusters polling every ${sw.pollSeconds} s: ${fmt(sw.ops)}, ${r2(sw.readUnits)} read units; with one: ${fmt(sw.baseOps)}, ${r2(sw.baseReadUnits)} read units (emulator figures, before the 0.5 minimum per Query). Each live cluster adds ${sw.readUnitsPerLiveCluster.toFixed(4)} read units per tick (its head in the live set and its heartbeats in the window).`,
  );
  return lines.join('\n');
}

function assumptionList(counts: MeasuredCounts, a: Assumptions): string {
  return [
    `- A month is ${a.secondsPerMonth / 3600} hours; prices are list prices without free tiers; tiers apply to the fleet's volume.`,
    `- Agents poll every ${Math.round(a.meanPollFraction * 1000) / 1000} × the poll interval on average (each wait is jittered within ${POLL_JITTER_BAND} of it). Lease: ${[30, 60, 300].map((p) => `${a.leaseDurationSeconds(p)} s at ${p} s polls`).join(', ')} (a lease must outlast poll / 3 or availability flaps). A live cluster's poll writes nothing to its head; ${a.leaseTransitionsPerMonth} lease transitions (agent back after its lease was dropped) per cluster per month.`,
    `- Heartbeats: ${counts.heartbeatThinning ? `the hub records a poll as a heartbeat once the agent's last recorded one is half a lease old: ${[30, 60, 300].map((p) => `${Math.round(heartbeatsPerPoll(p, a.leaseDurationSeconds(p), a.meanPollFraction) * 100) / 100} per poll at ${p} s`).join(', ')}. ` : ''}The fleet's requests (clusters / poll interval per second) are served by as many warm agent-function instances as the measured handler time needs at ${a.agentInstanceUtilization * 100}% utilization; each instance flushes its buffer once per flush interval (or on every request where requests are rarer, an upper bound), one item per flush sized by the fitted bytes per heartbeat, rounded up to whole 1 KB write units. Lost flushes (recycled instances) only lower the writes.`,
    `- Sweep: every tick reads the live set and the heartbeat log of its window; per live cluster as measured at ${counts.sweep.pollSeconds} s polls (slower polls write fewer heartbeats into the window, so this is an upper bound for them). The heartbeat items expire by TTL after an hour; their storage is not priced.`,
    `- Agent function memory ${a.agentMemoryMb} MB, worker and scheduler ${a.backgroundMemoryMb} MB (TetherHub's defaults). Billed duration is the handler time measured in Lambda mode against ${counts.capacitySource} on this machine${counts.probePollWarmup ? ` (the idle poll after ${counts.probePollWarmup.toLocaleString('en-US')} warm-up polls, as a long-lived warm instance runs it)` : ''}, split into the handler process's CPU time (process.cpuUsage) and waiting: Lambda gives a function one vCPU at ${a.lambdaMbPerVcpu} MB and a proportional share below, so the CPU part takes ${(a.lambdaMbPerVcpu / a.agentMemoryMb).toFixed(2)} × as long at ${a.agentMemoryMb} MB (one Lambda vCPU counted as ${a.lambdaVcpuSpeed} × a core of this machine); each invocation is rounded up to a whole ms; cold starts are not priced. The wait is what the local emulator took (a fraction of a ms a call); in-region DynamoDB takes a few ms, which the variant "DynamoDB 4 ms a call" prices.`,
    `- ${a.statusReportsPerDay} status reports per cluster per day outside rollouts (claims, health or feedback changes), each priced as a changed claim with the placement step it queues; ${a.rolloutsPerMonth} rollouts per cluster per month${counts.rolloutPerCluster ? '' : ' (rollout cost not measured yet: not priced)'}. A queued step is priced as one more worker invocation as long as a report's.`,
    `- Logs: the bytes the handlers wrote per invocation (measured: Powertools lines and EMF metrics) plus Lambda's platform lines: ${a.agentPlatformLogBytes} bytes per agent-function invocation (JSON log format at system level WARN writes none), ${a.backgroundPlatformLogBytes} per worker or scheduler invocation (START, END, REPORT, XRAY; ${platformLogBytes(false)} without tracing), kept ${a.logRetentionMonths} month.`,
    `- X-Ray: ${a.agentTracing ? `active tracing samples ${a.xrayReservoirPerSecond} request per second plus ${a.xraySampleRate * 100}% of the rest, fleet-wide` : 'no active tracing on the agent function'}.`,
    `- SQS: 3 requests per queued step (send, receive, delete; batching only lowers this) plus ${a.sqsIdlePollingRequestsPerMonth.toLocaleString('en-US')} long polls a month by the Lambda event source.`,
    `- Fixed: ${a.alarms} alarms, ${a.customMetrics} custom metrics; ${a.storageBytesPerCluster / 1024} KB stored per cluster.`,
    '- Empty Queries are priced at the 0.5 read-unit minimum DynamoDB charges (the emulators report 0).',
  ].join('\n');
}

/** The governance line: what one compliance change per cluster per day adds, per cluster-month. */
export function governanceSection(counts: MeasuredCounts, prices: PriceBook, h: string): string[] {
  const cc = counts.complianceChange;
  if (!cc) return [`${h}# Governance`, '', 'Not computed: the compliance change has not been counted yet (run B1).'];
  const g = DEFAULT_GOVERNANCE;
  const sizes = [1_000, 10_000, 100_000];
  const rows = (profile: 'FunctionUrl' | 'HttpApi') => sizes.map((clusters) => governanceCost({ clusters, profile }, cc, prices, g));
  const url = rows('FunctionUrl');
  const http = rows('HttpApi');
  const r2 = (v: number) => String(Math.round(v * 100) / 100);
  const names: Record<keyof GovernanceCost['lines'], string> = {
    requests: 'Lambda requests (Function URL; the HTTP API adds its request price)',
    duration: 'Lambda duration (arm64)',
    writes: 'DynamoDB writes (current item + event + its gsi2 copy)',
    reads: 'DynamoDB reads (the report, one auditor export a month)',
    storage: `DynamoDB storage (${g.retentionDays} days of events, table + gsi2; ${g.policiesPerCluster} current items)`,
    logs: 'CloudWatch Logs',
  };
  const c = url[0];
  return [
    `${h}# Governance`,
    '',
    `What compliance adds per cluster-month at **${g.changesPerDay} compliance change per cluster per day** (each one status report carrying one changed policy), on top of the figures above. Counted on DynamoDB Local (bench/compliance-cost.ts, in B1): a change costs ${r2(cc.writeItems)} write items (the current-compliance item and the history event) and ${r2(cc.change.writeUnits)} write units (${
      cc.writeUnitsByCall
        ? `${Object.entries(cc.writeUnitsByCall)
            .map(([k, v]) => `${r2(v)} by \`${k}\``)
            .join(', ')}; `
        : ''
    }a write unit is 1 KB, and the event's copy in the gsi2 index is billed as a write too), ${r2(cc.change.readUnits)} read units (the report's authentication, its cluster, its policies and their items) and ${r2(cc.change.agentRequests)} agent request; DynamoDB commands per change: ${Object.entries(
      cc.change.ops,
    )
      .map(([k, v]) => `${r2(v)} ${k}`)
      .join(
        ' + ',
      )}. An event is ${cc.eventItemBytes} bytes as an item, a current item of a 10-object policy ${cc.complianceItemBytes} bytes.`,
    '',
    `| line | ${sizes.map((n) => `${n.toLocaleString('en-US')} clusters`).join(' | ')} |`,
    `|---|${sizes.map(() => '---').join('|')}|`,
    ...(Object.keys(names) as Array<keyof GovernanceCost['lines']>).map(
      (k) => `| ${names[k]} | ${url.map((r) => usd(r.lines[k])).join(' | ')} |`,
    ),
    `| **governance per cluster-month, Function URL** | ${url.map((r) => `**${usd(r.total)}**`).join(' | ')} |`,
    `| governance per cluster-month, HTTP API | ${http.map((r) => usd(r.total)).join(' | ')} |`,
    '',
    `Volumes per cluster-month: ${r2(c.changesPerMonth)} changes, ${r2(c.writeUnits)} write units, ${r2(c.readUnits)} read units; ${c.eventsKept} events kept at steady state, ${(c.storedBytes / 1024).toFixed(0)} KB stored (each item plus ${g.itemOverheadBytes} bytes of DynamoDB overhead, the gsi2 copy of each event counted again). The history query reads are one export a month of each cluster's last 30 days (${r2(g.changesPerDay * 30)} events in one eventually consistent Query); B7 shows that such a query is one key-range Query whatever the table holds. Storage grows for the first ${g.retentionDays} days and then stays: the events past retention are removed by TTL.`,
  ];
}

/** The resource-sync and inventory lines: one change's price, and per cluster-month at the stated rates. */
export function syncInventorySection(counts: MeasuredCounts, prices: PriceBook, h: string): string[] {
  const si = counts.syncInventory;
  if (!si) return [`${h}# Resource sync and the cluster inventory`, '', 'Not computed: their events have not been counted yet (run B1).'];
  const s = DEFAULT_SYNC_INVENTORY;
  const sizes = [1_000, 10_000, 100_000];
  const rows = sizes.map((clusters) => syncInventoryCost({ clusters, profile: 'FunctionUrl' }, counts, prices)!);
  const http = sizes.map((clusters) => syncInventoryCost({ clusters, profile: 'HttpApi' }, counts, prices)!);
  const r2 = (v: number) => String(Math.round(v * 100) / 100);
  const event = (e: NonNullable<MeasuredCounts['syncInventory']>['syncChange']) =>
    `${Object.entries(e.ops)
      .map(([k, v]) => `${r2(v)} ${k}`)
      .join(' + ')}; ${r2(e.readUnits)} read units, ${r2(e.writeUnits)} write units (${
      Object.entries(e.writeUnitsByCall)
        .map(([k, v]) => `${r2(v)} \`${k}\``)
        .join(', ') || 'none'
    }), ${r2(e.agentRequests)} agent requests, steps: ${
      Object.entries(e.steps)
        .map(([k, v]) => `${r2(v)} \`${k}\``)
        .join(', ') || 'none'
    }`;
  return [
    `${h}# Resource sync and the cluster inventory`,
    '',
    `Counted on DynamoDB Local (bench/sync-inventory-cost.ts, in B1; the real agents, one source and ${si.destinations} destinations of a one-Secret rule, then an export of every cluster, ${si.members}, to ${si.receivers} receivers):`,
    '',
    `- **a synced object's change, once**: ${event(si.syncChange)} (the source's report and its own fresh poll, its digest moved);`,
    `- **per destination**: ${event(si.syncPerDestination)} (its revision bump, its fresh poll with the object opened and mutated for it, what its agent sends after);`,
    `- **the inventory's share of a member change, once per export**: ${event(si.inventoryMemberChange)} (the rest, the status report and its placement step, is the base model's status report);`,
    `- **per receiver**: ${event(si.inventoryPerReceiver)} (its bump, its fresh poll reading the ${si.members} members' records: grows with the members);`,
    `- **a periodic refresh of one export** (every ${s.refreshMinutes} minutes): ${event(si.inventoryRefresh)}.`,
    '',
    `Lambda duration: each agent request and step priced as one invocation of the measured status report. Rates: ${r2(s.syncChangesPerMonth)} synced object changes a month reaching ${s.destinationShare * 100}% of the fleet (one Secret rotated daily everywhere); ${s.memberChangesPerDay} member change per cluster per day, ${s.exports} export to ${s.receiversPerExport} receivers.`,
    '',
    `| Function URL | ${sizes.map((n) => `${n.toLocaleString('en-US')} clusters`).join(' | ')} |`,
    `|---|${sizes.map(() => '---').join('|')}|`,
    `| one synced object change to every cluster | ${rows.map((r) => usd(r.oneChange.total)).join(' | ')} |`,
    `| resource sync per cluster-month (writes / reads / Lambda and SQS) | ${rows.map((r) => `${usd(r.sync.total)} (${usd(r.sync.writes)} / ${usd(r.sync.reads)} / ${usd(r.sync.requests + r.sync.duration + r.sync.sqs)})`).join(' | ')} |`,
    `| inventory per cluster-month (of which the refreshes) | ${rows.map((r) => `${usd(r.inventory.total)} (${usd(r.inventoryRefresh.total)})`).join(' | ')} |`,
    `| **sync + inventory per cluster-month, Function URL** | ${rows.map((r) => `**${usd(r.sync.total + r.inventory.total)}**`).join(' | ')} |`,
    `| sync + inventory per cluster-month, HTTP API | ${http.map((r) => usd(r.sync.total + r.inventory.total)).join(' | ')} |`,
  ];
}

/** The whole cost model section as Markdown. */
export function renderCostReport(counts: MeasuredCounts, prices: PriceBook, opts: { heading?: string } = {}): string {
  const h = opts.heading ?? '##';
  const variants = costVariants();
  const base = variants[0];
  const check = goalCheck(counts, prices, base.assumptions);
  const plan = (clusters: number) => heartbeatPlan({ clusters, pollSeconds: 30 }, counts, base.assumptions);
  const parts = [
    `${h} Cost model`,
    '',
    `Monthly hub cost per cluster, ${prices.region} list prices as of ${prices.asOf} (bench/prices.json). **${prices.verification}**`,
    '',
    `Goal: ${usd(COST_GOAL_PER_CLUSTER_MONTH)} or less per cluster-month at 30 s polls with the Function URL profile. As deployed: ${check.rows.map((r) => `${usd(r.totalPerCluster)} at ${r.clusters.toLocaleString('en-US')}`).join(', ')} — **${check.met ? 'met' : 'missed'}**.`,
    '',
    `${h}# Per cluster-month, as deployed`,
    '',
    grid(counts, prices, base.assumptions),
    '',
    `${h}# Where it goes: Function URL, 30 s polls, as deployed`,
    '',
    breakdown(check.rows),
    '',
    `A poll of a live cluster writes nothing to its head: its heartbeat goes into the agent-function instance's buffer, written in one batch per flush interval. At 30 s polls: ${[
      1_000, 10_000, 100_000,
    ]
      .map((n) => {
        const p = plan(n);
        return `${n.toLocaleString('en-US')} clusters → ${p.instances} instance${p.instances === 1 ? '' : 's'}, ${Math.round(p.entriesPerFlush)} heartbeats and ${p.writeUnitsPerFlush} write units per flush, ${(p.fleetWriteUnitsPerMonth / n).toFixed(0)} write units per cluster-month`;
      })
      .join('; ')} (a write per cluster per lease duration would be ${Math.round((DEFAULT_ASSUMPTIONS.secondsPerMonth / 60).valueOf())}).`,
    '',
    `${h}# What would meet the goal (Function URL, 30 s polls)`,
    '',
    '| variant | what changes | 1,000 | 10,000 | 100,000 | goal |',
    '|---|---|---|---|---|---|',
    ...variants.map((v) => {
      const c = goalCheck(counts, prices, v.assumptions);
      return `| ${v.name} | ${v.description} | ${c.rows.map((r) => usd(r.totalPerCluster)).join(' | ')} | ${c.met ? 'met' : 'missed'} |`;
    }),
    '',
    ...governanceSection(counts, prices, h),
    '',
    ...syncInventorySection(counts, prices, h),
    '',
    `${h}# Inputs (counted)`,
    '',
    inputs(counts),
    '',
    `${h}# Assumptions`,
    '',
    assumptionList(counts, base.assumptions),
  ];
  return parts.join('\n');
}
