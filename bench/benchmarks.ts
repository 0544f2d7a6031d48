import { measurePollCost, type PollCostResult } from './b1-poll-cost.js';
import { runFanOut, type FanOutResult } from './b2-fanout.js';
import { runSustained, type SustainedResult } from './b3-sustained.js';
import { runChangeLatency, type ChangeLatencyResult } from './b4-change-latency.js';
import { measureAgentFootprint, type FootprintResult } from './b5-agent-footprint.js';
import { measureUnavailability, type UnavailabilityResult } from './b6-unavailability.js';
import { measureHistoryQuery, type HistoryQueryResult } from './b7-history-query.js';
import { runGovernanceFleet, type GovernanceFleetResult } from './b8-governance.js';
import { measureGovernanceAgent, type GovernanceAgentResult } from './b9-governance-agent.js';
import { runFloodBench, type FloodResult } from './b10-rate-limit.js';
import { runAuthFloodBench, type AuthFloodResult } from './b11-auth-flood.js';
import { runSyncFleet, type SyncFleetResult } from './b12-sync.js';
import { toMeasuredCounts, writeMeasuredCounts } from './counts.js';
import { startBenchHub } from './hub.js';
import { runLambdaProbe, type ProbeResult } from './lambda-probe.js';
import { measureRolloutCost, type RolloutCost } from './rollout-cost.js';
import { measureComplianceCost, type ComplianceChangeCost } from './compliance-cost.js';
import { measureSyncInventoryCost, type SyncInventoryCost } from './sync-inventory-cost.js';

/**
 * The benchmark suite: what each of B1–B12 runs at the small and large sizes, and its settings.
 * Rendering the results is ./report.ts's job; running and saving them is ./run.ts's.
 */

export type BenchId = 'B1' | 'B2' | 'B3' | 'B4' | 'B5' | 'B6' | 'B7' | 'B8' | 'B9' | 'B10' | 'B11' | 'B12';
export const BENCH_IDS: BenchId[] = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8', 'B9', 'B10', 'B11', 'B12'];

/** Settings of one run of the suite; `--size` picks defaults, flags override them. */
export interface Settings {
  size: 'small' | 'large';
  b2Clusters: number;
  b3Agents: number;
  b3Seconds: number;
  b4Clusters: number;
  b5IdleSeconds: number;
  b6Trials: number;
  /** Clusters given a year of compliance history in B7 (the first is the one queried). */
  b7Clusters: number;
  /** Simulated clusters of B8 (governance at fleet scale). Absent in results saved before B8. */
  b8Clusters?: number;
  /** Well-behaved agents polling while one credential floods in B10 (absent in older results). */
  b10Agents?: number;
  /** Length of B10's flood, s. */
  b10FloodSeconds?: number;
  /** Destination clusters of B12 (resource sync). Absent in results saved before B12. */
  b12Clusters?: number;
  /** Node options of the B5 agent process; undefined: what agent/Dockerfile's ENTRYPOINT passes. */
  b5NodeFlags?: string[];
  pollSeconds: number;
  /** Agent shard processes for B3/B4/B8/B12; undefined: 0 up to 2,000 agents, else 1. */
  workers?: number;
  joinConcurrency: number;
  profile: boolean;
}

/** The sizes: small finishes in a few minutes in total; large is the issue's. */
export function defaultSettings(size: 'small' | 'large'): Settings {
  const small = size === 'small';
  return {
    size,
    b2Clusters: small ? 1_000 : 10_000,
    b3Agents: small ? 1_000 : 10_000,
    b3Seconds: small ? 60 : 120,
    b4Clusters: small ? 200 : 1_000,
    b5IdleSeconds: small ? 120 : 600,
    b6Trials: small ? 20 : 50,
    b7Clusters: small ? 3 : 10,
    b8Clusters: small ? 200 : 1_000,
    b10Agents: 100,
    b10FloodSeconds: 20,
    b12Clusters: small ? 200 : 1_000,
    pollSeconds: 30,
    joinConcurrency: 32,
    profile: true,
  };
}

