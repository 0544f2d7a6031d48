import { DEFAULT_COMPLIANCE_RETENTION_DAYS } from '../shared/compliance.js';
import {
  billedMs,
  DEFAULT_ASSUMPTIONS,
  priceOf,
  type AgentEndpointProfile,
  type Assumptions,
  type ComplianceCounts,
  type PriceBook,
} from './cost-model.js';

/**
 * The governance line of the cost model: what compliance costs per cluster-month on top of the
 * hub's base cost, from the counted compliance change (bench/compliance-cost.ts, on DynamoDB
 * Local) and stated assumptions. Pure. docs/cost-model.md explains it.
 */

/** What the governance line assumes. */
export interface GovernanceAssumptions {
  /** Compliance changes per cluster per day (each a status report with one changed policy). */
  changesPerDay: number;
  /** Days the history keeps each event (the hub's default retention). */
  retentionDays: number;
  /** Policies per cluster: one current-compliance item each. */
  policiesPerCluster: number;
  /** History reads per cluster per month: an auditor's export of that cluster's last 30 days. */
  historyQueriesPerMonth: number;
  /** Bytes DynamoDB adds to every stored item, and to every index copy, for storage billing. */
  itemOverheadBytes: number;
}

/** The governance line's defaults: one change per cluster per day, two years kept, 30 policies. */
export const DEFAULT_GOVERNANCE: GovernanceAssumptions = {
  changesPerDay: 1,
  retentionDays: DEFAULT_COMPLIANCE_RETENTION_DAYS,
  policiesPerCluster: 30,
  historyQueriesPerMonth: 1,
  itemOverheadBytes: 100,
};

/** The parts of the governance line, per cluster-month (USD). */
export interface GovernanceCost {
  clusters: number;
  profile: AgentEndpointProfile;
  changesPerMonth: number;
  /** Events kept per cluster at steady state (changes per day × retention). */
  eventsKept: number;
  /** Stored bytes per cluster: events (table + gsi2 copy) and current items. */
  storedBytes: number;
  writeUnits: number;
  readUnits: number;
  lines: { requests: number; duration: number; writes: number; reads: number; storage: number; logs: number };
  total: number;
}

/** Read units of one Query returning `bytes`: eventually consistent, 0.5 per started 4 KB (0.5 at least). */
export function queryReadUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 4096)) * 0.5;
}

/**
 * The governance line of a fleet of `clusters` (priced at fleet volume so that tiers apply, then
 * divided per cluster).
 */
export function governanceCost(
  scenario: { clusters: number; profile: AgentEndpointProfile },
  counts: ComplianceCounts,
  prices: PriceBook,
  g: GovernanceAssumptions = DEFAULT_GOVERNANCE,
  a: Assumptions = DEFAULT_ASSUMPTIONS,
): GovernanceCost {
  const p = prices.items;
  const { clusters, profile } = scenario;
  const c = counts.change;
  const changesPerMonth = (g.changesPerDay * a.secondsPerMonth) / 86_400;
  const eventsKept = g.changesPerDay * g.retentionDays;
  // The gsi2 index (ALL projection) keeps a second copy of every event.
  const storedBytes =
    eventsKept * 2 * (counts.eventItemBytes + g.itemOverheadBytes) +
    g.policiesPerCluster * (counts.complianceItemBytes + g.itemOverheadBytes);
  const writeUnits = c.writeUnits * changesPerMonth;
  const monthOfEvents = g.changesPerDay * 30 * counts.eventItemBytes;
  const readUnits = c.readUnits * changesPerMonth + g.historyQueriesPerMonth * queryReadUnits(monthOfEvents);
  const fleet = (perCluster: number) => perCluster * clusters;
  const per = (usd: number) => usd / clusters;
  const requests = c.agentRequests * changesPerMonth;
  const invocations = c.invocations * changesPerMonth;
  const gbSeconds = changesPerMonth * (billedMs(c, a.agentMemoryMb, a) / 1000) * (a.agentMemoryMb / 1024);
  const logGb = (c.logBytes * changesPerMonth) / 1024 ** 3;
  const lines = {
    requests:
      per(priceOf(p.lambdaRequestsPerMillion, fleet(invocations))) +
      (profile === 'HttpApi' ? per(priceOf(p.apiGatewayHttpApiPerMillionRequests, fleet(requests))) : 0),
    duration: per(priceOf(p.lambdaArm64PerGbSecond, fleet(gbSeconds), 1)),
    writes: per(priceOf(p.dynamodbOnDemandPerMillionWriteUnits, fleet(writeUnits))),
    reads: per(priceOf(p.dynamodbOnDemandPerMillionReadUnits, fleet(readUnits))),
    storage: priceOf(p.dynamodbStoragePerGbMonth, storedBytes / 1024 ** 3, 1),
    logs:
      per(priceOf(p.cloudwatchLogsIngestionPerGb, fleet(logGb), 1)) +
      per(priceOf(p.cloudwatchLogsStoragePerGbMonth, fleet(logGb) * a.logRetentionMonths, 1)),
  };
  const total = Object.values(lines).reduce((s, x) => s + x, 0);
  return { clusters, profile, changesPerMonth, eventsKept, storedBytes, writeUnits, readUnits, lines, total };
}
