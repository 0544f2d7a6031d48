import { adminCaller } from './admin.js';
import { Fleet } from './fleet.js';
import type { SimClusterShape } from './sim-agent.js';

/**
 * The live fleet of `tether dev --demo N`: the demo clusters (already created with their labels by
 * the local hub) imported and joined by simulated agents, through the same fleet runner as
 * `tether sim`, so the console shows heartbeats, claims and works from the real agent code.
 */

const DISTRIBUTIONS = ['k3s', 'eks', 'gke', 'aks', 'kind'] as const;

/** Shape of the i-th demo cluster (0-based): the distributions in turn, one to three nodes. */
export function demoClusterShape(index: number): SimClusterShape {
  return { distribution: DISTRIBUTIONS[index % DISTRIBUTIONS.length], nodes: { count: 1 + (index % 3) } };
}

/** Simulated agents of the demo fleet, running in the hub's process. */
export interface DemoAgents {
  count: number;
  stop(): Promise<void>;
}

/**
 * Imports each demo cluster through the admin API and starts the real agent code for it on an
 * in-memory cluster.
 * @throws SimImportError when the hub refuses an import.
 */
export async function startDemoAgents(hubUrl: string, adminToken: string, clusters: string[]): Promise<DemoAgents> {
  const fleet = await Fleet.start({
    admin: adminCaller(hubUrl, adminToken),
    clusters: clusters.length,
    names: clusters,
    prefix: 'store',
    shape: demoClusterShape,
    // The agents share the hub's process; nobody reads their latencies.
    workers: 0,
    recordSamples: false,
    importConcurrency: 8,
    joinConcurrency: 8,
    // A demo fleet shows up at once: a first poll within a second, not the default 30 s.
    initialPollIntervalMs: 1000,
    spreadMs: 1000,
  });
  await fleet.run();
  return { count: clusters.length, stop: () => fleet.stop() };
}
