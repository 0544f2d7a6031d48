import { TAINT_UNAVAILABLE, TAINT_UNREACHABLE } from '../shared/resources/cluster.js';
import { FLEETDEPLOYMENT_LABEL } from '../shared/resources/fleetdeployment.js';
import type { Resource } from '../shared/resources/meta.js';
import type { HubContext } from '../lambdas/core/context.js';
import { MeasurementError } from './b1-poll-cost.js';
import type { AdminCall } from '../sim/admin.js';
import { Fleet } from '../sim/fleet.js';
import { MARK_ANNOTATION } from '../sim/sim-agent.js';

/**
 * What the fan-out and change-latency benchmarks share: a Placement over the bench fleet, a
 * FleetDeployment whose every manifest carries a mark (so agents' applies can be recognised), and a
 * watch on the hub's own ports that records when each cluster's desired state was written (its
 * Work stored, then its head revision bumped).
 */

export const API = 'tether.dev/v1alpha1';

/**
 * Creates a Placement selecting every cluster labelled `fleet=<fleet>` and waits until it has chosen
 * `expected` clusters. `tolerateUnreachable` also chooses clusters whose agents stopped polling
 * (the hub's unreachable and unavailable taints).
 */
export async function placeFleet(
  admin: AdminCall,
  name: string,
  fleet: string,
  expected: number,
  settle: () => Promise<void>,
  opts: { tolerateUnreachable?: boolean; timeoutMs?: number } = {},
): Promise<void> {
  const tolerations = opts.tolerateUnreachable ? [TAINT_UNREACHABLE, TAINT_UNAVAILABLE].map((key) => ({ key, operator: 'Exists' })) : [];
  const res = await admin('POST', '/v1/placements', {
    apiVersion: API,
    kind: 'Placement',
    metadata: { name },
    spec: { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { fleet } } } }], tolerations },
  });
  if (res.status !== 201) throw new MeasurementError(`creating placement ${name} answered ${res.status}: ${res.text}`);
  const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
  for (;;) {
    await settle();
    const p = await admin('GET', `/v1/placements/${name}`);
    const selected = p.body?.status?.numberOfSelectedClusters ?? 0;
    if (selected === expected) return;
    if (Date.now() > deadline) throw new MeasurementError(`placement ${name} selected ${selected} of ${expected} clusters`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A FleetDeployment of `manifests` ConfigMaps, each naming its cluster and carrying `mark`. */
export function markedDeployment(name: string, placement: string, mark: string, manifests = 1): Record<string, unknown> {
  return {
    apiVersion: API,
    kind: 'FleetDeployment',
    metadata: { name },
    spec: {
      template: {
        workload: {
          manifests: [
            { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench', annotations: { [MARK_ANNOTATION]: mark } } },
            ...Array.from({ length: manifests }, (_, i) => ({
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name: `${name}-${i}`, namespace: 'bench', annotations: { [MARK_ANNOTATION]: mark } },
              data: { cluster: '{{ .cluster.name }}', mark },
            })),
          ],
        },
      },
      placementRef: { name: placement },
      rolloutStrategy: { type: 'All' },
    },
  };
}

/** `target` with some methods replaced; every other member still works on the target itself. */
function overriding<T extends object>(target: T, methods: Partial<T>): T {
  return new Proxy(target, {
    get(t, key) {
      if (key in methods) return (methods as Record<string | symbol, unknown>)[key];
      const value = Reflect.get(t, key, t) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}

/** When each cluster's desired state for a deployment was written (Work stored, then head bumped). */
export class DesiredStateWatch {
  private readonly written = new Set<string>();
  /** Cluster -> ms since the epoch when its head was bumped after the Work write. */
  readonly done = new Map<string, number>();
  private restore: (() => void) | undefined;

  constructor(private readonly deployment: string) {}

  /** Wraps the hub's resource and head ports (the hub must run in this process). */
  attach(ctx: HubContext): void {
    const resources = ctx.ports.resources;
    const heads = ctx.ports.heads;
    const onWrite = (r: Resource) => {
      if (r.kind === 'Work' && r.metadata.labels?.[FLEETDEPLOYMENT_LABEL] === this.deployment && r.metadata.namespace)
        this.written.add(r.metadata.namespace);
      return r;
    };
    ctx.ports.resources = overriding(resources, {
      create: async (r: Resource) => onWrite(await resources.create(r)),
      replace: async (r: Resource, v: string) => onWrite(await resources.replace(r, v)),
    });
    ctx.ports.heads = overriding(heads, {
      bumpRevision: async (cluster: string) => {
        const out = await heads.bumpRevision(cluster);
        if (this.written.has(cluster) && !this.done.has(cluster)) this.done.set(cluster, Date.now());
        return out;
      },
    });
    this.restore = () => {
      ctx.ports.resources = resources;
      ctx.ports.heads = heads;
    };
  }

  detach(): void {
    this.restore?.();
  }

  /** Resolves with the time the `expected`-th cluster was done. */
  async until(expected: number, timeoutMs: number, onProgress?: (done: number) => void): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let shown = -1;
    while (this.done.size < expected) {
      if (Date.now() > deadline)
        throw new MeasurementError(`only ${this.done.size} of ${expected} desired states written after ${timeoutMs / 1000} s`);
      if (this.done.size !== shown) onProgress?.((shown = this.done.size));
      await new Promise((r) => setTimeout(r, 50));
    }
    return Math.max(...this.done.values());
  }
}

/**
 * Imports, joins and runs `clusters` simulated agents labelled `fleet=<prefix>`, polling with their
 * phases spread over the poll interval, logging join progress every 15 s (B4, B8 and B12).
 * `labels` adds hub labels to some clusters (by 0-based index).
 */
export async function startPollingFleet(
  admin: AdminCall,
  opts: {
    prefix: string;
    clusters: number;
    pollSeconds: number;
    workers: number;
    joinConcurrency: number;
    log: (line: string) => void;
    labels?: (index: number) => Record<string, string> | undefined;
  },
): Promise<Fleet> {
  let lastLog = 0;
  const fleet = await Fleet.start({
    admin,
    clusters: opts.clusters,
    prefix: opts.prefix,
    labels: (i) => ({ ...opts.labels?.(i), fleet: opts.prefix }),
    workers: opts.workers,
    importConcurrency: opts.joinConcurrency,
    joinConcurrency: opts.joinConcurrency,
    spreadMs: opts.pollSeconds * 1000,
    onJoined: (joined, failed, total) => {
      if (Date.now() - lastLog > 15_000 || joined + failed === total) {
        lastLog = Date.now();
        opts.log(`  ${opts.prefix.toUpperCase()}: ${joined}/${total} agents joined`);
      }
    },
  });
  await fleet.run();
  return fleet;
}
