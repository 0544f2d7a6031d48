import { Agent } from '../agent/agent.js';
import { MemoryCluster } from '../agent/kube/memory-cluster.js';
import { silentLog } from '../agent/log.js';
import { parseImportManifest } from '../shared/agent-manifest.js';
import { TETHER_VERSION } from '../shared/version.js';

const DISTRIBUTIONS = ['k3s', 'eks', 'gke', 'aks', 'kind'] as const;

/** Simulated agents of the demo fleet, running in the hub's process. */
export interface DemoAgents {
  count: number;
  stop(): Promise<void>;
}

/**
 * Imports each demo cluster through the admin API and starts the real agent code for it on an
 * in-memory cluster, so `tether dev --demo N` shows a live fleet (heartbeats, claims, works).
 */
export async function startDemoAgents(hubUrl: string, adminToken: string, clusters: string[]): Promise<DemoAgents> {
  const agents: { agent: Agent; done: Promise<unknown> }[] = [];
  for (const [i, name] of clusters.entries()) {
    const res = await fetch(`${hubUrl}/v1/clusters/${name}/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ autoAccept: true }),
    });
    if (!res.ok) throw new Error(`demo: importing ${name} failed with ${res.status}: ${await res.text()}`);
    const { manifest } = (await res.json()) as { manifest: string };
    const conn = parseImportManifest(manifest);
    const api = new MemoryCluster({ name, distribution: DISTRIBUTIONS[i % DISTRIBUTIONS.length], nodes: { count: 1 + (i % 3) } });
    const agent = new Agent({ ...conn, api, namespace: conn.namespace, version: TETHER_VERSION, log: silentLog(), simulate: true, initialPollIntervalMs: 1000 });
    agents.push({ agent, done: agent.start().catch(() => undefined) });
  }
  return {
    count: agents.length,
    stop: async () => {
      await Promise.all(agents.map((a) => a.agent.stop()));
      await Promise.all(agents.map((a) => a.done));
    },
  };
}
