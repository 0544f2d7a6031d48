import { adminCaller, type AdminCall } from './admin.js';
import { Fleet } from './fleet.js';
import { pMap } from '../shared/concurrency.js';
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
  /** Clusters with a simulated agent. */
  count: number;
  /** Demo clusters left without an agent because the user denied or detached them (or is deleting them). */
  skipped: string[];
  stop(): Promise<void>;
}

/**
 * The demo clusters that should get an agent: those that exist, are accepted and are neither being
 * deleted nor detached. A cluster the user denied or detached stays so across restarts; an agent
 * for it would only be refused (or re-accept it).
 */
export async function demoClustersToRun(admin: AdminCall, clusters: string[]): Promise<{ run: string[]; skipped: string[] }> {
  const keep = await pMap(
    clusters,
    async (name) => {
      const res = await admin('GET', `/v1/clusters/${name}`);
      const c = res.body;
      return (
        res.status === 200 &&
        c?.spec?.hubAcceptsClient === true &&
        !c?.metadata?.deletionTimestamp &&
        !['Detaching', 'Detached', 'Denied'].includes(c?.status?.phase)
      );
    },
    { concurrency: 8 },
  );
  return { run: clusters.filter((_, i) => keep[i]), skipped: clusters.filter((_, i) => !keep[i]) };
}

/**
 * Imports each demo cluster through the admin API and starts the real agent code for it on an
 * in-memory cluster. The import sends no labels and no `autoAccept`, so it changes nothing on the
 * cluster but its bootstrap token (the in-memory clusters start empty, so every agent joins again
 * on each start); clusters the user denied or detached, or is deleting, get no agent.
 * @throws SimImportError when the hub refuses an import.
 */
export async function startDemoAgents(hubUrl: string, adminToken: string, names: string[]): Promise<DemoAgents> {
  const admin = adminCaller(hubUrl, adminToken);
  const { run: clusters, skipped } = await demoClustersToRun(admin, names);
  if (clusters.length === 0) return { count: 0, skipped, stop: async () => undefined };
  const fleet = await Fleet.start({
    admin,
    autoAccept: false,
    clusters: clusters.length,
    names: clusters,
    prefix: 'store',
    // Each cluster keeps its shape when others are skipped.
    shape: (i) => demoClusterShape(names.indexOf(clusters[i])),
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
  return { count: clusters.length, skipped, stop: () => fleet.stop() };
}
