import {
  billedMs,
  DEFAULT_ASSUMPTIONS,
  priceOf,
  type AgentEndpointProfile,
  type Assumptions,
  type EventCount,
  type MeasuredCounts,
  type PriceBook,
  type RequestCost,
} from './cost-model.js';

/**
 * The resource-sync and inventory lines of the cost model: what a synced object's change costs
 * (a part per change, a part per destination) and what the inventory costs (per member change ×
 * receivers, and the exports' 5-minute refresh), from the events counted on DynamoDB Local
 * (bench/sync-inventory-cost.ts, in B1) and stated assumptions. Pure. docs/cost-model.md explains it.
 */

/** What these lines assume. */
export interface SyncInventoryAssumptions {
  /** Changes of synced objects per month, fleet-wide (a Secret rotated once a day: 30.4). */
  syncChangesPerMonth: number;
  /** Share of the fleet each change reaches (1: a rule whose destinations are every cluster). */
  destinationShare: number;
  /** Inventory member changes per cluster per day (availability, claims or labels that moved). */
  memberChangesPerDay: number;
  /** ClusterInventoryExports, and receivers of each (the clusters multi-cluster tools run on). */
  exports: number;
  receiversPerExport: number;
  /** Minutes between an export's periodic refreshes (REFRESH_INTERVAL_MS of the inventory). */
  refreshMinutes: number;
}

/** One Secret rotated a day to every cluster; one export to 3 receivers; one member change per cluster a day. */
export const DEFAULT_SYNC_INVENTORY: SyncInventoryAssumptions = {
  syncChangesPerMonth: (730 * 3600) / 86_400,
  destinationShare: 1,
  memberChangesPerDay: 1,
  exports: 1,
  receiversPerExport: 3,
  refreshMinutes: 5,
};

/** An event's price, by line (USD). */
export interface EventPrice {
  requests: number;
  duration: number;
  reads: number;
  writes: number;
  sqs: number;
  total: number;
}

/**
 * One invocation of these events, priced as long as one invocation of the measured status report
 * (the probe times the status report in Lambda mode; the sync and inventory events are not timed).
 */
function perInvocation(counts: MeasuredCounts): RequestCost {
  const r = counts.statusReport;
  const n = Math.max(1, r.invocations);
  return { ...r, invocations: 1, agentRequests: 0, lambdaMs: r.lambdaMs / n, cpuMs: r.cpuMs === undefined ? undefined : r.cpuMs / n };
}

/**
 * Prices `times` occurrences of an event at list price (the first tier: these volumes are small
 * beside the polls'). Each agent request and each queued step is an invocation; each step is 3
 * SQS requests (send, receive, delete).
 */
export function priceEvent(
  e: EventCount,
  times: number,
  counts: MeasuredCounts,
  prices: PriceBook,
  profile: AgentEndpointProfile,
  a: Assumptions = DEFAULT_ASSUMPTIONS,
): EventPrice {
  const p = prices.items;
  const steps = Object.values(e.steps).reduce((x, y) => x + y, 0);
  const invocations = (e.agentRequests + steps) * times;
  const gbSeconds = invocations * (billedMs(perInvocation(counts), a.agentMemoryMb, a) / 1000) * (a.agentMemoryMb / 1024);
  const out = {
    requests:
      priceOf(p.lambdaRequestsPerMillion, invocations) +
      (profile === 'HttpApi' ? priceOf(p.apiGatewayHttpApiPerMillionRequests, e.agentRequests * times) : 0),
    duration: priceOf(p.lambdaArm64PerGbSecond, gbSeconds, 1),
    reads: priceOf(p.dynamodbOnDemandPerMillionReadUnits, e.readUnits * times),
    writes: priceOf(p.dynamodbOnDemandPerMillionWriteUnits, e.writeUnits * times),
    sqs: priceOf(p.sqsStandardPerMillionRequests, steps * 3 * times),
  };
  return { ...out, total: out.requests + out.duration + out.reads + out.writes + out.sqs };
}

/** Adds prices line by line. */
function sum(...xs: EventPrice[]): EventPrice {
  const keys = ['requests', 'duration', 'reads', 'writes', 'sqs', 'total'] as const;
  return Object.fromEntries(keys.map((k) => [k, xs.reduce((s, x) => s + x[k], 0)])) as unknown as EventPrice;
}

/** The sync and inventory lines of a fleet, per cluster-month, and one change's price. */
export interface SyncInventoryCost {
  clusters: number;
  profile: AgentEndpointProfile;
  /** One synced object change reaching `destinations` clusters (USD for the whole change). */
  oneChange: EventPrice;
  destinations: number;
  /** Resource sync per cluster-month. */
  sync: EventPrice;
  /** Inventory per cluster-month: member changes × receivers, and the refreshes (shared by the fleet). */
  inventory: EventPrice;
  inventoryRefresh: EventPrice;
}

/** The sync and inventory lines of a fleet of `clusters`. */
export function syncInventoryCost(
  scenario: { clusters: number; profile: AgentEndpointProfile },
  counts: MeasuredCounts,
  prices: PriceBook,
  s: SyncInventoryAssumptions = DEFAULT_SYNC_INVENTORY,
  a: Assumptions = DEFAULT_ASSUMPTIONS,
): SyncInventoryCost | undefined {
  const si = counts.syncInventory;
  if (!si) return undefined;
  const { clusters, profile } = scenario;
  const price = (e: EventCount, times: number) => priceEvent(e, times, counts, prices, profile, a);
  const destinations = Math.max(0, Math.round(clusters * s.destinationShare) - 1);
  const oneChange = sum(price(si.syncChange, 1), price(si.syncPerDestination, destinations));
  const perCluster = (x: EventPrice): EventPrice =>
    Object.fromEntries(Object.entries(x).map(([k, v]) => [k, (v * s.syncChangesPerMonth) / clusters])) as unknown as EventPrice;
  const memberChanges = (s.memberChangesPerDay * a.secondsPerMonth) / 86_400;
  // Each member change refreshes every export, and every export's receivers are bumped and poll fresh.
  const inventory = sum(
    price(si.inventoryMemberChange, memberChanges * s.exports),
    price(si.inventoryPerReceiver, memberChanges * s.exports * s.receiversPerExport),
  );
  // The refreshes are the fleet's, whatever its size: shared by its clusters.
  const refreshes = (s.exports * a.secondsPerMonth) / (s.refreshMinutes * 60);
  const refreshFleet = price(si.inventoryRefresh, refreshes);
  const inventoryRefresh = Object.fromEntries(Object.entries(refreshFleet).map(([k, v]) => [k, v / clusters])) as unknown as EventPrice;
  return {
    clusters,
    profile,
    oneChange,
    destinations,
    sync: perCluster(oneChange),
    inventory: sum(inventory, inventoryRefresh),
    inventoryRefresh,
  };
}