/** Shard processes for a fleet of `agents`: this machine has 2 cores, one is the hub's. */
export function workersFor(settings: Settings, agents: number): number {
  return settings.workers ?? (agents > 2_000 ? 1 : 0);
}

/** B1's full result: both backends, the Lambda-mode probe and the rollout count. */
export interface B1Result {
  dynalite: PollCostResult;
  dynamodbLocal: PollCostResult;
  probe: ProbeResult;
  rollout: RolloutCost;
  /** One compliance change (absent in results saved before it was counted). */
  compliance?: ComplianceChangeCost;
  /** Resource sync and inventory events (absent in results saved before they were counted). */
  syncInventory?: SyncInventoryCost;
}

/** What each benchmark returns. */
export interface ResultOf {
  B1: B1Result;
  B2: FanOutResult;
  B3: SustainedResult;
  B4: ChangeLatencyResult;
  B5: FootprintResult;
  B6: UnavailabilityResult;
  B7: HistoryQueryResult;
  B8: GovernanceFleetResult;
  B9: GovernanceAgentResult;
  B10: FloodResult;
  B11: AuthFloodResult;
  B12: SyncFleetResult;
}

/** B8's fleet size (settings saved before B8 lack it: the size's default). */
export function b8Clusters(s: Settings): number {
  return s.b8Clusters ?? (s.size === 'small' ? 200 : 1_000);
}

/** B12's destination count (settings saved before B12 lack it: the size's default). */
export function b12Clusters(s: Settings): number {
  return s.b12Clusters ?? (s.size === 'small' ? 200 : 1_000);
}

/** The command line that reproduces one benchmark at these settings. */
export function commandFor(id: BenchId, s: Settings): string {
  const size = s.size === 'large' ? ' --size large' : '';
  const flags: Record<BenchId, string> = {
    B1: '',
    B2: s.b2Clusters !== defaultSettings(s.size).b2Clusters ? ` --b2-clusters ${s.b2Clusters}` : '',
    B3: `${s.b3Agents !== defaultSettings(s.size).b3Agents ? ` --b3-agents ${s.b3Agents}` : ''}${s.b3Seconds !== defaultSettings(s.size).b3Seconds ? ` --b3-seconds ${s.b3Seconds}` : ''}`,
    B4: s.b4Clusters !== defaultSettings(s.size).b4Clusters ? ` --b4-clusters ${s.b4Clusters}` : '',
    B5: `${s.b5IdleSeconds !== defaultSettings(s.size).b5IdleSeconds ? ` --b5-idle-seconds ${s.b5IdleSeconds}` : ''}${s.b5NodeFlags ? ` --b5-node-flags "${s.b5NodeFlags.join(' ')}"` : ''}`,
    B6: '',
    B7: s.b7Clusters !== defaultSettings(s.size).b7Clusters ? ` --b7-clusters ${s.b7Clusters}` : '',
    B8: b8Clusters(s) !== b8Clusters(defaultSettings(s.size)) ? ` --b8-clusters ${b8Clusters(s)}` : '',
    B9: '',
    B11: '',
    B12: b12Clusters(s) !== b12Clusters(defaultSettings(s.size)) ? ` --b12-clusters ${b12Clusters(s)}` : '',
    B10: `${s.b10Agents !== defaultSettings(s.size).b10Agents ? ` --b10-agents ${s.b10Agents}` : ''}${s.b10FloodSeconds !== defaultSettings(s.size).b10FloodSeconds ? ` --b10-seconds ${s.b10FloodSeconds}` : ''}`,
  };
  const workers = s.workers !== undefined && (id === 'B3' || id === 'B4' || id === 'B8' || id === 'B12') ? ` --workers ${s.workers}` : '';
  return `npx tsx bench/run.ts --only ${id}${size}${flags[id]}${workers}`;
}

