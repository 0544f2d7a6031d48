import type { WriteClass } from './b8-writes.js';
import type { SyncFleetResult } from './b12-sync.js';
import type { Figure } from './report.js';

/** B12's lines of docs/benchmarks.md (./report.ts calls these): its figures against goals, and its details. Pure. */

const n = (v: number) => v.toLocaleString('en-US');
const s1 = (v: number) => `${v.toFixed(1)} s`;
const calls = (c: WriteClass) =>
  Object.entries(c.byCall)
    .map(([k, v]) => `${n(v)} \`${k}\``)
    .join(', ') || 'none';
const perPollText = (r: Record<string, number>) =>
  Object.entries(r)
    .map(([k, v]) => `${v} ${k}`)
    .join(' + ') || 'none';
const statuses = (r: Record<string, number>) =>
  Object.entries(r)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${n(v)} x ${k}`)
    .join(', ') || 'none';

/**
 * Most write items one source change may cost besides the revision bumps, whatever the number of
 * destinations: the stored object, the source's state item and its inventory entry, with room for
 * one retried write. A figure above it grows with something it must not.
 */
export const B12_REPORT_WRITES_BOUND = 4;

/** Pages of the destinations' revision bumps: `sync.bump-destinations` messages of 100. */
export function bumpPages(destinations: number, pageSize = 100): number {
  return Math.max(1, Math.ceil(destinations / pageSize));
}

/** Idle-window writes other than the fleet's background (heartbeats, leases): expected none. */
function idleForegroundWrites(r: SyncFleetResult): number {
  const w = r.idle.writes;
  return w.report.total + w.bumps.total + w.destinationStatus.total + w.other.total;
}

/** B12's figures. */
export function b12Figures(r: SyncFleetResult): Figure[] {
  const atGoalSize = r.clusters >= 1_000;
  const c = r.change;
  const latencyOk = c.allAppliedSeconds <= r.goalSeconds && c.applied === r.clusters;
  const pages = c.queuedByType['sync.bump-destinations'] ?? 0;
  const writesOk =
    c.writes.report.total <= B12_REPORT_WRITES_BOUND &&
    c.writes.bumps.total <= r.clusters + 1 &&
    c.writes.other.total === 0 &&
    // The rule has no placement: every cluster is a destination, the source too (it receives the
    // other sources' objects, never its own), so the fan-out pages over N + 1 relation items and
    // skips the source.
    pages === bumpPages(r.clusters + 1);
  const sized = (ok: boolean): Figure['verdict'] => (!ok ? 'missed' : atGoalSize ? 'met' : 'met below goal size');
  return [
    {
      figure: `B12 resource sync: a Secret edited on the source until every destination applied it, 1 source + ${n(r.clusters)} destinations`,
      goal: `a poll of the source + a poll of the destinations + 10 s = ${r.goalSeconds} s (${r.pollSeconds} s polls), at 1,000 destinations`,
      measured: `all applied after ${s1(c.allAppliedSeconds)} (source reported after ${s1(c.sourceReportedSeconds)}); per destination p50 ${s1(c.perCluster.p50)}, max ${s1(c.perCluster.max)}; ${n(c.applied)}/${n(r.clusters)} applied`,
      verdict: sized(latencyOk),
    },
    {
      figure: `B12 hub DynamoDB writes per source change, ${n(r.clusters)} destinations`,
      goal: `O(1) (at most ${B12_REPORT_WRITES_BOUND}) plus one revision bump per destination, in queued pages of 100`,
      measured: `${n(c.writes.report.total)} for the report + ${n(c.writes.bumps.total)} revision bumps (${n(pages)} \`sync.bump-destinations\` messages) + ${n(c.writes.destinationStatus.total)} destination status items; ${n(c.writes.other.total)} other`,
      verdict: sized(writesOk),
    },
    {
      figure: `B12 idle: a source with ${r.bulkObjects + 1} matching, unchanged objects (2 rules), ${n(r.clusters)} destinations`,
      goal: 'no sync report; 1 GetItem per poll, no write but the heartbeat log',
      measured: `${n(r.idle.sourceReports)} reports; ${perPollText(r.idle.opsPerPoll)} per poll over ${n(r.idle.polls)} polls; ${idleForegroundWrites(r)} other writes`,
      verdict: sized(r.idle.sourceReports === 0 && (r.idle.opsPerPoll.GetItem ?? 0) <= 1 && idleForegroundWrites(r) === 0),
    },
  ];
}

/** B12's details section. */
export function b12Details(r: SyncFleetResult): string {
  const c = r.change;
  return [
    `One source cluster and ${n(r.clusters)} destination clusters, each the real agent (its resource sync included) over its own in-memory cluster, polling a local hub process (dynalite on disk) every ${r.pollSeconds} s (jitter ${r.pollJitterBand}), the destinations in ${r.workers === 0 ? 'the benchmark process' : `${r.workers} shard process(es)`}, the source in the benchmark process, which edits its cluster. Rule \`b12-secret\` syncs one Secret from the source to every other cluster (no placement); rule \`b12-bulk\` syncs ${r.bulkObjects} ConfigMaps from the source to ${r.bulkDestinations} clusters (a Placement). Every destination held its copies ${s1(r.convergeSeconds)} after the rules were created. Write items are booked by the hub port call that wrote them (\`bench/write-ledger.ts\`).`,
    '',
    '| round | figure |',
    '|---|---|',
    `| change: edit to the source's report answered | ${s1(c.sourceReportedSeconds)} (${n(c.sourceReports)} report(s)) |`,
    `| change: edit to every destination applied | ${s1(c.allAppliedSeconds)}; per destination p50 ${s1(c.perCluster.p50)}, p90 ${s1(c.perCluster.p90)}, p99 ${s1(c.perCluster.p99)}, max ${s1(c.perCluster.max)} |`,
    `| change: the report's writes | ${calls(c.writes.report)} |`,
    `| change: revision bumps | ${calls(c.writes.bumps)}; steps queued: ${statuses(c.queuedByType)} |`,
    `| change: destination status writes | ${calls(c.writes.destinationStatus)} |`,
    `| change: background and other writes | ${calls(c.writes.background)}; other: ${calls(c.writes.other)} |`,
    `| change: DynamoDB commands in the window | ${perPollText(c.ops)} |`,
    `| change: the fleet's requests | ${statuses(c.statuses)} |`,
    `| idle ${s1(r.idle.seconds)}: the source's requests | ${statuses(r.idle.sourceStatuses)} |`,
    `| idle: the fleet's requests | ${statuses(r.idle.statuses)} |`,
    `| idle: DynamoDB per poll | ${perPollText(r.idle.opsPerPoll)} |`,
    `| idle: writes | ${calls(r.idle.writes.background)}; other: ${idleForegroundWrites(r)} |`,
  ].join('\n');
}
