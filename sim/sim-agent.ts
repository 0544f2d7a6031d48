import { Agent, type AgentOptions } from '../agent/agent.js';
import type { ApplyOptions } from '../agent/kube/cluster-api.js';
import { MemoryCluster, type MemoryClusterOptions } from '../agent/kube/memory-cluster.js';
import type { KubeObject } from '../agent/kube/types.js';
import { silentLog } from '../agent/log.js';
import { parseImportManifest } from '../shared/agent-manifest.js';
import { TetherError } from '../shared/errors.js';
import type { AdminCall } from './admin.js';
import { TETHER_VERSION } from '../shared/version.js';

/**
 * One simulated cluster: the real {@link Agent} over its own in-memory cluster, joined through the
 * real flow (an import manifest's bootstrap token). The fleet simulator runs thousands of these.
 */

/** Namespace the simulated agents keep their state in, as the import manifest's. */
export const SIM_NAMESPACE = 'tether-agent';
/** The version simulated agents report. */
export const SIM_AGENT_VERSION = TETHER_VERSION;

/** The import call failed: the hub refused or is unreachable. */
export class SimImportError extends TetherError {
  // 502: the hub the simulator depends on refused or could not be reached.
  static override readonly status = 502;
  static override readonly title = 'Cluster import failed';
  readonly code = 'sim-import-failed';
}

/** How a simulated cluster looks to its agent (plain data: it crosses to shard processes). */
export type SimClusterShape = Pick<MemoryClusterOptions, 'distribution' | 'nodes'>;

/** What the simulator needs to start an agent for a cluster. */
export interface ImportedCluster {
  name: string;
  hubUrl: string;
  bootstrapToken: string;
  /** Distribution and nodes of the in-memory cluster; default a one-node k3s. */
  shape?: SimClusterShape;
}

/**
 * Imports a cluster (POST /v1/clusters/{name}/import, with `autoAccept` unless `autoAccept` is
 * false) and reads the bootstrap token and agent URL from the returned manifest, exactly what
 * `kubectl apply` would give the agent. Without labels and `autoAccept`, the import of an existing
 * cluster changes nothing but its bootstrap token.
 */
export async function importForSimulation(
  admin: AdminCall,
  name: string,
  labels?: Record<string, string>,
  autoAccept = true,
): Promise<ImportedCluster> {
  const res = await admin('POST', `/v1/clusters/${name}/import`, {
    ...(autoAccept ? { autoAccept: true } : {}),
    ...(labels ? { labels } : {}),
  });
  if (res.status !== 200 || typeof res.body?.manifest !== 'string') {
    throw new SimImportError(`import of ${name} answered ${res.status}: ${res.text.slice(0, 300)}`);
  }
  const info = parseImportManifest(res.body.manifest as string, `import manifest of ${name}`);
  return { name, hubUrl: info.hubUrl, bootstrapToken: info.bootstrapToken };
}

/** Annotation the benchmarks put on objects they publish, to see when each agent applied which version. */
export const MARK_ANNOTATION = 'bench.tether.dev/mark';

/** An in-memory cluster that tells an observer about every object applied to it. */
export class ObservedCluster extends MemoryCluster {
  constructor(
    options: MemoryClusterOptions,
    private readonly onApplied?: (obj: KubeObject) => void,
  ) {
    super(options);
  }

  override async apply(obj: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const out = await super.apply(obj, options);
    if (!options.dryRun) this.onApplied?.(out);
    return out;
  }
}

/** A simulated agent and its cluster. */
export interface SimAgent {
  name: string;
  agent: Agent;
  cluster: ObservedCluster;
  /** Stops the agent and the cluster's timers. */
  close(): Promise<void>;
}

/** Builds (does not start) the real agent over a fresh in-memory cluster. */
export function createSimAgent(
  imported: ImportedCluster,
  overrides: Partial<AgentOptions> = {},
  onApplied?: (obj: KubeObject) => void,
): SimAgent {
  const now = overrides.clock ? () => overrides.clock!.now() : undefined;
  const cluster = new ObservedCluster({ name: imported.name, distribution: 'k3s', ...imported.shape, ...(now ? { now } : {}) }, onApplied);
  const agent = new Agent({
    hubUrl: imported.hubUrl,
    cluster: imported.name,
    bootstrapToken: imported.bootstrapToken,
    api: cluster,
    namespace: SIM_NAMESPACE,
    version: SIM_AGENT_VERSION,
    log: silentLog(),
    simulate: true,
    ...overrides,
  });
  return {
    name: imported.name,
    agent,
    cluster,
    close: async () => {
      await agent.stop();
      cluster.close();
    },
  };
}