/** Runs one benchmark. B1 also rewrites bench/measured-counts.json. */
export async function runBenchmark<K extends BenchId>(
  id: K,
  s: Settings,
  log: (line: string) => void,
  commit: string,
): Promise<ResultOf[K]> {
  const run: { [P in BenchId]: () => Promise<ResultOf[P]> } = {
    B1: async () => {
      log('  B1: counting on dynalite');
      const lite = await startBenchHub({ backend: 'dynalite' });
      let dynalite: PollCostResult;
      try {
        dynalite = await measurePollCost(lite);
      } finally {
        await lite.close();
      }
      log('  B1: counting on DynamoDB Local (the capacity reference), with the Lambda-mode probe and a rollout');
      const ref = await startBenchHub({ backend: 'dynamodb-local', ledger: true });
      try {
        const dynamodbLocal = await measurePollCost(ref);
        const probe = await runLambdaProbe(ref, {
          credential: dynamodbLocal.credential,
          etag: dynamodbLocal.etag,
          report: dynamodbLocal.lastReport,
        });
        const rollout = await measureRolloutCost(ref);
        log('  B1: counting a compliance change');
        const compliance = await measureComplianceCost(ref);
        log('  B1: counting a synced object change and an inventory member change (a hub of their own)');
        const syncInventory = await measureSyncInventoryCost();
        writeMeasuredCounts({ ...toMeasuredCounts(dynamodbLocal, probe, commit, rollout, undefined, compliance), syncInventory });
        // Credentials are secrets even in a throw-away hub: keep them out of saved results.
        return {
          dynalite: { ...dynalite, credential: '' },
          dynamodbLocal: { ...dynamodbLocal, credential: '' },
          probe,
          rollout,
          compliance,
          syncInventory,
        };
      } finally {
        await ref.close();
      }
    },
    B2: () => runFanOut({ clusters: s.b2Clusters, joinConcurrency: s.joinConcurrency, profile: s.profile, log }),
    B3: () =>
      runSustained({
        agents: s.b3Agents,
        pollSeconds: s.pollSeconds,
        measureSeconds: s.b3Seconds,
        workers: workersFor(s, s.b3Agents),
        joinConcurrency: s.joinConcurrency,
        profile: s.profile,
        log,
      }),
    B4: () =>
      runChangeLatency({
        clusters: s.b4Clusters,
        pollSeconds: s.pollSeconds,
        workers: workersFor(s, s.b4Clusters),
        joinConcurrency: s.joinConcurrency,
        log,
      }),
    B5: () => measureAgentFootprint({ idleSeconds: s.b5IdleSeconds, pollSeconds: s.pollSeconds, nodeFlags: s.b5NodeFlags, log }),
    B6: async () => {
      const hub = await startBenchHub();
      try {
        return await measureUnavailability(hub, { trials: s.b6Trials, pollSeconds: s.pollSeconds });
      } finally {
        await hub.close();
      }
    },
    B7: async () => {
      const hub = await startBenchHub();
      try {
        return await measureHistoryQuery(hub, { clusters: s.b7Clusters, log });
      } finally {
        await hub.close();
      }
    },
    B8: () =>
      runGovernanceFleet({
        clusters: b8Clusters(s),
        pollSeconds: s.pollSeconds,
        workers: workersFor(s, b8Clusters(s)),
        joinConcurrency: s.joinConcurrency,
        log,
      }),
    B9: () => measureGovernanceAgent(log),
    B10: () =>
      runFloodBench({
        agents: s.b10Agents ?? 100,
        pollSeconds: 2,
        baselineSeconds: 10,
        floodSeconds: s.b10FloodSeconds ?? 20,
        floodConcurrency: 32,
        floodPerSecond: 400,
        log,
      }),
    B11: () =>
      runAuthFloodBench({ goodIntervalMs: 50, baselineSeconds: 10, floodSeconds: 20, floodConcurrency: 32, floodPerSecond: 400, log }),
    B12: () =>
      runSyncFleet({
        clusters: b12Clusters(s),
        pollSeconds: s.pollSeconds,
        workers: workersFor(s, b12Clusters(s)),
        joinConcurrency: s.joinConcurrency,
        log,
      }),
  };
  return run[id]() as Promise<ResultOf[K]>;
}
